"""Built-in output format ``ical``: iCalendar feeds of the plan, per person and per occurrence.

Writes ``calendar/plan.ics`` (every occurrence, for the coordinators), ``calendar/people/<person>.ics``
(what one person attends, described in their language: their travel days and what is paid for
them) and ``calendar/events/<occurrence>.ics`` (one occurrence, to attach or import). All carry
``METHOD:PUBLISH``; the events themselves are built in ``scheduler.plugins.icalbuild``, shared with
the invitations.

Occurrences that the previous plan (``--previous``) scheduled and this one drops stay in the
feeds as ``STATUS:CANCELLED`` with a raised ``SEQUENCE``, so an imported copy is updated rather
than left behind; a person taken off an occurrence finds it cancelled in their own feed.

Option ``--option ical.attendees=false`` leaves ``ATTENDEE`` out of the published feeds: RFC 5546
(iTIP) allows no ``ATTENDEE`` in a ``PUBLISH``, and some coordinators would rather not publish the
participants' e-mail addresses. By default they are listed, as the spec asks and as Outlook and
Google do in their own exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scheduler.plugins import icalbuild
from scheduler.plugins.briefing import description_text, occurrence_briefing, shared_attendee_briefing
from scheduler.plugins.changes import Withdrawal, previously_published, withdrawals
from scheduler.plugins.i18n import language_for
from scheduler.plugins.shared import REQUEST_TEMPLATE, remembered

from scheduler import OutputFormat, hookimpl
from scheduler.errors import UsageError
from scheduler.plan import PlannedOccurrence
from scheduler.render.pool import Batch, staged

ATTENDEES_OPTION = "ical.attendees"


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
    """Two batches (see ``scheduler.render.pool``): each occurrence's events, its own file and
    each attendee's ``DESCRIPTION``; then the people's feeds. The plan feed is put together here."""
    with_attendees = _flag(context.options, ATTENDEES_OPTION, default=True)
    scheduled = sorted(context.plan.scheduled, key=lambda o: (o.start, o.id))
    gone = withdrawals(context.plan, context.previous)
    # Each occurrence's events are built and serialised once: as the plan has them (for the plan
    # feed and the occurrence's own file) and with DESCRIPTION open (for each reader's feed).
    built = yield Batch(
        scheduled,
        lambda context, chunk: [_occurrence_pieces(context, occurrence, with_attendees) for occurrence in chunk],
    )
    pieces = {o.id: piece for o, piece in zip(scheduled, built, strict=True)}
    written = [_plan_feed(context, scheduled, gone, pieces)]
    entries = _people_entries(context, scheduled, gone, pieces)
    written += yield Batch(sorted(entries), lambda context, people: _write_people_feeds(context, people, entries))
    written += [pieces[o.id].event_file for o in scheduled]
    written += _dropped_event_files(context, gone)
    return written


render = staged(_stages)


@dataclass(frozen=True)
class _Pieces:
    """One occurrence's share of the feeds, made where its batch ran."""

    events: icalbuild.Serialised  # its event and sessions as the plan has them
    template: icalbuild.EventTemplate  # the same with DESCRIPTION open for a reader's briefing
    descriptions: dict[str, bytes]  # per attendee: their DESCRIPTION line (b"" for none)
    event_file: Path  # calendar/events/<occurrence>.ics, written


def _occurrence_pieces(context, occurrence: PlannedOccurrence, with_attendees: bool) -> _Pieces:
    events, template = _occurrence_events(context, occurrence, with_attendees)
    descriptions = {}
    for attendance in occurrence.attendees:
        person = context.scenario.people.get(attendance.person)
        if person is not None:
            descriptions[person.id] = _description_line(context, occurrence, person)
    data = _calendar_bytes(context, occurrence.title, [(occurrence.start, occurrence.id, events)])
    return _Pieces(events, template, descriptions, context.write_bytes(f"calendar/events/{occurrence.id}.ics", data))


def _plan_feed(context, scheduled, gone, pieces) -> Path:
    project = context.scenario.project
    entries = [(o.start, o.id, pieces[o.id].events) for o in scheduled]
    entries += [(w.occurrence.start, w.occurrence.id, _cancelled(context, w, None)) for w in gone if w.dropped]
    return context.write_bytes("calendar/plan.ics", _calendar_bytes(context, project.name, entries))


def _people_entries(context, scheduled, gone, pieces) -> dict[str, list]:
    """Per person who attends something (or must learn that something is withdrawn): their feed's
    entries. People with nothing to show get no file: RFC 5545 wants at least one component in a
    calendar. An occurrence's events differ from reader to reader only in the ``DESCRIPTION`` of
    the occurrence's event (the reader's briefing), so they are serialised once with that line
    open (``icalbuild.EventTemplate``) and each reader's line is filled in."""
    scenario = context.scenario
    entries: dict[str, list] = {}
    for occurrence in scheduled:
        piece = pieces[occurrence.id]
        for attendance in occurrence.attendees:
            person = scenario.people.get(attendance.person)
            if person is not None:
                events = (piece.template, piece.descriptions[person.id])  # filled in by whoever writes the feed
                entries.setdefault(person.id, []).append((occurrence.start, occurrence.id, events))
    for withdrawal in gone:
        for person_id in withdrawal.people:
            person = scenario.people.get(person_id)
            if person is not None:
                events = _cancelled(context, withdrawal, person)
                entries.setdefault(person.id, []).append(
                    (withdrawal.occurrence.start, withdrawal.occurrence.id, events)
                )
    return entries


