"""The iCalendar events of the plan, built with the icalendar API: one place decides what an event is.

The ``ical`` feeds and the ``invitations`` e-mails both take their events from here, so a
participant who imports the feed and accepts the invitation gets the same UID, dates and SEQUENCE
and their calendar keeps a single entry.

- An occurrence is an all-day event over its event days (``VALUE=DATE``, ``DTEND`` the day after the
  last day, as RFC 5545 wants); travel days are in the description, since they differ per person.
- Its UID is ``<occurrence-id>@<project-id>``; the occurrence id is stable across re-solves, so an
  update lands on the entry it replaces. ``SEQUENCE`` is the plan's.
- Each agenda session is a timed event in the venue's timezone with UID
  ``<occurrence-id>-d<day>-<HHMM>@<project-id>`` and ``RELATED-TO`` the occurrence.

An occurrence appears in many calendars (the plan's, its own file, every attendee's feed, every
invitation), and its copies differ only in ``ATTENDEE`` and ``DESCRIPTION``: its event is built once
per render without them (``occurrence_events``) and each copy is a shallow ``copy()`` of it, which
holds the same property values, with its own attendees and description added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import icalendar

from scheduler.content.briefing import description_text, occurrence_briefing, place_line
from scheduler.content.languages import language_for
from scheduler.plan import PlannedOccurrence
from scheduler.scenario.domain import AgendaItem, Person


def occurrence_uid(project_id: str, occurrence_id: str) -> str:
    return f"{occurrence_id}@{project_id}"


def session_uids(project_id: str, occurrence_id: str, agenda: Iterable[AgendaItem]) -> list[tuple[AgendaItem, str]]:
    """``<occurrence>-d<day>-<HHMM>@<project>`` per session, in agenda order; a second session
    starting at the same minute of the same day gets ``-2``, and so on, in title order."""
    uids: list[tuple[AgendaItem, str]] = []
    taken: set[str] = set()
    for item in sorted(agenda, key=lambda i: (i.day, i.start, i.end, i.title)):
        stem = f"{occurrence_id}-d{item.day}-{item.start:%H%M}"
        name, n = stem, 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name)
        uids.append((item, f"{name}@{project_id}"))
    return uids


@dataclass(frozen=True)
class OccurrenceEvents:
    """An occurrence's event without ``ATTENDEE`` and ``DESCRIPTION``, and its sessions' events.
    Shared by every calendar of the render that holds the occurrence: copy, do not change."""

    event: icalendar.Event
    sessions: tuple[icalendar.Event, ...]


def occurrence_events(context, occurrence: PlannedOccurrence) -> OccurrenceEvents:
    """The events of an occurrence of ``context.plan``, built once per render (per process)."""
    return context.memo.get(
        ("scheduler.content.events", occurrence.id),
        lambda: OccurrenceEvents(_occurrence_base(context, occurrence), tuple(session_events(context, occurrence))),
    )


def with_readers(
    event: icalendar.Event, attendees: Sequence[icalendar.vCalAddress], description: str
) -> icalendar.Event:
    """A copy of ``event`` (see ``occurrence_events``) listing ``attendees`` and described by
    ``description`` (none where empty)."""
    copy = event.copy()
    if attendees:
        copy.add("attendee", list(attendees))
    if description:
        copy.add("description", description)
    return copy


def occurrence_event(
    context,
    occurrence: PlannedOccurrence,
    *,
    attendees: Iterable[str] | None = None,
    description: str | None = None,
    rsvp: bool = False,
) -> icalendar.Event:
    """The ``VEVENT`` of one scheduled occurrence of ``context.plan``.

    ``attendees`` are the person ids to list as ``ATTENDEE`` (default: everyone the plan sends;
    empty: none). ``rsvp`` asks each listed attendee to answer (``RSVP=TRUE;PARTSTAT=NEEDS-ACTION``),
    as an invitation does. ``description`` replaces the default English description of the
    occurrence as the plan has it.
    """
    people = [a.person for a in occurrence.attendees] if attendees is None else list(attendees)
    if description is None:
        description = plan_description(context, occurrence)
    return with_readers(
        occurrence_events(context, occurrence).event, addresses(context, people, rsvp=rsvp), description
    )


def plan_description(context, occurrence: PlannedOccurrence) -> str:
    """The occurrence described for the coordinators, in English: its travel days and costs."""
    return description_text(occurrence_briefing(context, occurrence, language_for(context, "en")))


def addresses(context, person_ids: Iterable[str], *, rsvp: bool = False) -> list[icalendar.vCalAddress]:
    """The ``ATTENDEE`` values of the people of the scenario among ``person_ids``, in that order."""
    people = context.scenario.people
    return [attendee_address(context, people[p], rsvp=rsvp) for p in person_ids if p in people]


def attendee_address(context, person: Person, *, rsvp: bool = False) -> icalendar.vCalAddress:
    """A person as ``ATTENDEE``, made once per render and shared by every event that lists them."""
    return context.memo.get(("scheduler.content.attendee", person.id, rsvp), lambda: _address(person, rsvp))


def _address(person: Person, rsvp: bool) -> icalendar.vCalAddress:
    if rsvp:
        return icalendar.vCalAddress.new(
            f"mailto:{person.email}",
            cn=person.name,
            cutype="INDIVIDUAL",
            role="REQ-PARTICIPANT",
            partstat="NEEDS-ACTION",
            rsvp=True,
        )
    return icalendar.vCalAddress.new(
        f"mailto:{person.email}", cn=person.name, cutype="INDIVIDUAL", role="REQ-PARTICIPANT"
    )


def session_events(context, occurrence: PlannedOccurrence, *, status: str = "CONFIRMED", sequence: int | None = None):
    """One timed ``VEVENT`` per agenda session, in the venue's timezone, related to the occurrence."""
    scenario = context.scenario
    event = scenario.events.get(occurrence.event)
    location = scenario.locations.get(occurrence.location or "")
    if event is None or not event.agenda or location is None:
        return []
    zone = ZoneInfo(location.timezone)
    project_id = scenario.project.id
    parent = occurrence_uid(project_id, occurrence.id)
    sequence = occurrence.sequence if sequence is None else sequence
    sessions = []
    for item, uid in session_uids(project_id, occurrence.id, event.agenda):
        day = occurrence.start + dt.timedelta(days=item.day - 1)
        title = f"{occurrence.title}: {item.title}"
        description = f"{event.title}, day {item.day}: {item.title}"
        session = _identified(context, occurrence, sequence, status, title, uid)
        session.add("description", description)
        session.add("dtstart", dt.datetime.combine(day, item.start, tzinfo=zone))
        session.add("dtend", dt.datetime.combine(day, item.end, tzinfo=zone))
        session.add("related-to", parent, parameters={"RELTYPE": "PARENT"})
        sessions.append(session)
    return sessions


