"""Generated scenarios: every plan passes the independent checker, and on tiny ones the plan is
proven optimal by exhaustive search.

For validity, small scenarios of every feature (seats, series, order, caps, calendars) are solved
and checked. For optimality, every plan of a scenario of up to three one- or two-day events in one
month can be listed: each occurrence is left out or placed on one start day at one venue (the
attendees are fixed: no seats). The objective is a sum over occurrences (priority, cost, days outside ``preferred``), so
the candidates are sorted by it and the first one the independent checker accepts is the best.
The solver must reach exactly that objective, and must call a scenario infeasible only when no
candidate is valid.
"""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.checker_world import each_day, occurrence_cost, read_world
from tests.support.plan_checker import RULE_CHECKS, check_plan, rule_violations
from tests.support.scenarios import event, person, scenario, venue

MARCH = dt.date(2024, 3, 1)


@st.composite
def tiny_scenarios(draw) -> str:
    venues = [
        venue(
            "ro-hall",
            "bucharest",
            cost_per_day=draw(st.sampled_from([0, 100])),
            capacity=draw(st.integers(1, 3)),
            unavailable=draw(st.sampled_from([[], ["2024-03-11/2024-03-13"]])),
        ),
        venue("md-hall", "chisinau", cost_per_day=draw(st.sampled_from([0, 150, 400]))),
    ]
    people = [
        person("md-1", "chisinau", unavailable=draw(st.sampled_from([[], ["2024-03-05/2024-03-07"]]))),
        person("ro-1", "bucharest"),
        person("rs-1", "belgrade", funded=draw(st.booleans())),
    ]
    events = []
    for i in range(draw(st.integers(1, 3))):
        duration = draw(st.integers(1, 2))
        first = MARCH + dt.timedelta(days=draw(st.integers(0, 22)))
        last = first + dt.timedelta(days=duration - 1 + draw(st.integers(0, 6)))
        fields = {
            "duration_days": duration,
            "window": f"{first}/{last}",
            "attendees": draw(st.lists(st.sampled_from(["md-1", "ro-1", "rs-1"]), max_size=2, unique=True)),
            "optional": draw(st.sampled_from([False, True, True])),
        }
        if fields["optional"]:
            fields["priority"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            fields["preferred"] = [f"{first + dt.timedelta(days=draw(st.integers(0, (last - first).days)))}"]
        if draw(st.booleans()):
            fields["costs"] = {"catering": draw(st.integers(0, 300))}
        if events and draw(st.booleans()):
            order = {"event": draw(st.sampled_from([e["id"] for e in events])), "min_gap_days": draw(st.integers(0, 3))}
            if draw(st.booleans()):
                order["max_gap_days"] = order["min_gap_days"] + draw(st.integers(0, 10))
            fields["after"] = [order]
        chosen = draw(st.lists(st.sampled_from(["ro-hall", "md-hall"]), min_size=1, max_size=2, unique=True))
        events.append(event(f"e{i}", chosen, **fields))
    project = {"start": MARCH, "end": dt.date(2024, 3, 31)}
    if draw(st.booleans()):
        project["days_of_week"] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    if draw(st.booleans()):
        project["max_concurrent_events"] = 1
    if draw(st.booleans()):
        project["avoid_attendee_holidays"] = True  # 8 March is a public holiday in Moldova
    budget = {"total": draw(st.integers(300, 3000))}
    if draw(st.booleans()):
        budget["categories"] = {"travel": draw(st.sampled_from([0, 211, 500]))}
    return scenario(project=project, budget=budget, venues=venues, people=people, events=events)


def fixed_attendees(world, event_id: str) -> list[str]:
    return list(dict.fromkeys(world.events[event_id]["attendees"]))


def options(world, event_id: str, index: int):
    """Every way to hold one occurrence that passes the rules about it alone, with its share of
    the objective (priority, cost in cents, days outside preferred)."""
    e = world.events[event_id]
    oid = f"{event_id}-{index}"
    out = []
    if e["optional"]:
        out.append(({"id": oid, "event": event_id, "index": index, "scheduled": False}, (0, 0, 0)))
    first, last = e["window"]
    first, last = max(first, world.project["start"]), min(last, world.project["end"])
    for start in each_day(first, last):
        end = start + dt.timedelta(days=e["duration"] - 1)
        if end > last:
            break
        for v in e["venues"]:
            place = world.venues[v]["location"]
            attendees = []
            for p in fixed_attendees(world, event_id):
                local = world.people[p]["home"] == place
                away = (start, end) if local else (start - dt.timedelta(days=e["before"]), end)
                attendees.append({"person": p, "away": [away[0].isoformat(), away[1].isoformat()]})
            item = {
                "id": oid,
                "event": event_id,
                "index": index,
                "scheduled": True,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "venue": v,
                "attendees": attendees,
            }
            alone = {oid: item}
            if any(RULE_CHECKS[r](world, alone, alone) for r in ("horizon_and_window", "event_days", "venue")):
                continue
            if RULE_CHECKS["attendance_days"](world, alone, alone):
                continue
            outside = sum(
                1 for d in each_day(start, end) if e["preferred"] and not any(a <= d <= b for a, b in e["preferred"])
            )
            cost = sum(occurrence_cost(world, event_id, v, [a["person"] for a in attendees]).values())
            out.append((item, (e["priority"] if e["optional"] else 0, cost, outside)))
    return out


def best_objective(world) -> list[int] | None:
    per_occurrence = [options(world, eid, k) for eid, e in world.events.items() for k in range(1, e["count"] + 1)]
    combos = []
    for combo in itertools.product(*per_occurrence):
        priority = sum(share[0] for _, share in combo)
        cost = sum(share[1] for _, share in combo)
        outside = sum(share[2] for _, share in combo)
        combos.append(((-priority, cost, outside), combo))
    combos.sort(key=lambda c: c[0])
    for (neg_priority, cost, outside), combo in combos:
        if not rule_violations(world, {"occurrences": [item for item, _ in combo]}):
            return [-neg_priority, 0, cost, outside]
    return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=tiny_scenarios())
