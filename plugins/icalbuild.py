"""Building blocks for iCalendar output, with the icalendar API: one place decides what an event is.

The ``ical`` feeds and the ``invitations`` e-mails both build their events here, so a participant
who imports the feed and accepts the invitation gets the same UID, dates and SEQUENCE and their
calendar keeps a single entry.

Decisions (see docs/calendars-and-invitations.md):

- An occurrence is an all-day event over its event days (``VALUE=DATE``, ``DTEND`` the day after the
  last day, as RFC 5545 wants); travel days are in the description, since they differ per person.
- Its UID is ``<occurrence-id>@<project-id>``; the occurrence id is stable across re-solves, so an
  update lands on the entry it replaces. ``SEQUENCE`` is the plan's.
- Each agenda session is a timed event in the venue's timezone with UID
  ``<occurrence-id>-d<day>-<HHMM>@<project-id>`` and ``RELATED-TO`` the occurrence.
- Every ``TZID`` used gets a ``VTIMEZONE`` computed from the zoneinfo database
  (``scheduler.plugins.vtimezone``), covering the project's years and the next, so clients need
  not know the zone name.
- Everything is added in sorted order and serialised with sorted properties: the same plan and
  ``SOURCE_DATE_EPOCH`` give the same bytes.

A large plan puts the same occurrence in the plan feed, its own file and every attendee's feed,
and each of those copies differs at most in ``DESCRIPTION`` (the reader's briefing) and, in an
invitation, ``ATTENDEE``. Serialising (folding) is most of the cost, so an occurrence's events are
built and serialised with the icalendar API once (``Serialised``, ``EventTemplate``), the per-reader
lines on their own (``property_line`` and its shortcuts, in ``icallines``), and ``calendar_bytes``
puts a calendar together from those pieces: byte for byte what ``serialize`` gives for the same
components (``tests/test_render_reuse.py`` and ``tests/test_icalbuild_shortcuts.py`` hold it to that).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar
from scheduler.plugins import eventlines
from scheduler.plugins.briefing import description_text, occurrence_briefing, place_line
from scheduler.plugins.i18n import language_for
from scheduler.plugins.icallines import (  # noqa: F401 - icalbuild.text_line...
    component_bytes,
    fold_line,
    property_line,
    text_line,
    typed_line,
    used_tzids,
)
from scheduler.plugins.vtimezone import vtimezone

from scheduler import __version__
from scheduler.plan import PlannedOccurrence
from scheduler.scenario.domain import AgendaItem, Event, Person

PRODID = f"-//scheduler//scheduler {__version__}//EN"


def occurrence_uid(project_id: str, occurrence_id: str) -> str:
    return f"{occurrence_id}@{project_id}"


def session_uids(project_id: str, occurrence_id: str, agenda: Iterable[AgendaItem]) -> list[tuple[AgendaItem, str]]:
    """``<occurrence>-d<day>-<HHMM>@<project>`` per session, in agenda order; a second session
    starting at the same minute of the same day gets ``-2``, and so on, in title order."""
    uids: list[tuple[AgendaItem, str]] = []
    taken: set[str] = set()
    for item in sorted(agenda, key=_agenda_order):
        stem = f"{occurrence_id}-d{item.day}-{item.start:%H%M}"
        name, n = stem, 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name)
        uids.append((item, f"{name}@{project_id}"))
    return uids


def new_calendar(method: str, name: str | None = None) -> icalendar.Calendar:
    """An empty ``VCALENDAR`` with ``PRODID``, ``VERSION``, ``CALSCALE``, ``METHOD`` and a display name."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("name", name)  # RFC 7986
        calendar.add("x-wr-calname", name)  # what Outlook, Google and Apple read
    return calendar


def occurrence_event(
    context,
    occurrence: PlannedOccurrence,
    *,
    attendees: Iterable[str] | None = None,
    description: str | None = None,
    rsvp: bool = False,
) -> icalendar.Event:
    """The ``VEVENT`` of one scheduled occurrence.

    ``attendees`` are the person ids to list as ``ATTENDEE`` (default: everyone the plan sends;
    empty: none). ``rsvp`` asks each listed attendee to answer (``RSVP=TRUE;PARTSTAT=NEEDS-ACTION``),
    as an invitation does. ``description`` replaces the default English description of the
    occurrence as the plan has it.
    """
    return _event(occurrence_properties(context, occurrence, attendees=attendees, description=description, rsvp=rsvp))


