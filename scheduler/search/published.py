"""Keeping what was published (``--previous``) in the search's first plan.

Participants have booked travel and leave around the published plan: the objective's second
stage keeps changes to it few. First fit therefore places every published occurrence where it
was, wherever the rules still allow it, before it plans the rest, and pins it there, so that the
moves that follow leave it alone.
"""

from __future__ import annotations

from scheduler.model.instance import Occurrence
from scheduler.plan import Plan, PlannedOccurrence
from scheduler.search.firstfit import FirstFit


def seed_published(fit: FirstFit, previous: Plan) -> None:
    """Place and pin each published occurrence where it was (day, venue, the same people)."""
    inst = fit.inst
    published = {o.id: o for o in previous.scheduled}
    for event_id in fit.event_order():
        for o in inst.by_event[event_id]:
            before = published.get(o.id)
            placement = _as_published(fit, o, before) if before is not None else None
            if placement is not None:
                fit.commit(o, placement)
                fit.pinned.add(o.id)


def _as_published(fit: FirstFit, o: Occurrence, before: PlannedOccurrence):
    """The published placement of ``o`` if the scenario and the plan so far still allow it."""
    venue = before.venue
    people = {a.person for a in before.attendees}
    if venue not in o.event.venues or (before.end - before.start).days + 1 != o.duration:
        return None
    if not set(o.fixed) <= people or len(people) != o.size:
        return None
    seated, picks = sorted(people - set(o.fixed)), []
    for g, group in enumerate(o.seat_groups):
        holders = [p for p in seated if p in group.candidates][: group.need]
        if len(holders) < group.need:
            return None
        picks += [(g, p) for p in holders]
        seated = [p for p in seated if p not in holders]
    return fit.placement_at(o, fit.inst.day(before.start), venue, tuple(picks), predecessors=False)


def drop_orphans(fit: FirstFit) -> None:
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
                fit.uncommit(o, placement)
                fit.pinned.discard(o.id)
                changed = True
