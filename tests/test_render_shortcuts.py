"""Shortcuts of the render against the plain way they replace: each gives the same bytes.

- ``templating``: a render's context built from the template's globals copied once, not from
  Jinja's ``ChainMap`` for every render.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from calendar_outputs import render, replanned

from scheduler import plan as plan_json
from scheduler import templating
from scheduler.loader import load

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ilecu.toml"


@pytest.fixture(scope="module")
def scenario():
    return load(EXAMPLE)


@pytest.fixture(scope="module")
def plan(ilecu_plan_file, ilecu_plan):
    return plan_json.load(ilecu_plan_file)


def files_of(folder: Path, written) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in written}


@pytest.mark.parametrize("replan", [False, True])
def test_templates_render_what_jinjas_own_template_class_renders(plan, scenario, tmp_path, monkeypatch, replan):
    current, previous = plan, None
    if replan:
        current = replanned(plan, drop="sv-serbia-1", move="crm-2", remove=("sc-2", "donor-isf"))
        previous = plan
    options = {"workers": "1"}
    ours = files_of(tmp_path / "ours", render(current, scenario, tmp_path / "ours", previous=previous, options=options))
    monkeypatch.setattr(templating, "_template_class", lambda: jinja2.Template)
    plain = files_of(
        tmp_path / "plain", render(current, scenario, tmp_path / "plain", previous=previous, options=options)
    )
    assert sorted(ours) == sorted(plain)
    assert [name for name in ours if ours[name] != plain[name]] == []
    assert any(name.endswith(".eml") for name in ours) and any(name.endswith(".html") for name in ours)


def test_a_global_added_after_a_render_is_seen_by_the_next():
    env = templating.environment(None)
    template = env.from_string("{{ greeting | default('none') }} {{ range(2) | list }}")
    assert type(template).__name__ == "Template" and type(template) is not jinja2.Template
    assert template.render() == "none [0, 1]"
    env.globals["greeting"] = "hello"
    assert template.render() == "hello [0, 1]"
    template.globals["greeting"] = "own"  # a template's own globals come before the environment's
    template.globals["other"] = 1
    assert template.render() == "own [0, 1]"
    assert template.render(greeting="given") == "given [0, 1]"
