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

A tie-breaker comes last, after the days outside preferred ranges (so that it changes none of the
spec's four objectives): the published details that change, counted one by one (a start day, a
venue, each seat holder taken off). Without it, an occurrence that has to change anyway (one
officer on leave) could swap other seat holders, or move its dates, at no cost in the objective,
and people who need not be told would be.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.model.instance import Occurrence
from scheduler.model.planmodel import PlanModel
from scheduler.plan import Plan, PlannedOccurrence


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
        with pm.owned(occurrence.id):
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
    same_start = _same_start(pm, o, day)
    # The venue literal implies "scheduled"; the seat holders complete the set (its size is fixed).
    return [same_start, pm.at[o.id][before.venue], *(pm.attends[o.id][p] for p in sorted(seated))]


def published_details_changed(pm: PlanModel, previous: Plan) -> tuple[cp_model.LinearExprT, int]:
    """The tie-breaker (see the module docstring): per published occurrence still in the scenario,
    one for another start day, one for another venue, one per published seat holder who no longer
    holds a seat; and its largest value."""
    inst = pm.instance
    terms, constant = [], 0
    for before in sorted(previous.scheduled, key=lambda o: o.id):
        o = inst.by_id.get(before.id)
        if o is None:
            continue
        day = inst.day(before.start)
        if 0 <= day <= inst.horizon - o.duration:
            terms.append(_same_start(pm, o, day))
        else:
            constant += 1
        if before.venue in pm.at[o.id]:
            terms.append(pm.at[o.id][before.venue])
        else:
            constant += 1
        for person in sorted({a.person for a in before.attendees} - set(o.fixed)):
            if person in pm.attends[o.id]:
                terms.append(pm.attends[o.id][person])
            else:
                constant += 1
    bound = constant + len(terms)
    return (bound - sum(terms) if terms else bound), bound


def _same_start(pm: PlanModel, o: Occurrence, day: int) -> cp_model.IntVar:
    """The literal "o starts on ``day``", made once per model (both stages use it)."""

    def make():
        with pm.owned(o.id):
            same = pm.model.new_bool_var(f"same_start_{o.id}")
            pm.model.add(pm.start[o.id] == day).only_enforce_if(same)
            pm.model.add(pm.start[o.id] != day).only_enforce_if(~same)
        return same

    return pm.remembered(("same_start", o.id, day), make)


def held_as_published(inst, o: Occurrence, held, before: PlannedOccurrence) -> bool:
    """Whether the search holds ``o`` exactly as published: the same start, venue and people
    (``held`` is an ``objectives.Held``)."""
    return (inst.date(held.start), held.venue, set(held.people)) == (
        before.start,
        before.venue,
        {a.person for a in before.attendees},
    )


def details_changed(inst, o: Occurrence, held, before: PlannedOccurrence) -> int:
    """The tie-breaker's count for one occurrence as the search holds it (None: left out), as
    ``published_details_changed`` counts it in the model: another start day, another venue, each
    published seat holder who no longer holds a seat."""
    start = held.start if held is not None else 0
    changed = int(start != inst.day(before.start))
    changed += int(held is None or held.venue != before.venue)
    people = held.people if held is not None else ()
    return changed + sum(1 for p in {a.person for a in before.attendees} - set(o.fixed) if p not in people)
