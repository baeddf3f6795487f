"""Rule 6, team load."""

from __future__ import annotations

from scheduler.model.instance import TRAVEL_PAD
from scheduler.model.planmodel import PlanModel


def add(pm: PlanModel) -> None:
    """Hard constraint: with ``max_concurrent_events``, at most that many occurrences share a day."""
    m, inst = pm.model, pm.instance
    limit = inst.project.max_concurrent_events
    if limit is None or limit >= len(inst.occurrences):
        return
    intervals = []
    for o in inst.occurrences:
        with pm.owned(o.id):
            load = pm.interval(pm.start[o.id], 0, o.duration, pm.scheduled[o.id], f"load_{o.id}")
        intervals.append(load)
    if not pm.guards.enabled:
        m.add_cumulative(intervals, [1] * len(intervals), limit)
        return
    # Explaining: switched off by a guard, whose interval fills what the limit leaves.
    n = len(intervals)
    (guard,) = pm.guard("team_load")
    blocker = m.new_optional_fixed_size_interval_var(-TRAVEL_PAD, inst.horizon + 2 * TRAVEL_PAD, guard, "load_guard")
    m.add_cumulative([*intervals, blocker], [1] * n + [n - limit], n)
