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
    key = ("same_start", o.id, day)
    if key not in pm._or_cache:
        with pm.owned(o.id):
            same = pm.model.new_bool_var(f"same_start_{o.id}")
            pm.model.add(pm.start[o.id] == day).only_enforce_if(same)
            pm.model.add(pm.start[o.id] != day).only_enforce_if(~same)
        pm._or_cache[key] = same
    return pm._or_cache[key]


def seed_published(fit, previous: Plan) -> None:
    """Place each published occurrence where it was (day, venue, the same people) before first
    fit plans the rest, wherever every rule still allows it, and pin it there: the first plan
    then changes only what must change, as the objective's second stage wants, and the moves
    that follow (``FirstFit.improve``, ``ejection.py``) leave it alone."""
    inst = fit.inst
    published = {o.id: o for o in previous.scheduled}
    for event_id in fit._event_order():
        for o in inst.by_event[event_id]:
            before = published.get(o.id)
            placement = _as_published(fit, o, before) if before is not None else None
            if placement is not None:
                fit._commit(o, placement)
                fit.pinned.add(o.id)


def _as_published(fit, o: Occurrence, before: PlannedOccurrence):
    """The published placement of ``o`` if the scenario and the plan so far still allow it."""
    from scheduler.search.firstfit import Placement

    inst = fit.inst
    day, venue = inst.day(before.start), before.venue
    people = {a.person for a in before.attendees}
    if venue not in o.event.venues or (before.end - before.start).days + 1 != o.duration:
        return None
    if not set(o.fixed) <= people or len(people) != o.size or o.size > inst.scenario.venues[venue].capacity:
        return None
    seated, picks = sorted(people - set(o.fixed)), []
    for g, group in enumerate(o.seat_groups):
        holders = [p for p in seated if p in group.candidates][: group.need]
        if len(holders) < group.need:
            return None
        picks += [(g, p) for p in holders]
        seated = [p for p in seated if p not in holders]
    if not _within_placed_bounds(fit, o, day):
        return None
    if day not in fit._venue_starts(o, venue) or not fit._venue_free(o, venue, day):
        return None
    if not all(fit._person_free(o, p, venue, day) for p in people):
        return None
    cost = fit._cost(o, venue, picks)
    if not fit._affordable(cost, inst.date(day).year, 0):
        return None
    return Placement(day, venue, tuple(picks), cost)


def _within_placed_bounds(fit, o: Occurrence, day: int) -> bool:
    """Rules 1, 7 and 8 for a start day, against the occurrences placed so far only: a published
    occurrence stays where it was even when one before it (in its series or its order) must move,
    and that one is then placed around it."""
    inst = fit.inst
    first, last = inst.window_starts(o)
    if not first <= day <= last:
        return False
    repeat = o.event.repeat
    if o.index > 1 and repeat is not None:
        prev = fit.placed.get(f"{o.event.id}-{o.index - 1}")
        if prev is not None and abs(day - fit._plus_months(prev.start, repeat.every_months)) > repeat.tolerance_days:
            return False
    for order in o.event.after:
        for b in inst.by_event.get(order.event, ()):
            placed = fit.placed.get(b.id)
            if placed is None:
                continue
            gap = day - (placed.start + b.duration - 1) - 1
            if gap < order.min_gap_days or (order.max_gap_days is not None and gap > order.max_gap_days):
                return False
    allowed = fit._successors_allow(o)
    return allowed is None or allowed(day)


def drop_orphans(fit) -> None:
    """Take out what a kept published occurrence left without its predecessor: an occurrence of
    a series after one that could not be placed again, or an event whose predecessor event has
    no first occurrence (rules 7 and 8); they are optional, or first fit has no plan anyway."""
    inst = fit.inst
    changed = True
    while changed:
        changed = False
        for o in inst.occurrences:
            placement = fit.placed.get(o.id)
            if placement is None:
                continue
            orphan = o.index > 1 and f"{o.event.id}-{o.index - 1}" not in fit.placed
            orphan |= any(
                inst.by_event[a.event][0].id not in fit.placed for a in o.event.after if a.event in inst.by_event
            )
            if orphan:
                fit._uncommit(o, placement)
                fit.pinned.discard(o.id)
                changed = True
