"""What must be withdrawn since the previously published plan (``context.previous``).

Two things are withdrawn: an occurrence that was scheduled and no longer is (everyone who was
invited is told), and a person who was invited to an occurrence that still takes place but no
longer counts them (that person is told). Both become ``STATUS:CANCELLED`` in the calendars and
``METHOD:CANCEL`` messages, with a ``SEQUENCE`` above the one published before, so clients apply
them to the entry they already hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.plan import Plan, PlannedOccurrence


@dataclass(frozen=True)
class Withdrawal:
    occurrence: PlannedOccurrence  # as previously published: dates, venue, attendees
    people: tuple[str, ...]  # person ids who were invited and must be told
    sequence: int  # above the previously published one, and not below the current plan's
    dropped: bool  # True: the occurrence is not scheduled any more; False: only these people left it


def previously_published(context, occurrence_id: str) -> PlannedOccurrence | None:
    """The occurrence as the previous plan (``context.previous``) scheduled it, or ``None``."""
    if context.previous is None:
        return None
    scheduled = context.memo.get(
        "scheduler.content.withdrawals.previous", lambda: {o.id: o for o in context.previous.scheduled}
    )
    return scheduled.get(occurrence_id)


def withdrawals(plan: Plan, previous: Plan | None) -> list[Withdrawal]:
    """Every withdrawal, in the previous plan's start order (then by occurrence id)."""
    if previous is None:
        return []
    current = {o.id: o for o in plan.occurrences}
    found = []
    for before in sorted(previous.scheduled, key=lambda o: (o.start, o.id)):
        now = current.get(before.id)
        invited = tuple(a.person for a in before.attendees)
        if now is None or not now.scheduled:
            sequence = max(before.sequence + 1, now.sequence if now is not None else 0)
            found.append(Withdrawal(before, invited, sequence, dropped=True))
            continue
        staying = {a.person for a in now.attendees}
        removed = tuple(p for p in invited if p not in staying)
        if removed:
            found.append(Withdrawal(before, removed, max(before.sequence + 1, now.sequence), dropped=False))
    return found
