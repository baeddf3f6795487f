"""Rule 1, horizon and window."""

from __future__ import annotations

from scheduler.model.planmodel import PlanModel


def add(pm: PlanModel) -> None:
    """Hard constraint: every scheduled occurrence lies inside the horizon and its event's window."""
    m, inst = pm.model, pm.instance
    for o in inst.occurrences:
        with pm.owned(o.id):
            first, last = inst.window_starts(o)
            guard = pm.guard("window", o.event.id)
            if last < first:
                m.add(pm.scheduled[o.id] == 0).only_enforce_if(guard)
            else:
                m.add_linear_constraint(pm.start[o.id], first, last).only_enforce_if(pm.scheduled[o.id], *guard)