def occurrence_properties(
    context,
    occurrence: PlannedOccurrence,
    *,
    attendees: Iterable[str] | None = None,
    description: str | None = None,
    rsvp: bool = False,
) -> list[eventlines.Property]:
    """The properties of ``occurrence_event``, in the order they are added."""
    scenario = context.scenario
    if description is None:
        description = description_text(occurrence_briefing(scenario, occurrence, language_for(context, "en")))
    properties = _base_properties(context, occurrence, occurrence.sequence, "CONFIRMED", description)
    properties += [
        ("dtstart", occurrence.start, None),
        ("dtend", occurrence.end + dt.timedelta(days=1), None),
        # all-day entries are "free" by default in some clients; these days are taken
        ("transp", "OPAQUE", None),
    ]
    people = [a.person for a in occurrence.attendees] if attendees is None else list(attendees)
    for person_id in people:
        person = scenario.people.get(person_id)
        if person is not None:
            properties.append(("attendee", attendee_address(person, rsvp=rsvp), None))
    return properties


def session_events(context, occurrence: PlannedOccurrence, *, status: str = "CONFIRMED", sequence: int | None = None):
    """One timed ``VEVENT`` per agenda session, in the venue's timezone, related to the occurrence."""
    return [_event(properties) for properties in session_properties(context, occurrence, status, sequence)]


def session_properties(
    context, occurrence: PlannedOccurrence, status: str = "CONFIRMED", sequence: int | None = None
) -> list[list[eventlines.Property]]:
    """The properties of each of ``session_events``, in the order they are added."""
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
        properties = _base_properties(context, occurrence, sequence, status, _session_description(event, item), uid=uid)
        summary = icalendar.vText(f"{occurrence.title}: {item.title}")  # in the place of the occurrence's title
        properties = [(name, summary if name == "summary" else value, p) for name, value, p in properties]
        properties += [
            ("dtstart", dt.datetime.combine(day, item.start, tzinfo=zone), None),
            ("dtend", dt.datetime.combine(day, item.end, tzinfo=zone), None),
            ("related-to", parent, {"RELTYPE": "PARENT"}),
        ]
        sessions.append(properties)
    return sessions


def occurrence_template(
    context, occurrence: PlannedOccurrence, slots: Iterable[str], *, sessions: bool = True
) -> tuple[EventTemplate, frozenset[str]]:
    """``event_template(occurrence_event(context, occurrence, attendees=(), description=""), slots,
    session_events(context, occurrence))`` (without the sessions where ``sessions`` is false), and
    the time zones of the event alone: put together from lines remembered per property value
    (``eventlines``) instead of building and serialising the events with the icalendar API."""
    pieces, order, zones = eventlines.event_pieces(
        occurrence_properties(context, occurrence, attendees=(), description=""), slots
    )
    everything = set(zones)
    if sessions:
        for properties in session_properties(context, occurrence):
            (data,), _order, used = eventlines.event_pieces(properties)
            pieces[-1] += data
            everything.update(used)
    return EventTemplate(tuple(pieces), tuple(order), frozenset(everything)), zones


