"""Rule 9, required."""

from __future__ import annotations

from scheduler.model.planmodel import PlanModel


def add(pm: PlanModel) -> None:
    """Hard constraint: every occurrence of an event with ``optional = false`` is scheduled."""
    m, inst = pm.model, pm.instance
    for o in inst.occurrences:
        with pm.owned(o.id):
            if not o.event.optional:
                m.add(pm.scheduled[o.id] == 1).only_enforce_if(pm.guard("required", o.event.id))
