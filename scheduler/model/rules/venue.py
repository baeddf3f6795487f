"""Rule 5, venue."""

from __future__ import annotations

from collections import defaultdict

from scheduler.model.planmodel import PlanModel
from scheduler.model.rules.explained import one_at_a_time


def add(pm: PlanModel) -> None:
    """Hard constraint: at most one occurrence per venue per day, and no more attendees than seats."""
    m, inst = pm.model, pm.instance
    intervals: dict[str, list] = defaultdict(list)
    for o in inst.occurrences:
        with pm.owned(o.id):
            for v in o.event.venues:
                capacity = inst.scenario.venues[v].capacity
                if o.size > capacity:
                    m.add(pm.at[o.id][v] == 0).only_enforce_if(pm.guard("capacity", o.event.id, v))
                intervals[v].append(pm.interval(pm.start[o.id], 0, o.duration, pm.at[o.id][v], f"venue_{o.id}_{v}"))
    for v in sorted(intervals):
        if len(intervals[v]) < 2:
            continue
        if pm.guards.enabled:
            one_at_a_time(pm, intervals[v], pm.guard("venue_overlap", v))
        else:
            m.add_no_overlap(intervals[v])