def test_the_solver_finds_the_best_plan(tmp_path_factory, text):
    from scheduler import plan as plan_json
    from scheduler.errors import InfeasibleError
    from scheduler.model.instance import Instance
    from scheduler.scenario.loader import load
    from scheduler.solver import SolveOptions, solve

    path = tmp_path_factory.mktemp("tiny") / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    best = best_objective(read_world(path))
    try:
        plan = plan_json.to_dict(solve(Instance(load(path)), SolveOptions(workers=1)))
    except InfeasibleError:
        assert best is None, f"the solver says infeasible, but {best} is reachable\n\n{text}"
        return
    assert best is not None, f"no valid plan exists, yet the solver returned one\n\n{text}"
    assert plan["solver"]["status"] == "OPTIMAL"
    assert plan["solver"]["objective"] == best, text


# --- generated scenarios ---------------------------------------------------------------------

GENERATED_PEOPLE = [
    person("md-1", "chisinau", roles=["staff"]),
    person("md-2", "chisinau", roles=["staff"], unavailable=["2024-03-11/2024-03-22"]),
    person("rs-1", "belgrade", roles=["staff", "heads"]),
    person("ro-1", "bucharest", roles=["heads"], funded=False),
    person("ge-1", "tbilisi", roles=["staff"]),
]


@st.composite
def generated_scenarios(draw) -> str:
    """Small scenarios of every feature: several venues, windows, preferred ranges, attendees,
    seats, order, series, optional events, extra costs and caps."""
    horizon_start = dt.date(2024, 1, 1)
    venues = [
        venue("ro-hall", "bucharest", capacity=draw(st.integers(2, 40))),
        venue("md-hall", "chisinau", cost_per_day=draw(st.sampled_from([0, 150, 300]))),
        venue("rs-hall", "belgrade", cost_per_day=100, unavailable=["2024-04-01/2024-04-14"]),
    ]
    events = []
    for i in range(draw(st.integers(1, 4))):
        duration = draw(st.integers(1, 3))
        first = horizon_start + dt.timedelta(days=draw(st.integers(0, 100)))
        last = first + dt.timedelta(days=draw(st.integers(duration + 10, 120)))
        fields = {
            "duration_days": duration,
            "travel_days_before": draw(st.integers(0, 2)),
            "travel_days_after": draw(st.integers(0, 1)),
            "window": f"{first}/{last}",
            "attendees": draw(
                st.lists(st.sampled_from(["md-1", "ro-1", "rs-1", "role:heads"]), max_size=2, unique=True)
            ),
            "optional": draw(st.sampled_from([False, True, True])),
        }
        if draw(st.booleans()):
            p_first = first + dt.timedelta(days=draw(st.integers(0, (last - first).days)))
            fields["preferred"] = [f"{p_first}/{min(last, p_first + dt.timedelta(days=6))}"]
        if fields["optional"]:
            fields["priority"] = draw(st.integers(1, 3))
        seat = draw(
            st.sampled_from(
                [None, {"role": "staff", "count": 1}, {"role": "staff", "per_country": 1, "countries": ["MD", "GE"]}]
            )
        )
        if seat:
            fields["seats"] = [seat]
        if events and draw(st.booleans()):
            gap = {"event": draw(st.sampled_from([e["id"] for e in events])), "min_gap_days": draw(st.integers(0, 10))}
            if draw(st.booleans()):
                gap["max_gap_days"] = gap["min_gap_days"] + draw(st.integers(0, 60))
            fields["after"] = [gap]
        if draw(st.booleans()):
            fields["repeat"] = {
                "count": 2,
                "every_months": draw(st.integers(1, 2)),
                "tolerance_days": draw(st.integers(2, 14)),
            }
        if draw(st.booleans()):
            fields["costs"] = {"catering": draw(st.integers(0, 500))}
        chosen = draw(st.lists(st.sampled_from([v["id"] for v in venues]), min_size=1, max_size=3, unique=True))
        events.append(event(f"e{i}", chosen, **fields))
    project = {"end": dt.date(2024, 9, 30)}
    if draw(st.booleans()):
        project["max_concurrent_events"] = 1
    if draw(st.booleans()):
        project["avoid_attendee_holidays"] = True
    budget = {"total": draw(st.integers(1000, 20000))}
    if draw(st.booleans()):
        budget["categories"] = {"travel": draw(st.integers(0, 2000))}
    return scenario(project=project, budget=budget, venues=venues, people=GENERATED_PEOPLE, events=events)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=generated_scenarios())
def test_generated_scenarios_obey_every_rule(tmp_path_factory, text):
    """Whatever the scenario, a plan the solver returns passes the independent checker."""
    from scheduler import plan as plan_json
    from scheduler.errors import InfeasibleError
    from scheduler.model.instance import Instance
    from scheduler.scenario.loader import load
    from scheduler.solver import SolveOptions, solve

    path = tmp_path_factory.mktemp("generated") / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    try:
        plan = plan_json.to_dict(solve(Instance(load(path)), SolveOptions(workers=1, time_limit=20)))
    except InfeasibleError:
        return  # a required event that cannot fit; the scenario is honest about it
    violations = check_plan(path, plan)
    assert violations == [], "\n".join(violations) + "\n\n" + text
