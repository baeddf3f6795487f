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

from pathlib import Path

from scheduler.plugins import icalbuild
from scheduler.plugins.briefing import attendee_briefing, description_text
from scheduler.plugins.changes import Withdrawal, previously_published, withdrawals
from scheduler.plugins.i18n import language_for

from scheduler import OutputFormat, hookimpl
from scheduler.errors import UsageError
from scheduler.plan import PlannedOccurrence

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


def render(context) -> list[Path]:
    with_attendees = _flag(context.options, ATTENDEES_OPTION, default=True)
    scheduled = sorted(context.plan.scheduled, key=lambda o: (o.start, o.id))
    gone = withdrawals(context.plan, context.previous)
    written = [_plan_feed(context, scheduled, gone, with_attendees)]
    written += _people_feeds(context, scheduled, gone, with_attendees)
    written += _event_files(context, scheduled, gone, with_attendees)
    return written


def _plan_feed(context, scheduled, gone, with_attendees) -> Path:
    project = context.scenario.project
    calendar = icalbuild.new_calendar("PUBLISH", project.name)
    entries = [(o.start, o.id, _scheduled_events(context, o, None, with_attendees)) for o in scheduled]
    entries += [(w.occurrence.start, w.occurrence.id, _cancelled_events(context, w, None)) for w in gone if w.dropped]
    _add_sorted(calendar, entries)
    return context.write_bytes("calendar/plan.ics", icalbuild.serialize(calendar, context))


def _people_feeds(context, scheduled, gone, with_attendees) -> list[Path]:
    """One feed per person who attends something (or must learn that something is withdrawn).

    People with nothing to show get no file: RFC 5545 wants at least one component in a calendar."""
    scenario = context.scenario
    entries: dict[str, list] = {}
    for occurrence in scheduled:
        for attendance in occurrence.attendees:
            person = scenario.people.get(attendance.person)
            if person is not None:
                events = _scheduled_events(context, occurrence, person, with_attendees)
                entries.setdefault(person.id, []).append((occurrence.start, occurrence.id, events))
    for withdrawal in gone:
        for person_id in withdrawal.people:
            person = scenario.people.get(person_id)
            if person is not None:
                events = _cancelled_events(context, withdrawal, person)
                entries.setdefault(person.id, []).append(
                    (withdrawal.occurrence.start, withdrawal.occurrence.id, events)
                )
    written = []
    for person_id in sorted(entries):
        person = scenario.people[person_id]
        calendar = icalbuild.new_calendar("PUBLISH", f"{scenario.project.name}: {person.name}")
        _add_sorted(calendar, entries[person_id])
        written.append(context.write_bytes(f"calendar/people/{person_id}.ics", icalbuild.serialize(calendar, context)))
    return written


def _event_files(context, scheduled, gone, with_attendees) -> list[Path]:
    written = []
    for occurrence in scheduled:
        calendar = icalbuild.new_calendar("PUBLISH", occurrence.title)
        _add_sorted(
            calendar, [(occurrence.start, occurrence.id, _scheduled_events(context, occurrence, None, with_attendees))]
        )
        written.append(
            context.write_bytes(f"calendar/events/{occurrence.id}.ics", icalbuild.serialize(calendar, context))
        )
    for withdrawal in (w for w in gone if w.dropped):
        occurrence = withdrawal.occurrence
        calendar = icalbuild.new_calendar("PUBLISH", occurrence.title)
        _add_sorted(calendar, [(occurrence.start, occurrence.id, _cancelled_events(context, withdrawal, None))])
        written.append(
            context.write_bytes(f"calendar/events/{occurrence.id}.ics", icalbuild.serialize(calendar, context))
        )
    return written


def _scheduled_events(context, occurrence: PlannedOccurrence, reader, with_attendees: bool):
    """The occurrence and its sessions; described for ``reader`` (a person) where given."""
    description = None
    if reader is not None:
        language = language_for(context, reader.language)
        before = previously_published(context.previous, occurrence.id)
        briefing = attendee_briefing(context.scenario, occurrence, reader, language, before)
        description = description_text(briefing)
    attendees = None if with_attendees else ()
    event = icalbuild.occurrence_event(context, occurrence, attendees=attendees, description=description)
    return [event, *icalbuild.session_events(context, occurrence)]


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


def _add_sorted(calendar, entries) -> None:
    """Events by start day, then occurrence id; each occurrence followed by its sessions."""
    for _start, _id, events in sorted(entries, key=lambda entry: (entry[0], entry[1])):
        for event in events:
            calendar.add_component(event)


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
