"""Shared fixtures: the ILECU example (solved once per session) and helpers that solve small
scenarios through the command line or the Python API.

Every plan a test obtains through ``solve_toml`` or ``solve_api`` (without skipped rules) is
checked against the spec by the independent checker in ``tests/plan_checker.py``, inside the
helper, so no test can pass on a plan that breaks a rule or miscounts money.
"""

from __future__ import annotations

import itertools
import json
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support import ILECU
from tests.support.plan_checker import check_plan

# A test run started in the background of a non-interactive shell (`make test &`) inherits SIGINT
# ignored, and so would every command the tests start: the Ctrl-C tests (test_interrupt.py) need
# Python's own handler, as in a terminal. A handler, unlike "ignored", does not pass to the
# processes the tests start, which then install Python's own.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def ilecu_path() -> Path:
    return ILECU


@pytest.fixture(scope="session")
def ilecu_plan_file(tmp_path_factory) -> Path:
    """The ILECU example solved once per session (Python API, two workers, seed 0)."""
    from scheduler import plan as plan_json
    from scheduler.model.instance import Instance
    from scheduler.scenario.loader import load
    from scheduler.solver import SolveOptions, solve

    plan = solve(Instance(load(ILECU)), SolveOptions(workers=2, seed=0))
    path = tmp_path_factory.mktemp("ilecu") / "plan.json"
    path.write_text(plan_json.dumps(plan), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def ilecu_plan(ilecu_plan_file) -> dict:
    plan = json.loads(ilecu_plan_file.read_text(encoding="utf-8"))
    assert check_plan(ILECU, plan) == []
    return plan


# The output tests' defaults: the ILECU example's scenario and its solved plan, loaded once per
# module (a test may change them). A module about another scenario defines its own ``scenario``.
@pytest.fixture(scope="module")
def scenario():
    from scheduler.scenario.loader import load

    return load(ILECU)


@pytest.fixture(scope="module")
def plan(ilecu_plan_file, ilecu_plan):
    """The solved ILECU plan as ``scheduler.plan.Plan`` (``ilecu_plan`` checked it first)."""
    from scheduler import plan as plan_json

    return plan_json.load(ilecu_plan_file)


@pytest.fixture
def cli():
    """Run the command line in-process: ``cli("solve", path, "-o", out)`` -> click Result."""
    from scheduler.cli import main

    runner = CliRunner()

    def run(*args, **kwargs):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)

    return run


@pytest.fixture
def write_scenario(tmp_path):
    """Write scenario text into a fresh file under ``tmp_path``; returns its path."""
    counter = itertools.count(1)

    def write(text: str, name: str | None = None) -> Path:
        path = tmp_path / (name or f"scenario-{next(counter)}.toml")
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def no_output_plugins(monkeypatch):
    """Solve without running output plugins: the core's tests must not depend on the formats
    being written by others (test_output and the plugins' own tests cover rendering)."""
    import scheduler.render.host

    monkeypatch.setattr(scheduler.render.host, "output_formats", lambda manager: {})


@pytest.fixture
def search_mode() -> str:
    """How ``solve_toml`` and ``solve_api`` search: "full" (the default, the warm start before
    CP-SAT), "plain" (CP-SAT alone), or "both" (each, asserting that they agree on the optimum; the
    rule tests use it)."""
    return "full"


def _searches(mode: str) -> tuple[str, ...]:
    return ("plain", "full") if mode == "both" else (mode,)


def _agree(plans: dict) -> None:
    """Both searches proved the same optimum (the objective vector), or both found no plan."""
    objectives = {name: None if plan is None else plan["solver"]["objective"] for name, plan in plans.items()}
    assert len(set(map(str, objectives.values()))) == 1, f"the searches disagree: {objectives}"


@pytest.fixture
def solve_toml(tmp_path, write_scenario, cli, no_output_plugins, search_mode):
    """``solve_toml(text, *args) -> (plan dict or None, exit code, output)`` through the CLI
    (``scheduler solve FILE -o DIR --workers 1 --search MODE``); a plan it returns has passed
    ``check_plan``."""
    counter = itertools.count(1)

    def run(text: str, *args: str):
        path = write_scenario(text)
        results = {}
        for search in _searches(search_mode):
            out = tmp_path / f"out-{next(counter)}"
            result = cli("solve", path, "-o", out, "--workers", "1", "--search", search, *args)
            plan = None
            if result.exit_code == 0:
                plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
                violations = check_plan(path, plan)
                assert violations == [], "\n".join(violations)
            results[search] = (plan, result.exit_code, result.output)
        if len(results) > 1:
            _agree({name: plan for name, (plan, _code, _output) in results.items()})
            assert len({code for _plan, code, _output in results.values()}) == 1
        return results[_searches(search_mode)[-1]]

    return run


@pytest.fixture
def solve_api(write_scenario, search_mode):
    """``solve_api(text, skip_rules=()) -> (plan dict, violations)`` through the Python API with
    one worker. Without skipped rules the plan must be valid (asserted here); with skipped rules
    the violations are returned for the test to inspect. Every model built is read back to check
    that each constraint is tagged with the occurrences whose variables it uses."""
    from scheduler import plan as plan_json
    from scheduler.model.instance import Instance
    from scheduler.model.objectives import objective_stages
    from scheduler.model.planmodel import PlanModel
    from scheduler.model.rules import add_rules
    from scheduler.scenario.loader import load
    from scheduler.solver import SolveOptions, solve
    from tests.support.ownership import ownership_problems

    def run(text: str, skip_rules: tuple[str, ...] = ()):
        path = write_scenario(text)
        pm = PlanModel(Instance(load(path)))
        add_rules(pm)
        objective_stages(pm)
        assert ownership_problems(pm) == []
        plans = {}
        for search in _searches(search_mode):
            options = SolveOptions(workers=1, skip_rules=skip_rules, search=search)
            plans[search] = plan_json.to_dict(solve(Instance(load(path)), options))
        if len(plans) > 1:
            _agree(plans)
        plan = plans[_searches(search_mode)[-1]]
        violations = check_plan(path, plan)
        if not skip_rules:
            assert violations == [], "\n".join(violations)
        return plan, violations

    return run
