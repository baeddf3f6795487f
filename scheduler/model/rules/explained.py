"""How a rule is cut finer for ``explain``: one guard per cause a coordinator can act on.

Solving, a rule holds its constraints in the form CP-SAT solves fastest (a domain of start days
per venue, a no-overlap per person). Explaining, each cause of blocked days (one holiday, one
closure, one person's leave) needs an assumption literal of its own, and the "one at a time"
resources must be switched off one by one; the rules use these helpers where
``pm.guards.enabled``.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.model.instance import TRAVEL_PAD
from scheduler.model.planmodel import PlanModel

WIDEN_LIMIT = 365  # the largest widening of a window that explanations try


def forbid_causes(pm: PlanModel, o, causes: dict, lo: int, hi: int, literal) -> None:
    """For each cause of blocked days, one guarded constraint keeping the span
    [start + lo, start + hi] of ``o`` off those days while ``literal`` holds."""
    first, last = pm.instance.window_starts(o)
    for cause, days in sorted(causes.items(), key=lambda item: str(item[0])):
        forbid(pm, o, cause, days, lo, hi, first, last, literal)


def forbid(pm: PlanModel, o, cause: tuple, days: dict[int, str], lo: int, hi: int, first: int, last: int, literal):
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


def one_at_a_time(pm: PlanModel, intervals: list, guard: list) -> None:
    """At most one interval at a time while ``guard`` holds: a cumulative of capacity 2 in which a
    horizon-long interval, present with the guard, takes one unit."""
    m, inst = pm.model, pm.instance
    blocker = m.new_optional_fixed_size_interval_var(
        -TRAVEL_PAD, inst.horizon + 2 * TRAVEL_PAD, guard[0], f"guard_interval_{guard[0].index}"
    )
    m.add_cumulative([*intervals, blocker], [1] * (len(intervals) + 1), 2)
