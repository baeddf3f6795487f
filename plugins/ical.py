"""Built-in output format ``ical``: iCalendar feeds of the plan, per person and per occurrence.

Writes ``calendar/plan.ics`` (every occurrence, for the coordinators), ``calendar/people/<person>.ics``
(what one person attends, described in their language: their travel days and what is paid for
them) and ``calendar/events/<occurrence>.ics`` (one occurrence, to attach or import). All carry
``METHOD:PUBLISH``; the events are those of ``scheduler.content.events``, shared with the
invitations.

Occurrences that the previous plan (``--previous``) scheduled and this one drops stay in the
feeds as ``STATUS:CANCELLED`` with a raised ``SEQUENCE``, so an imported copy is updated rather
than left behind; a person taken off an occurrence finds it cancelled in their own feed.

Option ``--option ical.attendees=false`` leaves ``ATTENDEE`` out of the published feeds: RFC 5546
(iTIP) allows no ``ATTENDEE`` in a ``PUBLISH``, and some coordinators would rather not publish the
participants' e-mail addresses. By default they are listed, as the spec asks and as Outlook and
Google do in their own exports.
"""

from __future__ import annotations

from pathlib import Path

from scheduler import OutputFormat, hookimpl
from scheduler.content import calendars, events
from scheduler.content.briefing import description_text, planned_attendee_briefing
from scheduler.content.languages import language_for
from scheduler.content.withdrawals import Withdrawal, previously_published, withdrawals
from scheduler.errors import UsageError
from scheduler.plan import PlannedOccurrence
from scheduler.render.pool import Batch, staged

ATTENDEES_OPTION = "ical.attendees"
_PLAN = None  # the first item of the feeds' batch: the plan's feed and the occurrences' files


@hookimpl
def register_output_formats():
    return [
        OutputFormat(
            "ical",
            "iCalendar feeds: calendar/plan.ics, one per person (calendar/people/) and one per occurrence (calendar/events/)",
            render,
        )
    ]


def _stages(context):
    """Two batches (see ``scheduler.render.pool``): each attendee's description of each
    occurrence, beside the invitations that need the same briefings; then every feed and file."""
    with_attendees = _flag(context.options, ATTENDEES_OPTION, default=True)
    scheduled = sorted(context.plan.scheduled, key=lambda o: (o.start, o.id))
    gone = withdrawals(context.plan, context.previous)
    described = yield Batch(scheduled, lambda context, chunk: [_descriptions(context, o) for o in chunk])
    readers = _readers(context, scheduled, gone, dict(zip((o.id for o in scheduled), described, strict=True)))
    feeds = [_PLAN, *sorted(readers)]
    written = yield Batch(
        feeds, lambda context, chunk: _write_feeds(context, chunk, scheduled, gone, readers, with_attendees)
    )
    # plan.ics, the people's feeds, then the occurrences' files
    files = len(scheduled) + sum(1 for w in gone if w.dropped)
    return [written[0], *written[1 + files :], *written[1 : 1 + files]]


render = staged(_stages)


def _descriptions(context, occurrence: PlannedOccurrence) -> dict[str, str]:
    """Each attendee's ``DESCRIPTION`` of the occurrence: their own briefing, in their language."""
    before = previously_published(context, occurrence.id)
    found = {}
    for attendance in occurrence.attendees:
        reader = context.scenario.people.get(attendance.person)
        if reader is not None:
            language = language_for(context, reader.language)
            found[reader.id] = description_text(
                planned_attendee_briefing(context, occurrence, reader, language, before)
            )
    return found


def _readers(context, scheduled, gone: list[Withdrawal], described: dict[str, dict[str, str]]) -> dict[str, list]:
    """Per person who attends something (or must learn that something is withdrawn): their feed's
    entries, ``(start, occurrence id, occurrence, description)`` or ``(start, occurrence id,
    withdrawal, None)``. People with nothing to show get no file: RFC 5545 wants at least one
    component in a calendar."""
    people = context.scenario.people
    readers: dict[str, list] = {}
    for occurrence in scheduled:
        for person_id, description in described[occurrence.id].items():
            readers.setdefault(person_id, []).append((occurrence.start, occurrence.id, occurrence, description))
    for withdrawal in gone:
        before = withdrawal.occurrence
        for person_id in withdrawal.people:
            if person_id in people:
                readers.setdefault(person_id, []).append((before.start, before.id, withdrawal, None))
    return readers


