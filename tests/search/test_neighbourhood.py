"""Focused neighbourhoods (scheduler/search/neighbourhood.py): started from the plan a coordinator
makes by hand, they must reach a plan as good as CP-SAT's proven optimum, valid by the
independent checker, the same on every run; and the floors that let the solver stop early must
never be above what a plan can reach."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.generate import write  # benchmarks/, on the path through busy_plans
from scheduler.model.instance import Instance
from scheduler.model.mapping import to_plan, variables
from scheduler.model.objectives import at_floors
from scheduler.model.planmodel import PlanModel
from scheduler.plan import to_dict
from scheduler.scenario.loader import load
from scheduler.search import choosing, neighbourhood
from scheduler.search.firstfit import FirstFit, Policy
from scheduler.search.neighbourhood import Neighbourhoods
from scheduler.solver import SolveOptions, solve
from tests.support.busy_plans import SIZE, by_hand_start
from tests.support.plan_checker import check_plan


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    return write(SIZE, tmp_path_factory.mktemp("neighbourhood"))


@pytest.fixture(scope="module")
def optimum(scenario) -> dict[str, int]:
    """CP-SAT's proven optimum, by stage name."""
    plan = solve(Instance(load(scenario)), SolveOptions(workers=1))
    assert plan.status == "OPTIMAL"
    return {"priority": plan.objective[0], "cost": plan.objective[2], "preferred": plan.objective[3]}


def test_neighbourhoods_reach_the_optimum_from_the_plan_by_hand(scenario, optimum):
    pm, stages, solved = by_hand_start(scenario)
    search = Neighbourhoods(pm, stages, solved)
    by_hand = search.objective()
    values = search.run(deadline=None)
    improved = search.objective()
    assert improved < by_hand
    assert improved == tuple(-optimum[s.name] if s.maximize else optimum[s.name] for s in stages)
    plan = to_dict(to_plan(pm, {n: values[v.index] for n, v in variables(pm)}, "FEASIBLE", 0.0, 0, 1))
    assert check_plan(scenario, plan) == []


def test_neighbourhoods_on_small_models_of_their_own_find_what_the_whole_model_finds(scenario, monkeypatch):
    """As on the largest models (small neighbourhoods first): each neighbourhood a model of the
    freed occurrences only (submodel.Pieces) reaches the same plan value, solve by solve, as the
    whole model with the rest fixed, and its plan is valid."""
    monkeypatch.setattr(neighbourhood, "LARGE", 0)
    monkeypatch.setattr(choosing, "CANDIDATES", None)  # the whole model keeps every candidate
    found = {}
    for own in (True, False):
        pm, stages, solved = by_hand_start(scenario)
        search = Neighbourhoods(pm, stages, solved)
        assert search.large
        search.own_models = own
        by_hand = search.objective()
        values = search.run(deadline=None)
        assert (search.pieces is not None) == own
        assert search.objective() < by_hand
        found[own] = (search.objective(), search.solves)
        plan = to_dict(to_plan(pm, {n: values[v.index] for n, v in variables(pm)}, "FEASIBLE", 0.0, 0, 1))
        assert check_plan(scenario, plan) == []
    assert found[True] == found[False]


def test_small_models_leave_out_all_but_a_few_new_seat_candidates(scenario, monkeypatch):
    """On the largest models a neighbourhood may pick, per seat group, the people it has now and
    ``CANDIDATES`` others (the cheapest, the least busy first); the rest are held at 0."""
    monkeypatch.setattr(neighbourhood, "LARGE", 0)
    pm, stages, solved = by_hand_start(scenario)
    search = Neighbourhoods(pm, stages, solved)
    free = [o.id for o in pm.instance.occurrences[:6]]
    zero = search._unpicked(free)
    checked = 0
    for oid in free:
        o = pm.instance.by_id[oid]
        for g, group in enumerate(o.seat_groups):
            picks = pm.pick[oid]
            now = {p for p in group.candidates if search.values[picks[(g, p)].index]}
            allowed = {p for p in group.candidates if picks[(g, p)].index not in zero}
            assert now <= allowed
            assert len(allowed - now) == min(choosing.CANDIDATES, len(group.candidates) - len(now))
            checked += len(group.candidates) > len(now) + choosing.CANDIDATES
    assert checked, "no seat group with more candidates than are kept: the test shows nothing"
    small = search._pieces().model(free, zero)
    held = [small.model.proto.variables[small.index[v]].domain for v in zero]
    assert held and all(list(d) == [0, 0] for d in held)