def _write_people_feeds(context, people: list[str], entries: dict[str, list]) -> list[Path]:
    scenario = context.scenario
    written = []
    for person_id in people:
        person = scenario.people[person_id]
        data = _calendar_bytes(context, f"{scenario.project.name}: {person.name}", _filled(entries[person_id]))
        written.append(context.write_bytes(f"calendar/people/{person_id}.ics", data))
    return written


def _filled(entries: list) -> list:
    """Each entry's events for its reader: a template filled with their briefing, or as they are."""
    filled = []
    for start, occurrence_id, events in entries:
        if isinstance(events, tuple):  # (template, the reader's DESCRIPTION line)
            template, line = events
            events = template.fill({"DESCRIPTION": line})
        filled.append((start, occurrence_id, events))
    return filled


def _dropped_event_files(context, gone) -> list[Path]:
    written = []
    for withdrawal in (w for w in gone if w.dropped):
        occurrence = withdrawal.occurrence
        entries = [(occurrence.start, occurrence.id, _cancelled(context, withdrawal, None))]
        written.append(
            context.write_bytes(
                f"calendar/events/{occurrence.id}.ics", _calendar_bytes(context, occurrence.title, entries)
            )
        )
    return written


def _occurrence_events(context, occurrence: PlannedOccurrence, with_attendees: bool):
    """The occurrence's event and sessions, serialised as the plan describes them, and as a
    template with ``DESCRIPTION`` open for a reader's briefing.

    The event is serialised once with ``ATTENDEE`` and ``DESCRIPTION`` open (from lines remembered
    per property value: ``icalbuild.occurrence_template``): its attendees' lines
    (each person's, made once) and the plan's English description go in for the plan feed; the
    attendees alone for a reader's template; and the ``invitations`` to this occurrence, run right
    after in this process, take the event alone with both slots open as their request template
    (it is theirs: the same event without attendees and description, ``RSVP`` being in the
    attendees' lines only)."""
    open_event, event_zones = icalbuild.occurrence_template(context, occurrence, ["ATTENDEE", "DESCRIPTION"])
    remembered(context, occurrence, REQUEST_TEMPLATE, lambda: (open_event, event_zones))
    attendees = b""
    if with_attendees:
        people = (context.scenario.people.get(a.person) for a in occurrence.attendees)
        attendees = b"".join(icalbuild.attendee_line(person) for person in people if person is not None)
    english = language_for(context, "en")
    description = description_text(occurrence_briefing(context.scenario, occurrence, english))
    plan_line = icalbuild.text_line("DESCRIPTION", description) if description else b""
    shared = open_event.fill({"ATTENDEE": attendees, "DESCRIPTION": plan_line})
    return shared, open_event.filled_in({"ATTENDEE": attendees})


def _description(context, occurrence: PlannedOccurrence, reader) -> str:
    language = language_for(context, reader.language)
    before = previously_published(context.previous, occurrence.id)
    return description_text(shared_attendee_briefing(context, occurrence, reader, language, before))


def _description_line(context, occurrence: PlannedOccurrence, reader) -> bytes:
    description = _description(context, occurrence, reader)
    return icalbuild.text_line("DESCRIPTION", description) if description else b""


def _cancelled(context, withdrawal: Withdrawal, reader) -> icalbuild.Serialised:
    return icalbuild.serialised(*_cancelled_events(context, withdrawal, reader))


def _cancelled_events(context, withdrawal: Withdrawal, reader):
    occurrence = withdrawal.occurrence
    language = language_for(context, reader.language if reader is not None else "en")
    if withdrawal.dropped:
        note = language.gettext("This event is cancelled.")
    else:
        note = language.gettext("You are no longer expected at this event.")
    description = f"{occurrence.title}: {note}"
    event = icalbuild.cancelled_event(context, occurrence, withdrawal.sequence, description=description)
    sessions = icalbuild.session_events(context, occurrence, status="CANCELLED", sequence=withdrawal.sequence)
    return [event, *sessions]


def _calendar_bytes(context, name: str, entries) -> bytes:
    """A ``PUBLISH`` calendar with the entries' events by start day, then occurrence id; each
    occurrence followed by its sessions."""
    ordered = sorted(entries, key=lambda entry: (entry[0], entry[1]))
    return icalbuild.calendar_bytes("PUBLISH", name, (events for _start, _id, events in ordered), context)


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
