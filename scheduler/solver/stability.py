"""Soft constraint: keep what was published (``--previous``), the objective's second stage.

Participants have booked travel and leave around the published plan, so a re-plan should move as
little as it can after the priorities are served, and only then look at the cost. Counted: each
occurrence scheduled in the previous plan that is dropped, or is held on another start day, at
another venue, or with another set of attendees.

Per published occurrence, one literal ``kept`` is reified as "scheduled with the same start, at
the same venue, and every published seat holder attends it"; together with the occurrence's fixed
size (named attendees plus the seats, each filled exactly) that is "exactly the same attendees".
An occurrence that cannot be kept at all counts as a constant 1: its id is gone from the
scenario, its duration or its named attendees changed, its venue is no longer a candidate, a
published seat holder is no longer a candidate, or its start lies outside the horizon.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.instance import Occurrence
from scheduler.plan import Plan, PlannedOccurrence
from scheduler.solver.model import PlanModel


def published_changes(pm: PlanModel, previous: Plan) -> tuple[cp_model.LinearExprT, int]:
    """The number of published occurrences changed, as a linear expression, and its largest value."""
    unavoidable = 0
    kept = []
    for before in sorted(previous.scheduled, key=lambda o: o.id):
        occurrence = pm.instance.by_id.get(before.id)
        conditions = _same_as_published(pm, occurrence, before) if occurrence is not None else None
        if conditions is None:
            unavoidable += 1
            continue
        keep = pm.model.new_bool_var(f"kept_{before.id}")
        pm.model.add_bool_and(conditions).only_enforce_if(keep)
        pm.model.add_bool_or([~c for c in conditions] + [keep])
        kept.append(keep)
    bound = unavoidable + len(kept)
    return bound - sum(kept) if kept else bound, bound


def _same_as_published(pm: PlanModel, o: Occurrence, before: PlannedOccurrence) -> list | None:
    """The literals that together say "o is as published"; ``None`` where it cannot be."""
    inst = pm.instance
    if (before.end - before.start).days + 1 != o.duration or before.venue not in pm.at[o.id]:
        return None
    day = inst.day(before.start)
    if not 0 <= day <= inst.horizon - o.duration:
        return None
    people = {a.person for a in before.attendees}
    seated = people - set(o.fixed)
    if len(people) != o.size or not set(o.fixed) <= people or not seated <= set(pm.attends[o.id]):
        return None
    same_start = pm.model.new_bool_var(f"same_start_{o.id}")
    pm.model.add(pm.start[o.id] == day).only_enforce_if(same_start)
    pm.model.add(pm.start[o.id] != day).only_enforce_if(~same_start)
    # The venue literal implies "scheduled"; the seat holders complete the set (its size is fixed).
    return [same_start, pm.at[o.id][before.venue], *(pm.attends[o.id][p] for p in sorted(seated))]