def _write_feeds(context, feeds: list, scheduled, gone, readers: dict[str, list], with_attendees: bool) -> list[Path]:
    written = []
    for feed in feeds:
        if feed is _PLAN:
            written += _write_plan_feed(context, scheduled, gone, with_attendees)
        else:
            written.append(_write_person_feed(context, feed, readers[feed], with_attendees))
    return written


def _write_plan_feed(context, scheduled, gone: list[Withdrawal], with_attendees: bool) -> list[Path]:
    """``plan.ics`` and every occurrence's own file: each occurrence's events are built once and
    put into both calendars."""
    entries, files = [], []
    for occurrence in scheduled:
        occurrence_events = _plan_events(context, occurrence, with_attendees)
        entries.append((occurrence.start, occurrence.id, occurrence_events))
        files.append((occurrence.id, occurrence.title, occurrence_events))
    for withdrawal in (w for w in gone if w.dropped):
        before = withdrawal.occurrence
        cancelled = _cancelled_events(context, withdrawal, None)
        entries.append((before.start, before.id, cancelled))
        files.append((before.id, before.title, cancelled))
    written = [_write_calendar(context, "calendar/plan.ics", context.scenario.project.name, entries)]
    for occurrence_id, title, occurrence_events in files:
        written.append(
            _write_calendar(context, f"calendar/events/{occurrence_id}.ics", title, [(0, 0, occurrence_events)])
        )
    return written


def _write_person_feed(context, person_id: str, entries: list, with_attendees: bool) -> Path:
    person = context.scenario.people[person_id]
    feed = []
    for start, occurrence_id, what, description in entries:
        if isinstance(what, Withdrawal):
            feed.append((start, occurrence_id, _cancelled_events(context, what, person)))
        else:
            feed.append((start, occurrence_id, _plan_events(context, what, with_attendees, description)))
    name = f"{context.scenario.project.name}: {person.name}"
    return _write_calendar(context, f"calendar/people/{person_id}.ics", name, feed)


def _plan_events(context, occurrence: PlannedOccurrence, with_attendees: bool, description: str | None = None):
    """The occurrence's event, with its attendees (``with_attendees``) and the plan's description
    (or ``description``), and its sessions."""
    shared = events.occurrence_events(context, occurrence)
    attendees = events.addresses(context, (a.person for a in occurrence.attendees)) if with_attendees else []
    if description is None:
        description = events.plan_description(context, occurrence)
    return [events.with_readers(shared.event, attendees, description), *shared.sessions]


def _cancelled_events(context, withdrawal: Withdrawal, reader) -> list:
    occurrence = withdrawal.occurrence
    language = language_for(context, reader.language if reader is not None else "en")
    if withdrawal.dropped:
        note = language.gettext("This event is cancelled.")
    else:
        note = language.gettext("You are no longer expected at this event.")
    event = events.cancelled_event(context, occurrence, withdrawal.sequence, description=f"{occurrence.title}: {note}")
    sessions = events.session_events(context, occurrence, status="CANCELLED", sequence=withdrawal.sequence)
    return [event, *sessions]


def _write_calendar(context, relative: str, name: str, entries: list) -> Path:
    """A ``PUBLISH`` calendar holding the entries' events by start day, then occurrence id."""
    calendar = calendars.new_calendar("PUBLISH", name)
    for _start, _id, components in sorted(entries, key=lambda entry: (entry[0], entry[1])):
        for component in components:
            calendar.add_component(component)
    return context.write_bytes(relative, calendars.calendar_bytes(context, calendar))


def _flag(options: dict[str, str], key: str, *, default: bool) -> bool:
    value = options.get(key)
    if value is None:
        return default
    text = value.strip().lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise UsageError(f"--option {key}={value!r}: expected true or false")
