"""Rule 7, order."""

from __future__ import annotations

from scheduler.model.planmodel import PlanModel


def add(pm: PlanModel) -> None:
    """Hard constraint: an event with ``after = [{event = O, …}]`` starts after every occurrence of
    O ends, with the gap between min_gap_days and max_gap_days; it is scheduled only if O is."""
    m, inst = pm.model, pm.instance
    for event in inst.scenario.events.values():
        for order in event.after:
            before = inst.by_event[order.event]
            guard = pm.guard("order", event.id, order.event)
            for o in inst.by_event[event.id]:
                with pm.owned(o.id, before[0].id):
                    m.add_implication(pm.scheduled[o.id], pm.scheduled[before[0].id]).only_enforce_if(guard)
                for b in before:
                    with pm.owned(o.id, b.id):
                        gap = pm.start[o.id] - (pm.start[b.id] + b.duration - 1) - 1
                        both = [pm.scheduled[o.id], pm.scheduled[b.id], *guard]
                        m.add(gap >= order.min_gap_days).only_enforce_if(both)
                        if order.max_gap_days is not None:
                            m.add(gap <= order.max_gap_days).only_enforce_if(both)
