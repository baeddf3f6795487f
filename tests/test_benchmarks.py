"""The benchmark tools on a small generated scenario (not timed): the generator is reproducible and
writes a valid scenario, the greedy planner's plans pass the independent checker, and the solver's
plan is no more expensive with no fewer optional events."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.generate import Size, generate, write  # noqa: E402
from benchmarks.greedy import BY_HAND, CAREFUL, greedy_plan  # noqa: E402
from benchmarks.toml_writer import toml_text  # noqa: E402
from scheduler.model.instance import Instance  # noqa: E402
from scheduler.plan import to_dict  # noqa: E402
from scheduler.scenario.loader import load  # noqa: E402
from scheduler.solver import SolveOptions, solve  # noqa: E402
from tests.support.plan_checker import check_plan

SMALL = Size(occurrences=30, people=60, countries=4, years=2, tightness=0.9, seed=4)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return write(SMALL, tmp_path_factory.mktemp("bench"))


def test_generator_is_reproducible_and_sized():
    first, again = generate(SMALL), generate(SMALL)
    assert toml_text(first.tables) == toml_text(again.tables)
    assert first.calendars == again.calendars
    assert first.occurrence_count == SMALL.occurrences
    assert len(first.tables["people"]) == SMALL.people
    other = generate(Size(30, 60, 4, 2, 0.9, seed=5))
    assert toml_text(other.tables) != toml_text(first.tables)


def test_generated_scenario_loads(small):
    scenario = load(small)
    instance = Instance(scenario)
    assert len(instance.occurrences) == SMALL.occurrences
    countries = {p.country for p in scenario.people.values()}
    assert len(countries - {"AT", "BE"}) == SMALL.countries
    assert any(p.unavailable for p in scenario.people.values())
    assert any(e.repeat for e in scenario.events.values()) and any(e.after for e in scenario.events.values())
    assert any(e.optional for e in scenario.events.values())


@pytest.mark.parametrize("policy", [BY_HAND, CAREFUL], ids=["by_hand", "careful"])
def test_greedy_plan_passes_the_checker(small, policy):
    plan = to_dict(greedy_plan(Instance(load(small)), policy))
    assert check_plan(small, plan) == []
    assert all(o["scheduled"] or o["reason"] for o in plan["occurrences"])


def test_solver_is_no_worse_than_greedy(small):
    instance = Instance(load(small))
    greedy = to_dict(greedy_plan(instance, BY_HAND))
    plan = to_dict(solve(instance, SolveOptions(time_limit=60, workers=1)))
    assert check_plan(small, plan) == []
    # Optional events count by their priority (the spec's first objective); at equal priority the
    # plans are compared on cost.
    assert plan["solver"]["objective"][0] >= greedy["solver"]["objective"][0]
    if plan["solver"]["objective"][0] == greedy["solver"]["objective"][0]:
        assert plan["budget"]["total"] <= greedy["budget"]["total"]
