"""Rule variants for explaining infeasibility: the same rules as ``scheduler.model.rules``, cut
finer, so that each cause a coordinator can act on has its own assumption literal.

Event days and away days are constrained once per cause (the project's working days, one public
holiday, one venue closure, one person's leave…) instead of once per venue or person; the
"one at a time" resources (a person's away days, a venue's days, the team's load) become
cumulative constraints with a guard interval, so they too can be switched off one by one.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.model.instance import TRAVEL_PAD
from scheduler.model.planmodel import PlanModel
from scheduler.solver import rules

WIDEN_LIMIT = 365  # the largest widening of a window that explanations try


def add_event_days(pm: PlanModel) -> None:
    """Hard constraint (rule 2), one guarded constraint per cause of blocked days at each venue."""
    inst = pm.instance
    for o in inst.occurrences:
        first, last = inst.window_starts(o)
        for v in o.event.venues:
            for cause, days in sorted(inst.venue_blocked[v].causes.items(), key=lambda item: str(item[0])):
                _forbid(pm, o, cause, days, 0, o.duration - 1, first, last, pm.at[o.id][v])


def add_attendance_days(pm: PlanModel) -> None:
    """Hard constraint (rule 3), one guarded constraint per cause of a person's blocked days, and
    per person a guarded "away once a day" constraint."""
    m, inst = pm.model, pm.instance
    intervals: dict[str, list] = defaultdict(list)
    for o in inst.occurrences:
        first, last = inst.window_starts(o)
        for p in pm.people_of(o):
            groups: dict[tuple[int, int], list[str]] = defaultdict(list)
            for v in o.event.venues:
                lo, hi = inst.away_offsets(o, p, v)
                groups[(lo, hi)].append(v)
                for cause, days in sorted(inst.person_blocked[p].causes.items(), key=lambda item: str(item[0])):
                    _forbid(pm, o, cause, days, lo, hi, first, last, pm.attend_at(o, p, v))
            for (lo, hi), venues in sorted(groups.items()):
                presence = pm.any_of([pm.attend_at(o, p, v) for v in venues], f"away_{o.id}_{p}_{lo}")
                if len(groups) == 1:
                    presence = pm.attends_literal(o, p)
                interval = m.new_optional_fixed_size_interval_var(
                    pm.start[o.id] + lo, hi - lo + 1, presence, f"away_{o.id}_{p}_{lo}"
                )
                intervals[p].append(interval)
    for p in sorted(intervals):
        if len(intervals[p]) > 1:
            _guarded_disjunctive(pm, intervals[p], pm.guard("overlap", p))


def add_venue(pm: PlanModel) -> None:
    """Hard constraint (rule 5): capacity as in the solver; one guarded "one occurrence a day" per venue."""
    m, inst = pm.model, pm.instance
    intervals: dict[str, list] = defaultdict(list)
    for o in inst.occurrences:
        for v in o.event.venues:
            if o.size > inst.scenario.venues[v].capacity:
                m.add(pm.at[o.id][v] == 0).only_enforce_if(pm.guard("capacity", o.event.id, v))
            intervals[v].append(
                m.new_optional_fixed_size_interval_var(pm.start[o.id], o.duration, pm.at[o.id][v], f"venue_{o.id}_{v}")
            )
    for v in sorted(intervals):
        if len(intervals[v]) > 1:
            _guarded_disjunctive(pm, intervals[v], pm.guard("venue_overlap", v))


def add_team_load(pm: PlanModel) -> None:
    """Hard constraint (rule 6) with one guard."""
    m, inst = pm.model, pm.instance
    limit = inst.project.max_concurrent_events
    if limit is None or limit >= len(inst.occurrences):
        return
    n = len(inst.occurrences)
    intervals = [
        m.new_optional_fixed_size_interval_var(pm.start[o.id], o.duration, pm.scheduled[o.id], f"load_{o.id}")
        for o in inst.occurrences
    ]
    (guard,) = pm.guard("team_load")
    blocker = m.new_optional_fixed_size_interval_var(-TRAVEL_PAD, inst.horizon + 2 * TRAVEL_PAD, guard, "load_guard")
    m.add_cumulative([*intervals, blocker], [1] * n + [n - limit], n)


def _guarded_disjunctive(pm: PlanModel, intervals: list, guard: list) -> None:
    """At most one interval at a time while ``guard`` holds: a cumulative of capacity 2 in which a
    horizon-long interval, present with the guard, takes one unit."""
    m, inst = pm.model, pm.instance
    blocker = m.new_optional_fixed_size_interval_var(
        -TRAVEL_PAD, inst.horizon + 2 * TRAVEL_PAD, guard[0], f"guard_interval_{guard[0].index}"
    )
    m.add_cumulative([*intervals, blocker], [1] * (len(intervals) + 1), 2)


def _forbid(
    pm: PlanModel, o, cause: tuple, days: dict[int, str], lo: int, hi: int, first: int, last: int, literal
) -> None:
    """Forbid the start days whose span [start+lo, start+hi] meets one of ``days``."""
    if last < first:
        return
    # Also the days a widened window could reach (the suggestions try up to WIDEN_LIMIT days).
    low, high = first - WIDEN_LIMIT + lo, last + WIDEN_LIMIT + hi
    forbidden = sorted({(d - hi, d - lo) for d in days if low <= d <= high})
    if not forbidden:
        return
    domain = cp_model.Domain.from_intervals([list(span) for span in forbidden]).complement()
    pm.model.add_linear_expression_in_domain(pm.start[o.id], domain).only_enforce_if(literal, *pm.guard(*cause))


EXPLAIN_RULES = tuple(
    (
        name,
        {
            "event_days": add_event_days,
            "attendance_days": add_attendance_days,
            "venue": add_venue,
            "team_load": add_team_load,
        }.get(name, add),
    )
    for name, add in rules.RULES
)