def test_on_small_models_only_people_a_neighbourhood_may_pick_bring_their_occurrences_in(scenario, monkeypatch):
    """Freeing the occurrence that keeps an officer away is of use only where the small model lets
    the target pick that officer: the blockers are looked for among the people it may pick
    (``_unpicked``'s complement), the whole model still among all the cheapest."""
    pm, stages, solved = by_hand_start(scenario)
    whole = Neighbourhoods(pm, stages, solved)
    monkeypatch.setattr(neighbourhood, "LARGE", 0)
    monkeypatch.setattr(choosing, "CANDIDATES", 1)
    own = Neighbourhoods(pm, stages, solved)
    narrower = 0
    for o in pm.instance.occurrences:
        zero = own._unpicked([o.id])
        may_pick = set(o.fixed) | {p for (_g, p), var in pm.pick[o.id].items() if var.index not in zero}
        for v in o.event.venues:
            assert whole._wanted_people(o, v) == whole._cheapest_people(o, v)
            wanted = own._wanted_people(o, v)
            assert set(wanted) == set(own._cheapest_people(o, v)) & may_pick
            narrower += len(wanted) < len(own._cheapest_people(o, v))
    assert narrower, "every cheapest officer may be picked: the test shows nothing"


def test_neighbourhoods_solved_two_at_a_time_give_a_valid_plan_the_same_every_run(tmp_path_factory, monkeypatch):
    """With two workers, small models are solved two at a time from the same plan; the groups
    share no occurrence, constraint, venue or person, and the plan put together from both is
    valid, better than by hand, and the same on every run. (More countries than the busy
    scenario, and neighbourhoods of a few occurrences: else any two share a venue or an officer.)"""
    scenario = write(replace(SIZE, occurrences=48, people=160, countries=8), tmp_path_factory.mktemp("apart"))
    monkeypatch.setattr(neighbourhood, "LARGE", 0)
    monkeypatch.setattr(neighbourhood, "SIZES", {True: ((1, 3), (2, 6))})
    together = []
    solve_groups = Neighbourhoods._solve

    def watched(self, groups, deadline, interrupt):
        if len(groups) == 2:
            first, second = groups
            assert not set(first) & set(second)
            assert not {q for o in first for q in self.pieces.links[o]} & set(second)
            assert not {c for o in first for c in self.pieces.no_overlaps(o)} & {
                c for o in second for c in self.pieces.no_overlaps(o)
            }
        together.append(len(groups))
        return solve_groups(self, groups, deadline, interrupt)

    monkeypatch.setattr(Neighbourhoods, "_solve", watched)
    runs = []
    for _ in range(2):
        pm, stages, solved = by_hand_start(scenario)
        search = Neighbourhoods(pm, stages, solved, workers=2)
        by_hand = search.objective()
        values = search.run(deadline=None)
        assert search.objective() < by_hand
        plan = to_dict(to_plan(pm, {n: values[v.index] for n, v in variables(pm)}, "FEASIBLE", 0.0, 0, 1))
        assert check_plan(scenario, plan) == []
        runs.append(values)
    assert runs[0] == runs[1]
    assert 2 in together, "never two neighbourhoods at once: the test shows nothing"


def test_neighbourhoods_are_deterministic(scenario):
    runs = []
    for _ in range(2):
        pm, stages, solved = by_hand_start(scenario)
        runs.append(Neighbourhoods(pm, stages, solved).run(deadline=None))
    assert runs[0] == runs[1]


