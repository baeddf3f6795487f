"""Rule 2, event days."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.model.planmodel import PlanModel
from scheduler.model.rules.explained import forbid_causes


def add(pm: PlanModel) -> None:
    """Hard constraint: every event day is a working day of the project, not a public holiday of
    the venue's country and not a day the venue is unavailable.

    Held at a venue, an occurrence's start lies in the domain of the starts whose days are all
    usable there (``Instance.event_day_starts``); explaining, one constraint per cause."""
    m, inst = pm.model, pm.instance
    domains: dict[tuple[int, ...], cp_model.Domain] = {}
    for o in inst.occurrences:
        with pm.owned(o.id):
            for v in o.event.venues:
                if pm.guards.enabled:
                    forbid_causes(pm, o, inst.venue_blocked[v].causes, 0, o.duration - 1, pm.at[o.id][v])
                    continue
                starts = inst.event_day_starts(o, v)
                if not starts:
                    m.add(pm.at[o.id][v] == 0)
                    continue
                domain = domains.get(starts) or domains.setdefault(starts, cp_model.Domain.from_values(starts))
                m.add_linear_expression_in_domain(pm.start[o.id], domain).only_enforce_if(pm.at[o.id][v])