def cancelled_event(
    context, previous: PlannedOccurrence, sequence: int, *, attendees: Iterable[str] = (), description: str = ""
) -> icalendar.Event:
    """A previously published occurrence, now ``STATUS:CANCELLED`` with a raised ``SEQUENCE``.

    Clients that imported the earlier version match it by UID and mark or remove it."""
    uid = occurrence_uid(context.scenario.project.id, previous.id)
    event = _identified(context, previous, sequence, "CANCELLED", previous.title, uid)
    event.add("description", description or f"{previous.title}: cancelled")
    event.add("dtstart", previous.start)
    event.add("dtend", previous.end + dt.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    for address in addresses(context, attendees):
        event.add("attendee", address)
    return event


def _occurrence_base(context, occurrence: PlannedOccurrence) -> icalendar.Event:
    uid = occurrence_uid(context.scenario.project.id, occurrence.id)
    event = _identified(context, occurrence, occurrence.sequence, "CONFIRMED", occurrence.title, uid)
    event.add("dtstart", occurrence.start)
    event.add("dtend", occurrence.end + dt.timedelta(days=1))
    # all-day entries are "free" by default in some clients; these days are taken
    event.add("transp", "OPAQUE")
    return event


def _identified(context, occurrence, sequence: int, status: str, summary: str, uid: str) -> icalendar.Event:
    """What every event of an occurrence carries: identity, stamp, place, organizer, kind, status."""
    scenario = context.scenario
    organizer = scenario.project.organizer
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", context.now.astimezone(dt.UTC))
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("status", status)
    event.add("categories", [occurrence.kind])
    event.add("organizer", icalendar.vCalAddress.new(f"mailto:{organizer.email}", cn=organizer.name))
    venue = scenario.venues.get(occurrence.venue or "")
    location = scenario.locations.get(venue.location if venue else occurrence.location or "")
    if venue is not None:
        city = location.city if location else ""
        country = language_for(context, "en").country(location.country) if location else ""
        event.add("location", place_line(venue.name, venue.address, city, country))
    if location is not None:
        event.add("geo", (location.lat, location.lon))
    return event