def test_floors_are_never_beyond_the_optimum(scenario, optimum):
    _pm, stages, _solved = by_hand_start(scenario)
    for stage in stages:
        if stage.maximize:
            assert stage.floor >= optimum[stage.name]
        else:
            assert stage.floor <= optimum[stage.name]


def test_a_plan_at_its_floors_is_proven_without_search(scenario):
    pm, stages, solved = by_hand_start(scenario)
    assert not at_floors(stages, solved.value)  # the plan by hand is not that good
    search = Neighbourhoods(pm, stages, solved)
    search.run(deadline=None)
    reached = at_floors(stages, search.value)
    assert reached == all(search.value(s.expr) == s.floor for s in stages)


def test_ejection_moves_improve_the_plan_by_hand_and_keep_it_valid(scenario):
    from scheduler.search.ejection import Ejection
    from scheduler.search.warmstart import decisions

    instance = Instance(load(scenario))
    fit = FirstFit(instance, Policy(venue="total", people="cheapest"))
    fit.run()
    search = Ejection(fit)
    shortfall = [sum(search.shortfall(o)[1:]) for o in instance.occurrences]
    before = sum(sum(p.cost.values()) for p in fit.placed.values())
    assert search.run(rounds=8) > 0
    after = sum(sum(p.cost.values()) for p in fit.placed.values())
    assert after < before and len(fit.placed) == len(instance.occurrences)
    assert sum(sum(search.shortfall(o)[1:]) for o in instance.occurrences) < sum(shortfall)
    pm = PlanModel(instance)
    plan = to_dict(to_plan(pm, decisions(pm, fit.placed), "FEASIBLE", 0.0, 0, 1))
    assert check_plan(scenario, plan) == []
    again = FirstFit(Instance(load(scenario)), Policy(venue="total", people="cheapest"))
    again.run()
    Ejection(again).run(rounds=8)
    assert again.placed == fit.placed


def test_with_the_published_plan_first_fit_keeps_what_still_fits(scenario, tmp_path):
    """Re-planning (--previous): first fit starts from the published placements that every rule
    still allows, so the first plan changes only what must change."""
    from scheduler.search.firstplan import first_fit

    published = solve(Instance(load(scenario)), SolveOptions(workers=1))
    same = first_fit(Instance(load(scenario)), SolveOptions(workers=1, previous=published), time.monotonic())
    assert same.pinned == {o.id for o in published.scheduled}
    for o in published.scheduled:
        kept = same.placed[o.id]
        assert same.inst.date(kept.start) == o.start and kept.venue == o.venue
        assert set(kept.people(same.inst.by_id[o.id])) == {a.person for a in o.attendees}
    # One officer of one published occurrence is now on leave over its dates.
    victim = next(o for o in published.scheduled if any(a.person.count("-") for a in o.attendees))
    person = victim.attendees[-1].person
    text = scenario.read_text(encoding="utf-8")
    marker = f'id = "{person}"\n'
    assert marker in text
    leave = f'unavailable = ["{victim.start.isoformat()}/{victim.end.isoformat()}"]\n'
    changed = tmp_path / "scenario.toml"
    for extra in scenario.parent.iterdir():
        if extra.is_dir():
            (tmp_path / extra.name).symlink_to(extra)
    block = text.split(marker, 1)
    after = block[1].replace("unavailable = [", "unavailable = [" + leave.split("[", 1)[1].rstrip("]\n") + ", ", 1)
    if "unavailable = [" not in block[1].split("[[", 1)[0]:
        after = leave + block[1]
    changed.write_text(block[0] + marker + after, encoding="utf-8")
    fit = first_fit(Instance(load(changed)), SolveOptions(workers=1, previous=published), time.monotonic())
    moved = {o.id for o in published.scheduled} - fit.pinned
    assert victim.id in moved
    assert len(moved) <= 3  # the victim, and at most a series neighbour or two that depend on it
