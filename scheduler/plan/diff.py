"""What changed between two plans: per occurrence, and per person who must be told.

Pure functions over two ``Plan`` objects. They serve three callers that must agree:

* ``scheduler diff OLD.json NEW.json`` prints (or writes as JSON) what moved and who must be told;
* ``scheduler solve --previous`` counts the published occurrences that changed (the objective's
  second entry, recomputed here from the two plans, independently of the CP-SAT model) and
  stamps each occurrence's ``sequence`` (see ``carry_sequences``);
* the plugins then send updates and cancellations from those sequences.

"Published" means scheduled in the old plan: only what was sent out can change for anyone.
An occurrence **changes** (and counts in the objective) when its dates, its venue or its set of
attendees differ, or when it is dropped (left out, or gone from the scenario). Its **version**
(``sequence``, iCalendar ``SEQUENCE``) is raised for those changes and also when it is only
**revised**: its title or kind changed (the entry's ``SUMMARY``, ``CATEGORIES``), or an attendee's
travel days did (the arrival and departure days their invitation states).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from scheduler.plan import Plan, PlannedOccurrence

ADDED, DROPPED, CHANGED, REVISED, UNCHANGED = "added", "dropped", "changed", "revised", "unchanged"


@dataclass(frozen=True)
class OccurrenceChange:
    """One occurrence compared across the two plans.

    ``old`` and ``new`` are the occurrence as each plan has it (``None`` where the plan does not
    list it at all). ``status``: ``added`` (scheduled now, not before), ``dropped`` (scheduled
    before, not now), ``changed`` (dates, venue or attendees differ), ``revised`` (only the title,
    the kind or someone's travel days differ), ``unchanged``."""

    id: str
    status: str
    old: PlannedOccurrence | None
    new: PlannedOccurrence | None
    dates_moved: bool = False
    venue_changed: bool = False
    retitled: bool = False
    attendees_added: tuple[str, ...] = ()
    attendees_removed: tuple[str, ...] = ()
    travel_changed: tuple[str, ...] = ()  # stayed, same event days, but other away days

    @property
    def title(self) -> str:
        return (self.new or self.old).title

    @property
    def counts_as_change(self) -> bool:
        """Whether it counts in the objective: a published occurrence dropped, or with other dates,
        venue or attendees."""
        return self.status in (DROPPED, CHANGED)

    @property
    def sort_key(self) -> tuple:
        starts = [o.start for o in (self.old, self.new) if o is not None and o.scheduled]
        return (min(starts) if starts else dt.date.max, self.id)


@dataclass(frozen=True)
class Notice:
    """What one person must be told about one occurrence."""

    occurrence: OccurrenceChange
    what: str  # invited | cancelled | removed | moved | travel | renamed
    sentence: str


@dataclass(frozen=True)
class PlanDiff:
    old: Plan
    new: Plan
    changes: tuple[OccurrenceChange, ...]  # every occurrence scheduled in either plan, by date

    @property
    def published_changes(self) -> int:
        return sum(1 for c in self.changes if c.counts_as_change)

    def with_status(self, *statuses: str) -> list[OccurrenceChange]:
        return [c for c in self.changes if c.status in statuses]


# --- comparing --------------------------------------------------------------------------------


def compare(old: Plan, new: Plan) -> PlanDiff:
    """Every occurrence scheduled in either plan, compared; in date order (the earlier of the two
    starts), then by id."""
    before = {o.id: o for o in old.occurrences}
    after = {o.id: o for o in new.occurrences}
    changes = [
        compare_occurrence(oid, before.get(oid), after.get(oid))
        for oid in list(after) + [oid for oid in before if oid not in after]
    ]
    listed = [c for c in changes if (c.old is not None and c.old.scheduled) or (c.new is not None and c.new.scheduled)]
    return PlanDiff(old, new, tuple(sorted(listed, key=lambda c: c.sort_key)))


def compare_occurrence(oid: str, old: PlannedOccurrence | None, new: PlannedOccurrence | None) -> OccurrenceChange:
    was = old is not None and old.scheduled
    now = new is not None and new.scheduled
    if not was:
        return OccurrenceChange(oid, ADDED if now else UNCHANGED, old, new)
    if not now:
        return OccurrenceChange(oid, DROPPED, old, new)
    dates_moved = (old.start, old.end) != (new.start, new.end)
    venue_changed = old.venue != new.venue
    retitled = (old.title, old.kind) != (new.title, new.kind)
    people_before = {a.person: a for a in old.attendees}
    people_after = {a.person: a for a in new.attendees}
    added = tuple(sorted(set(people_after) - set(people_before)))
    removed = tuple(sorted(set(people_before) - set(people_after)))
    travel = ()
    if not dates_moved:
        travel = tuple(
            sorted(
                p
                for p in set(people_before) & set(people_after)
                if (people_before[p].first_away, people_before[p].last_away)
                != (people_after[p].first_away, people_after[p].last_away)
            )
        )
    if dates_moved or venue_changed or added or removed:
        status = CHANGED
    elif retitled or travel:
        status = REVISED
    else:
        status = UNCHANGED
    return OccurrenceChange(oid, status, old, new, dates_moved, venue_changed, retitled, added, removed, travel)


def published_changes(previous: Plan, plan: Plan) -> int:
    """The objective's second entry: published occurrences dropped or with other dates, venue or
    attendees."""
    return compare(previous, plan).published_changes


def carry_sequences(plan: Plan, previous: Plan) -> None:
    """Stamp ``plan`` against the previously published plan: each occurrence's ``sequence`` and
    the objective's second entry (the number of published occurrences changed).

    * never published (not in ``previous``, or left out there with sequence 0): 0;
    * scheduled in both: the previous sequence, plus one if dates, venue, attendees, title or kind
      changed (the calendar entry's clients must take the new version over the one they hold);
    * published and now left out: the previous plus one, the ``SEQUENCE`` of its ``METHOD:CANCEL``;
      it is written into ``plan.json`` so that a later re-plan that schedules it again goes above
      the cancellation (left out in both: the sequence stays).
    """
    before = {o.id: o for o in previous.occurrences}
    for item in plan.occurrences:
        item.sequence = sequence_for(item, before.get(item.id))
    plan.objective[1] = published_changes(previous, plan)


# --- who must be told -------------------------------------------------------------------------


def notices(diff: PlanDiff, names: Names | None = None) -> dict[str, list[Notice]]:
    """Per person id, what they must be told, in the changes' date order.

    A person is told about an occurrence when what they hold in their calendar or invitation is no
    longer right: they are invited to it (new, or newly among its attendees), it is cancelled,
    they are no longer expected, its dates or venue moved, their own travel days moved, or it was
    renamed. A change to other people's attendance alone is not theirs to hear about."""
    names = names or Names({}, {})
    out: dict[str, list[Notice]] = {}

    def tell(person: str, change: OccurrenceChange, what: str, sentence: str) -> None:
        out.setdefault(person, []).append(Notice(change, what, sentence))

    for change in diff.changes:
        old, new = change.old, change.new
        if change.status == ADDED:
            for a in new.attendees:
                tell(
                    a.person, change, "invited", f"invited: {span(new.start, new.end)} at {names.venue_name(new.venue)}"
                )
        elif change.status == DROPPED:
            for a in old.attendees:
                tell(
                    a.person,
                    change,
                    "cancelled",
                    f"cancelled (was {span(old.start, old.end)} at {names.venue_name(old.venue)})",
                )
        elif change.status in (CHANGED, REVISED):
            for person in change.attendees_added:
                tell(person, change, "invited", f"invited: {span(new.start, new.end)} at {names.venue_name(new.venue)}")
            for person in change.attendees_removed:
                tell(person, change, "removed", "no longer expected")
            staying = sorted({a.person for a in new.attendees} - set(change.attendees_added))
            moved = _moves(change, names)
            for person in staying:
                if change.dates_moved or change.venue_changed:
                    tell(person, change, "moved", "; ".join(moved))
                elif person in change.travel_changed:
                    a = next(a for a in new.attendees if a.person == person)
                    tell(person, change, "travel", f"travel days now {span(a.first_away, a.last_away)}")
                elif change.retitled:
                    tell(person, change, "renamed", "; ".join(moved))
    return {person: out[person] for person in sorted(out)}


def _moves(change: OccurrenceChange, names: Names) -> list[str]:
    old, new = change.old, change.new
    out = []
    if change.dates_moved:
        out.append(f"dates {span(old.start, old.end)} -> {span(new.start, new.end)}")
    if change.venue_changed:
        out.append(f"venue {names.venue_name(old.venue)} -> {names.venue_name(new.venue)}")
    if change.retitled:
        out.append(f"renamed (was {old.title!r})")
    return out


def span(first: dt.date, last: dt.date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"


# --- showing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """How people and venues are shown: by name where a scenario is given, else by id."""

    people: dict[str, tuple[str, str]]  # id -> (name, email)
    venues: dict[str, str]  # id -> name

    @classmethod
    def from_scenario(cls, scenario) -> Names:
        if scenario is None:
            return cls({}, {})
        return cls(
            {p.id: (p.name, p.email) for p in scenario.people.values()},
            {v.id: v.name for v in scenario.venues.values()},
        )

    def person(self, person_id: str) -> str:
        found = self.people.get(person_id)
        return f"{found[0]} <{found[1]}> ({person_id})" if found else person_id

    def venue_name(self, venue_id: str) -> str:
        return self.venues.get(venue_id, venue_id)

    def venue(self, occurrence: PlannedOccurrence) -> str:
        name = self.venues.get(occurrence.venue)
        where = f"{occurrence.location}, {occurrence.country}"
        return f"{name} ({occurrence.venue}, {where})" if name else f"{occurrence.venue} ({where})"


def render_text(diff: PlanDiff, names: Names, old_name: str = "old", new_name: str = "new") -> str:
    """The coordinator's summary: a count, each occurrence that moved, then who must be told."""
    published = len(diff.old.scheduled)
    added = diff.with_status(ADDED)
    lines = [
        f"{old_name} -> {new_name}: {diff.published_changes} of {published} published occurrences change "
        f"({len(diff.with_status(DROPPED))} dropped, {len(diff.with_status(CHANGED))} changed), {len(added)} added."
    ]
    listed = [c for c in diff.changes if c.status != UNCHANGED]
    if not listed:
        lines.append("Nothing moved: nobody needs to be told.")
        return "\n".join(lines) + "\n"
    lines += ["", "What moved:"]
    for change in listed:
        lines += _occurrence_lines(change, names)
    told = notices(diff, names)
    lines += ["", f"Who must be told ({len(told)} {'person' if len(told) == 1 else 'people'}):"]
    for person, items in told.items():
        lines.append(f"  {names.person(person)}")
        for notice in items:
            lines.append(f"    {notice.occurrence.id}: {notice.sentence}")
    return "\n".join(lines) + "\n"


def _occurrence_lines(change: OccurrenceChange, names: Names) -> list[str]:
    old, new = change.old, change.new
    head = f"  {change.id} ({change.title}): {change.status}"
    if change.status == ADDED:
        return [head, f"    {span(new.start, new.end)} at {names.venue(new)}, {len(new.attendees)} attendees"]
    if change.status == DROPPED:
        why = f", {new.reason}: {new.detail}" if new is not None and new.reason else ""
        if new is None:
            why = ", no longer in the scenario"
        return [head + why, f"    was {span(old.start, old.end)} at {names.venue(old)}, {len(old.attendees)} attendees"]
    lines = [head]
    if change.dates_moved:
        lines.append(f"    dates: {span(old.start, old.end)} -> {span(new.start, new.end)}")
    if change.venue_changed:
        lines.append(f"    venue: {names.venue(old)} -> {names.venue(new)}")
    if change.retitled:
        lines.append(f"    title: {old.title!r} -> {new.title!r}")
    for label, people in (("attendees added", change.attendees_added), ("attendees removed", change.attendees_removed)):
        if people:
            lines.append(f"    {label}: " + ", ".join(names.person(p) for p in people))
    if change.travel_changed:
        lines.append("    travel days changed: " + ", ".join(names.person(p) for p in change.travel_changed))
    return lines


def to_json(diff: PlanDiff, names: Names) -> dict[str, Any]:
    """The same for programs: every listed occurrence with its old and new state, and the notices."""

    def state(o: PlannedOccurrence | None) -> dict[str, Any] | None:
        if o is None or not o.scheduled:
            return None
        return {
            "start": o.start.isoformat(),
            "end": o.end.isoformat(),
            "venue": o.venue,
            "title": o.title,
            "attendees": [a.person for a in o.attendees],
            "sequence": o.sequence,
        }

    occurrences = [
        {
            "id": c.id,
            "status": c.status,
            "old": state(c.old),
            "new": state(c.new),
            "dates_moved": c.dates_moved,
            "venue_changed": c.venue_changed,
            "retitled": c.retitled,
            "attendees_added": list(c.attendees_added),
            "attendees_removed": list(c.attendees_removed),
            "travel_changed": list(c.travel_changed),
        }
        for c in diff.changes
        if c.status != UNCHANGED
    ]
    people = []
    for person, items in notices(diff, names).items():
        name, email = names.people.get(person, (None, None))
        people.append(
            {
                "person": person,
                "name": name,
                "email": email,
                "notices": [{"occurrence": n.occurrence.id, "what": n.what, "text": n.sentence} for n in items],
            }
        )
    return {
        "published": len(diff.old.scheduled),
        "published_changes": diff.published_changes,
        "added": len(diff.with_status(ADDED)),
        "occurrences": occurrences,
        "people": people,
    }


# --- checking the inputs ------------------------------------------------------------------------


def sequence_for(item: PlannedOccurrence, before: PlannedOccurrence | None) -> int:
    """The ``sequence`` that ``item`` gets against its previous version (see ``carry_sequences``)."""
    change = compare_occurrence(item.id, before, item)
    if before is None:
        return 0
    if change.status in (CHANGED, REVISED, DROPPED):
        return before.sequence + 1
    if change.status == ADDED:
        return before.sequence + 1 if before.sequence else 0  # scheduled again after a cancellation
    return before.sequence


def check_same_project(plan: Plan, project_id: str, path, against: str) -> None:
    """A plan of another project shares no occurrence, person or UID with this one: refuse it."""
    from scheduler.errors import UsageError

    if plan.project.get("id") != project_id:
        raise UsageError(f"{path}: is a plan of project {plan.project.get('id')!r}, but {against} is {project_id!r}")


def check_stamped(plan: Plan, previous: Plan, plan_path, previous_path) -> None:
    """``render --previous``: the plan's sequences must be the ones ``solve --previous`` gives
    against that previous plan, or clients would ignore its updates (a changed occurrence still at
    the published SEQUENCE) while its cancellations go out."""
    from scheduler.errors import UsageError

    before = {o.id: o for o in previous.occurrences}
    for item in plan.occurrences:
        want = sequence_for(item, before.get(item.id))
        if item.sequence != want:
            raise UsageError(
                f"{plan_path}: occurrence {item.id!r} has sequence {item.sequence}, but against {previous_path} "
                f"it would have {want}: the plan was not solved with --previous {previous_path}; "
                f"solve again with it, or render with the previous plan the plan was solved against"
            )
