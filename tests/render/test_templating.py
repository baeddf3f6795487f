"""The Jinja environment of a render (``scheduler.render.templating``): templates render what Jinja's
own ``Template`` renders, a global added later is seen, and a template translated ahead renders
what the template renders with the same ``gettext``."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from scheduler.plugins import invitations

from scheduler.content.briefing import attendee_briefing
from scheduler.content.languages import language_for
from scheduler.render import templating
from scheduler.render.context import RenderContext
from scheduler.render.templating import environment, translated_template
from tests.support.calendar_outputs import NOW, render, replanned


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


@pytest.mark.parametrize("name", ["invitation.txt.j2", "invitation.html", "cancellation.txt.j2", "cancellation.html"])
def test_a_template_translated_ahead_renders_what_the_template_renders(plan, scenario, tmp_path, name):
    context = RenderContext(plan=plan, scenario=scenario, folder=tmp_path, now=NOW)
    env = environment(None)
    occurrence = next(o for o in plan.scheduled if o.attendees)
    seen = set()
    for person in scenario.people.values():
        language = language_for(context, person.language)
        briefing = attendee_briefing(context, occurrence, person, language)
        for flags in ({}, {"updated": True}, {"dropped": True}):
            flags = {"updated": False, "cancelled": False, "dropped": False, **flags}
            # What the invitations give their templates, from the plugin itself.
            values = invitations._template_values(context, person, briefing, language, **flags)
            translated = translated_template(env, name, language.code, language.gettext)
            assert translated.render(**values) == env.get_template(name).render(**values)
        seen.add(language.code)
    assert {"en", "ro"} <= seen


def test_a_users_template_that_binds_gettext_itself_is_left_as_it_is(plan, scenario, tmp_path):
    (tmp_path / "binds.txt.j2").write_text('{% set _ = gettext %}{{ _("When") }}\n', encoding="utf-8")
    (tmp_path / "loops.txt.j2").write_text('{% for _ in ["x"] %}{{ _ }}{% endfor %} {{ gettext("When") }}\n')
    (tmp_path / "folds.txt.j2").write_text('{{ _("When") }} {{ _("Where") | upper }} {{ _(person) }}\n')
    env = environment(tmp_path)
    english = language_for(RenderContext(plan=plan, scenario=scenario, folder=tmp_path, now=NOW), "en")
    for name in ("binds.txt.j2", "loops.txt.j2"):
        assert translated_template(env, name, "words", lambda text: "NOT " + text) is env.get_template(name)
    folded = translated_template(env, "folds.txt.j2", "shouting", str.upper)
    assert folded is not env.get_template("folds.txt.j2")
    # Constants are translated ahead (by the catalog given); anything else is left to the call.
    assert folded.render(_=english.gettext, person="Ana") == "WHEN WHERE Ana\n"
    assert env.get_template("folds.txt.j2").render(_=str.upper, person="Ana") == "WHEN WHERE ANA\n"