def cancelled_event(
    context,
    previous: PlannedOccurrence,
    sequence: int,
    *,
    attendees: Iterable[str] = (),
    description: str = "",
) -> icalendar.Event:
    """A previously published occurrence, now ``STATUS:CANCELLED`` with a raised ``SEQUENCE``.

    Clients that imported the earlier version match it by UID and mark or remove it."""
    event = _base_event(context, previous, sequence, "CANCELLED", description or f"{previous.title}: cancelled")
    event.add("dtstart", previous.start)
    event.add("dtend", previous.end + dt.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    for person_id in attendees:
        person = context.scenario.people.get(person_id)
        if person is not None:
            event.add("attendee", attendee_address(person))
    return event


def attendee_address(person: Person, *, rsvp: bool = False) -> icalendar.vCalAddress:
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


def attendee_line(person: Person, *, rsvp: bool = False) -> bytes:
    """The ``ATTENDEE`` line of ``attendee_address(person, rsvp=rsvp)`` (``typed_line``), made once
    per person: remembered under the person's id for the same ``Person`` (looking a frozen
    dataclass up by value would hash every field of it, leave included, each time)."""
    key = (person.id, rsvp)
    found = _attendee_lines.get(key)
    if found is None or found[0] is not person:
        if len(_attendee_lines) >= 65536:
            _attendee_lines.clear()
        found = _attendee_lines[key] = (person, typed_line("attendee", attendee_address(person, rsvp=rsvp)))
    return found[1]


_attendee_lines: dict[tuple[str, bool], tuple[Person, bytes]] = {}


def _base_event(context, occurrence, sequence, status, description, uid=None) -> icalendar.Event:
    """What every event of an occurrence carries: identity, stamp, place, organizer, kind, status."""
    return _event(_base_properties(context, occurrence, sequence, status, description, uid))


def _event(properties: Iterable[eventlines.Property]) -> icalendar.Event:
    event = icalendar.Event()
    for name, value, parameters in properties:
        event.add(name, value, parameters=parameters)
    return event


def _base_properties(context, occurrence, sequence, status, description, uid=None) -> list[eventlines.Property]:
    scenario = context.scenario
    organizer = scenario.project.organizer
    properties = [
        ("uid", uid or occurrence_uid(scenario.project.id, occurrence.id), None),
        ("dtstamp", context.now.astimezone(dt.UTC), None),
        ("sequence", sequence, None),
        ("summary", occurrence.title, None),
        ("status", status, None),
        ("categories", [occurrence.kind], None),
        ("organizer", icalendar.vCalAddress.new(f"mailto:{organizer.email}", cn=organizer.name), None),
    ]
    venue = scenario.venues.get(occurrence.venue or "")
    location = scenario.locations.get(venue.location if venue else occurrence.location or "")
    if venue is not None:
        city = location.city if location else ""
        country = language_for(context, "en").country(location.country) if location else ""
        properties.append(("location", place_line(venue.name, venue.address, city, country), None))
    if location is not None:
        properties.append(("geo", (location.lat, location.lon), None))
    if description:
        properties.append(("description", description, None))
    return properties


def _session_description(event: Event, item: AgendaItem) -> str:
    return f"{event.title}, day {item.day}: {item.title}"


def _agenda_order(item: AgendaItem):
    return (item.day, item.start, item.end, item.title)


# --- finishing ---------------------------------------------------------------------------------


def add_timezones(calendar: icalendar.Calendar, first: dt.date, last: dt.date) -> None:
    """A ``VTIMEZONE`` for every ``TZID`` used, before the events, in TZID order.

    Not icalendar's ``add_missing_timezones``: it walks a set, whose order changes from run to run,
    and its generator writes daylight-saving onsets in the wrong offset (see ``vtimezone``)."""
    existing = len(calendar.timezones)
    for offset, tzid in enumerate(sorted(calendar.get_missing_tzids())):
        calendar.subcomponents.insert(existing + offset, _timezone(tzid, first.year, last.year))


@lru_cache(maxsize=128)
def _timezone_ical(tzid: str, first_year: int, last_year: int) -> bytes:
    # Walking a zone's transitions takes a moment: do it once per zone and span.
    return vtimezone(tzid, dt.date(first_year, 1, 1), dt.date(last_year + 1, 12, 31)).to_ical()


def _timezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    return icalendar.Timezone.from_ical(_timezone_ical(tzid, first_year, last_year))


@lru_cache(maxsize=128)
def _timezone_bytes(tzid: str, first_year: int, last_year: int) -> bytes:
    """The ``VTIMEZONE`` as ``serialize`` writes it into a calendar."""
    return _timezone(tzid, first_year, last_year).to_ical(sorted=True)


def serialize(calendar: icalendar.Calendar, context) -> bytes:
    """The calendar as RFC 5545 bytes (CRLF, folded, escaped), with its ``VTIMEZONE`` components."""
    project = context.scenario.project
    add_timezones(calendar, project.start, project.end)
    return calendar.to_ical(sorted=True)


# --- serialised once, put together many times -------------------------------------------------

_SLOT = "scheduler-slot-for-a-reader"  # stands for a per-reader value while a template is serialised


@dataclass(frozen=True)
class Serialised:
    """Components as ``serialize`` writes them inside a calendar, and the ``TZID``s they use."""

    data: bytes
    tzids: frozenset[str]


def serialised(*components: icalendar.Component) -> Serialised:
    return Serialised(b"".join(component_bytes(c) for c in components), used_tzids(*components))


@dataclass(frozen=True)
class EventTemplate:
    """An event serialised once with some properties left open (``slots``), and the components
    that follow it (its sessions); ``fill`` gives the ``Serialised`` of one reader's copy."""

    pieces: tuple[bytes, ...]  # the bytes around the slots: one more than there are slots
    slots: tuple[str, ...]  # the open properties, in the order icalendar writes them
    tzids: frozenset[str]

    def fill(self, lines: dict[str, bytes]) -> Serialised:
        """``lines``: per open property, its ``property_line`` (``b""`` leaves it out)."""
        data = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            data += (lines[slot], piece)
        return Serialised(b"".join(data), self.tzids)

    def filled_in(self, lines: dict[str, bytes]) -> EventTemplate:
        """The template with the slots named in ``lines`` filled, the others still open."""
        pieces, slots = [self.pieces[0]], []
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            if slot in lines:
                pieces[-1] += lines[slot] + piece
            else:
                pieces.append(piece)
                slots.append(slot)
        return EventTemplate(tuple(pieces), tuple(slots), self.tzids)

    def event_alone(self, tzids: frozenset[str]) -> EventTemplate:
        """The template of the event without the components that follow it; ``tzids``: the
        event's own (as ``event_template`` of the event alone reports them)."""
        last = self.pieces[-1]
        end = (b"\r\n" + last).find(b"\r\nEND:VEVENT\r\n")
        if end < 0:
            raise ValueError("the template's event does not end in its last piece")
        return EventTemplate((*self.pieces[:-1], last[: end + len(b"END:VEVENT\r\n")]), self.slots, tzids)


def event_template(event: icalendar.Event, slots: Iterable[str], following=()) -> EventTemplate:
    """``event`` (which must not have the ``slots`` properties yet) serialised with each slot open.

    Properties are written in sorted order, so a slot's place does not depend on its value."""
    slots = [slot.upper() for slot in slots]
    for slot in slots:
        if slot in event:
            raise ValueError(f"{slot} is to be left open but the event has it")
        event.add(slot, icalendar.vCalAddress(_SLOT) if slot in ("ATTENDEE", "ORGANIZER") else _SLOT)
    whole = serialised(event, *following)
    found = []
    for slot in slots:
        line = f"{slot}:{_SLOT}\r\n".encode()
        at = whole.data.find(b"\r\n" + line)
        if at < 0 or whole.data.count(b"\r\n" + line) != 1:
            raise ValueError(f"cannot find the one {slot} line of the template")
        found.append((at + 2, at + 2 + len(line), slot))
    pieces, start = [], 0
    for begin, end, _slot in sorted(found):
        pieces.append(whole.data[start:begin])
        start = end
    pieces.append(whole.data[start:])
    for slot in slots:
        del event[slot]
    return EventTemplate(tuple(pieces), tuple(slot for *_, slot in sorted(found)), whole.tzids)


def opened(whole: Serialised, slot: str, line: bytes) -> EventTemplate | None:
    """The template ``event_template`` gives for the first event of ``whole`` with ``slot`` open,
    cut from ``whole`` itself, where that event's ``slot`` property was written as ``line`` (as
    ``text_line`` writes it): properties are written in sorted order, so the line sits where the
    open slot would. None where the line is not found once in the first component."""
    first = whole.data[: whole.data.find(b"END:VEVENT\r\n")]
    needle = b"\r\n" + line
    at = first.find(needle)
    if at < 0 or first.find(needle, at + 1) >= 0 or not line.startswith(slot.upper().encode() + b":"):
        return None
    begin = at + 2
    return EventTemplate((whole.data[:begin], whole.data[begin + len(line) :]), (slot.upper(),), whole.tzids)


def calendar_bytes(method: str, name: str | None, entries: Iterable[Serialised], context) -> bytes:
    """What ``serialize(calendar, context)`` gives for ``new_calendar(method, name)`` holding the
    components of ``entries`` in this order: the calendar's properties, a ``VTIMEZONE`` per
    ``TZID`` used (in ``TZID`` order), the components, ``END:VCALENDAR``."""
    entries = list(entries)
    project = context.scenario.project
    tzids = sorted(set().union(*(entry.tzids for entry in entries)) - {"UTC"})
    timezones = [_timezone_bytes(tzid, project.start.year, project.end.year) for tzid in tzids]
    return b"".join([_calendar_head(method, name), *timezones, *(entry.data for entry in entries), _CALENDAR_END])


_CALENDAR_END = b"END:VCALENDAR\r\n"


def _calendar_head(method: str, name: str | None) -> bytes:
    """``new_calendar(method, name)`` serialised without its end. Each feed has its own name (the
    person's, the occurrence's): the calendar is serialised once per method with its two name
    lines open (``NAME`` and ``X-WR-CALNAME``), and each name's lines are made on their own."""
    template = _head_template(method) if name else None
    if template is None:
        return _plain_calendar_head(method, name)
    return template.fill({slot: _calendar_line(slot, name) for slot in template.slots}).data


@lru_cache(maxsize=4096)
def _calendar_line(name: str, value: str) -> bytes:
    """One property of a calendar as ``new_calendar`` adds it (icalendar types ``NAME`` and
    ``X-WR-CALNAME`` as unknown values, written as they are), serialised like ``component_bytes``:
    the value typed as ``Calendar.add`` types it (``_encode``), its content line made as
    ``content_lines`` makes it (``content_line``, under the upper-case name the calendar keeps),
    without a calendar built and walked for each of the 6,000 feeds' names of a large plan;
    remembered (the occurrences of a series share their title, which names their files)."""
    typed = icalendar.Calendar._encode(name, value)
    line = _NAME_HOLDER.content_line(name.upper(), typed, sorted=True)
    return fold_line(str(line).encode("utf-8")) + b"\r\n"


_NAME_HOLDER = icalendar.Calendar()  # content_line is the component's, though it uses none of it


@lru_cache(maxsize=64)
def _plain_calendar_head(method: str, name: str | None) -> bytes:
    data = new_calendar(method, name).to_ical(sorted=True)
    if not data.endswith(_CALENDAR_END):
        raise ValueError("icalendar wrote a calendar that does not end with END:VCALENDAR")
    return data[: -len(_CALENDAR_END)]


@lru_cache(maxsize=64)
def _head_template(method: str) -> EventTemplate | None:
    """The calendar's head with its name lines open; None where they are not found as expected."""
    data = _plain_calendar_head(method, _SLOT)
    found = []
    for slot in ("NAME", "X-WR-CALNAME"):
        line = _calendar_line(slot, _SLOT)
        at = data.find(b"\r\n" + line)
        if at < 0 or data.count(b"\r\n" + line) != 1:
            return None
        found.append((at + 2, at + 2 + len(line), slot))
    pieces, start = [], 0
    for begin, end, _slot in sorted(found):
        pieces.append(data[start:begin])
        start = end
    pieces.append(data[start:])
    return EventTemplate(tuple(pieces), tuple(slot for *_, slot in sorted(found)), frozenset())


def split_by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Calendar]:
    """One calendar per UID, without ``METHOD``, each with the ``VTIMEZONE`` components it uses.

    CalDAV (RFC 4791, 4.1) stores one UID per resource and no ``METHOD``: this is how a publisher
    turns a feed into resources to ``PUT``."""
    timezones = {tz["tzid"]: tz for tz in calendar.walk("VTIMEZONE")}
    parts: dict[str, icalendar.Calendar] = {}
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE":
            continue
        uid = str(component["uid"])
        if uid not in parts:
            part = icalendar.Calendar()
            for name, value in calendar.property_items(recursive=False):
                if name not in ("BEGIN", "END", "METHOD"):
                    part[name] = value
            parts[uid] = part
        parts[uid].add_component(component)
    for part in parts.values():
        for tzid in sorted(part.get_used_tzids()):
            if tzid in timezones:
                part.subcomponents.insert(len(part.timezones), timezones[tzid])
    return parts
