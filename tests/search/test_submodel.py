"""Neighbourhood models (scheduler/search/submodel.py) leave out every constraint none of whose
owners is freed. That is sound only if each constraint is tagged with every occurrence whose
variables it uses (``PlanModel.owned``): checked here on the whole model, read back from its proto,
for a generated scenario with series, order, preferred dates, capped years and a published plan.
And a solution of a neighbourhood model, with every other variable at its value, must satisfy
the whole model: checked by CP-SAT on the whole model with every variable fixed, and by the
independent plan checker."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from benchmarks.generate import write  # benchmarks/, on the path through busy_plans
from scheduler.model.instance import Instance
from scheduler.model.mapping import to_plan, variables
from scheduler.model.objectives import objective_stages
from scheduler.model.planmodel import PlanModel
from scheduler.model.rules import add_rules
from scheduler.plan import to_dict
from scheduler.scenario.loader import load
from scheduler.search.neighbourhood import Neighbourhoods, set_complete_hint
from scheduler.search.submodel import Pieces, flatten
from scheduler.solver import SolveOptions, solve
from tests.support.busy_plans import SIZE, by_hand_start
from tests.support.ownership import ownership_problems
from tests.support.plan_checker import check_plan


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    return write(SIZE, tmp_path_factory.mktemp("submodel"))


@pytest.fixture(scope="module")
def published(scenario):
    """A published plan to re-plan against (the stability stages make variables of their own)."""
    return solve(Instance(load(scenario)), SolveOptions(workers=1, time_limit=20))


@pytest.mark.parametrize("replan", [False, True], ids=["plan", "re-plan"])
def test_every_constraint_is_tagged_with_the_owners_of_its_variables(scenario, published, replan):
    pm = PlanModel(Instance(load(scenario)))
    add_rules(pm)
    objective_stages(pm, published if replan else None)
    assert ownership_problems(pm) == []
    proto = pm.model.proto
    tagged = {c for _v0, _v1, c0, c1, _owners in pm.spans for c in range(c0, c1)}
    shared = len(proto.constraints) - len(tagged)
    assert shared < len(proto.constraints) / 5


def test_the_intervals_shapes_kept_by_the_model_are_those_its_proto_holds(scenario):
    """``Pieces`` takes each interval's shape from ``PlanModel.interval_shapes`` instead of reading
    the proto: they must agree for every interval the rules make (fixed blocked days, away days with
    travel, venue days, the team's load)."""
    pm = PlanModel(Instance(load(scenario)))
    add_rules(pm)
    reader = Pieces.__new__(Pieces)  # only its proto reading: no plan needed
    reader.proto, reader._shapes = pm.model.proto, {}
    intervals = [c for c, ct in enumerate(pm.model.proto.constraints) if ct.has_interval()]
    assert sorted(pm.interval_shapes) == intervals
    assert all(pm.interval_shapes[i] == reader.shape(i) for i in intervals)
    kinds = {(shape[0] is None, bool(shape[1]), shape[3] != 0) for shape in pm.interval_shapes.values()}
    assert {(True, False, True), (False, True, True), (False, True, False)} <= kinds


def test_a_neighbourhood_solution_is_a_plan_of_the_whole_model(scenario):
    pm, stages, solved = by_hand_start(scenario)
    instance = pm.instance
    search = Neighbourhoods(pm, stages, solved)
    values = list(search.values)
    pieces = Pieces(pm, values)
    occurrences = [o.id for o in instance.occurrences]
    rng = random.Random(3)
    improved = 0
    for _ in range(6):
        free = sorted(rng.sample(occurrences, 12))
        small = pieces.model(free)
        assert len(small.model.proto.constraints) < len(pm.model.proto.constraints)
        assert len(small.originals) < len(pm.model.proto.variables) / 2
        small.minimize(flatten(search._local_objective(free)))
        small.hint(values)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = 5.0
        assert solver.solve(small.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        new = small.merged(values, solver.response_proto.solution)
        freed = {i for oid in free for i in pieces.variables[oid]}
        assert all(new[i] == values[i] for i in range(len(values)) if i not in freed)
        improved += new != values
        # The whole model, every variable fixed to the merged values: still satisfied.
        whole = pm.model.clone()
        set_complete_hint(whole, new)
        check = cp_model.CpSolver()
        check.parameters.fix_variables_to_their_hinted_value = True
        check.parameters.num_workers = 1
        whole.clear_objective()
        assert check.solve(whole) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        plan = to_plan(pm, {n: new[v.index] for n, v in variables(pm)}, "FEASIBLE", 0.0, 0, 1)
        assert check_plan(scenario, to_dict(plan)) == []
        values = new
        pieces.update(free, values)
    assert improved, "no neighbourhood changed the plan by hand: the test shows nothing"


def test_a_neighbourhood_keeps_exactly_the_intervals_present_on_days_it_can_reach(scenario):
    """``Pieces._near`` (intervals by first day, remembered per no-overlap until one of its
    occurrences changes) against reading every interval of every shared no-overlap and cumulative,
    for neighbourhoods before and after the plan changes."""
    pm, _stages, solved = by_hand_start(scenario)
    values = list(solved.response_proto.solution)
    pieces = Pieces(pm, values)
    occurrences = [o.id for o in pm.instance.occurrences]
    rng = random.Random(5)

    def plainly(c, kept, reach):
        out = []
        for k, i in enumerate(pieces._intervals(c)):
            days = pieces._now(i)
            if i in kept or (days is not None and any(lo <= days[1] and days[0] <= hi for lo, hi in reach)):
                out.append((k, i))
        return out

    checked = 0
    for _round in range(6):
        for _ in range(5):
            free = rng.sample(occurrences, 3)
            kept = {c for oid in free for c in pieces.constraints[oid]}
            reach = pieces._reach(free)
            for c in sorted({c for oid in free for c in pieces.scheduling[oid]}):
                near = pieces._near(c, kept, reach)
                assert near == plainly(c, kept, reach)
                checked += len(near) < len(pieces._intervals(c))
        # Move one occurrence by a day where the model allows it, as a neighbourhood would.
        oid = rng.choice(occurrences)
        start = pm.start[oid].index
        if values[pm.scheduled[oid].index]:
            values = list(values)
            values[start] += 1
            pieces.update([oid], values)
    assert checked, "no interval was ever left out: the test shows nothing"


def test_a_neighbourhood_keeps_the_team_load_on_every_day_it_can_reach(scenario):
    """The team's load (a cumulative over every occurrence) is rebuilt with the freed
    occurrences' intervals and, for the others, one constant interval per step of their load: on
    every day a freed occurrence can reach, the load of the current plan read from the small
    model is the load read from the whole model, and the capacity is the same."""
    pm, _stages, solved = by_hand_start(scenario)
    instance = pm.instance
    assert instance.project.max_concurrent_events is not None
    values = list(solved.response_proto.solution)
    pieces = Pieces(pm, values)
    (whole,) = [ct.cumulative for ct in pm.model.proto.constraints if ct.has_cumulative()]
    free = [instance.occurrences[0].id, instance.occurrences[len(instance.occurrences) // 2].id]
    small = pieces.model(free)
    (kept,) = [ct.cumulative for ct in small.model.proto.constraints if ct.has_cumulative()]
    small_values = [values[v] for v in small.originals]

    def evaluated(expr, vals) -> int:
        return expr.offset + sum(c * vals[v] for v, c in zip(expr.vars, expr.coeffs, strict=True))

    def daily_load(proto, cumulative, vals) -> dict[int, int]:
        out: dict[int, int] = {}
        for i, demand in zip(cumulative.intervals, cumulative.demands, strict=True):
            interval = proto.constraints[i]
            if not all(vals[x] if x >= 0 else not vals[-x - 1] for x in interval.enforcement_literal):
                continue
            start = evaluated(interval.interval.start, vals)
            for day in range(start, start + evaluated(interval.interval.size, vals)):
                out[day] = out.get(day, 0) + evaluated(demand, vals)
        return out

    assert evaluated(kept.capacity, small_values) == evaluated(whole.capacity, values)
    assert len(kept.intervals) < len(whole.intervals)
    before = daily_load(pm.model.proto, whole, values)
    after = daily_load(small.model.proto, kept, small_values)
    days = [d for lo, hi in pieces._reach(free) for d in range(lo, hi + 1)]
    assert any(before.get(d, 0) for d in days), "no load where the freed occurrences can be: the test shows nothing"
    assert [after.get(d, 0) for d in days] == [before.get(d, 0) for d in days]


def test_a_solution_found_beside_another_is_refused_where_the_plan_with_both_breaks_a_shared_rule(scenario):
    """Neighbourhoods solved at the same time share no venue, person or constraint, but all share
    the team's load and the budget caps: ``Pieces.compatible`` lets a solution in only where the
    plan with it keeps them."""
    pm, _stages, solved = by_hand_start(scenario)
    instance = pm.instance
    limit = instance.project.max_concurrent_events
    values = list(solved.response_proto.solution)
    pieces = Pieces(pm, values)
    load: dict[int, int] = {}
    for o in instance.occurrences:
        if values[pm.scheduled[o.id].index]:
            for day in range(values[pm.start[o.id].index], values[pm.start[o.id].index] + o.duration):
                load[day] = load.get(day, 0) + 1
    full = min(day for day, n in load.items() if n == limit)
    moved = next(
        o
        for o in instance.occurrences
        if values[pm.scheduled[o.id].index]
        and not values[pm.start[o.id].index] <= full < values[pm.start[o.id].index] + o.duration
    )
    assert pieces.compatible([moved.id], values)
    crowded = list(values)
    crowded[pm.start[moved.id].index] = full
    assert not pieces.compatible([moved.id], crowded)
    assert pieces._sums, "no budget cap in the scenario: the test shows nothing"
    shared = next(iter(pieces._sums.values()))
    shared.domain = [shared.domain[0], shared.total - 1]
    assert not pieces.compatible([moved.id], values)
