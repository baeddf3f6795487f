"""Solved plans of the bundled example, shared by the output-plugin tests.

Solving the ILECU example takes a few seconds, so each variant is solved once per test session
(through the Python API, so no output plugin runs) and its ``plan.json`` kept in a temporary
folder. Tests render from these files with ``scheduler render``, the way a coordinator re-renders
a published plan.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from tests.support import ILECU as EXAMPLE

# name -> (text replaced in the example, replacement)
VARIANTS = {
    "example": None,
    # A smaller total budget: the optional second induction training no longer fits.
    "tight": ("total = 409161.91", "total = 150000"),
}


@cache
def _workdir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="scheduler-plans-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


@cache
def solved(variant: str = "example") -> tuple[Path, Path]:
    """The scenario file and the ``plan.json`` of a variant of the example, solved once."""
    from scheduler import plan as plan_json
    from scheduler.model.instance import Instance
    from scheduler.scenario.loader import load
    from scheduler.solver import SolveOptions, solve

    folder = _workdir() / variant
    folder.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8")
    change = VARIANTS[variant]
    if change is not None:
        assert change[0] in text, f"the example no longer contains {change[0]!r}"
        text = text.replace(*change)
    scenario_file = folder / "scenario.toml"
    scenario_file.write_text(text, encoding="utf-8")
    plan = solve(Instance(load(scenario_file)), SolveOptions(workers=2, seed=0))
    plan_file = folder / "plan.json"
    plan_file.write_text(plan_json.dumps(plan), encoding="utf-8")
    return scenario_file, plan_file


def render(plan_file: Path, scenario_file: Path, output: Path, *args: str, env: dict[str, str] | None = None):
    """``scheduler render`` through click's CliRunner; returns the result."""
    from click.testing import CliRunner

    from scheduler.cli import main

    return CliRunner().invoke(
        main,
        ["render", str(plan_file), "--scenario", str(scenario_file), "-o", str(output), *args],
        env=env,
        catch_exceptions=False,
    )
