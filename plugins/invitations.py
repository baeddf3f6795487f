"""Built-in output format ``invitations``: one iMIP e-mail per attendee, ready to send.

``invitations/<occurrence>/<person>.eml`` is an RFC 5322 message with RFC 6047 (iMIP) content
(its structure: ``scheduler.content.messages``), the text and HTML from the templates in the
person's language. The calendar holds ``METHOD:REQUEST`` and exactly one ``VEVENT`` (iTIP allows
one UID per message): the occurrence as an all-day event with the UID, dates and SEQUENCE of the
``ical`` feeds, the organizer, and the recipient alone as ``ATTENDEE`` with
``RSVP=TRUE;PARTSTAT=NEEDS-ACTION``. Other participants are not listed: every message goes to one
officer, and listing the others would hand every participant's address to everyone (the agenda
names participants by organisation). Agenda sessions are in the text, not extra ``VEVENT``\\ s.

When ``--previous`` names the plan published before, an occurrence it scheduled that is now
dropped gives ``METHOD:CANCEL`` messages to everyone it invited, and a person taken off an
occurrence gets one for that occurrence; both carry ``STATUS:CANCELLED`` and a raised SEQUENCE.
"""

from __future__ import annotations

from pathlib import Path

from scheduler import OutputFormat, hookimpl
from scheduler.content import calendars, events, messages
from scheduler.content.briefing import Briefing, attendee_briefing, description_text, planned_attendee_briefing
from scheduler.content.languages import Language, language_for
from scheduler.content.withdrawals import Withdrawal, previously_published, withdrawals
from scheduler.plan import PlannedOccurrence
from scheduler.render.pool import Batch, staged
from scheduler.render.templating import translated_template
from scheduler.scenario.domain import Person


@hookimpl
def register_output_formats():
    return [
        OutputFormat(
            "invitations",
            "E-mail invitations (iMIP, .eml) per attendee and occurrence, with cancellations for a re-planned schedule",
            render,
        )
    ]


def _stages(context):
    """One batch: the invitations to each scheduled occurrence (see ``scheduler.render.pool``);
    then the cancellations, here."""
    scenario = context.scenario
    scheduled = sorted(context.plan.scheduled, key=lambda o: (o.start, o.id))
    _load_templates(context, scheduled)
    written = yield Batch(scheduled, _invite)
    for withdrawal in withdrawals(context.plan, context.previous):
        for person_id in withdrawal.people:
            person = scenario.people.get(person_id)
            if person is not None:  # someone no longer in the scenario has no address to write to
                written.append(
                    _write(context, withdrawal.occurrence.id, person.id, cancellation(context, withdrawal, person))
                )
    return written


render = staged(_stages)


def _load_templates(context, scheduled: list[PlannedOccurrence]) -> None:
    """The invitation templates in each attendee's language, loaded here once rather than in
    every worker process."""
    codes: dict[str, Language] = {}
    for occurrence in scheduled:
        for attendance in occurrence.attendees:
            person = context.scenario.people.get(attendance.person)
            if person is not None:
                language = language_for(context, person.language)
                codes.setdefault(language.code, language)
    for _code, language in sorted(codes.items()):
        for name in ("invitation.txt.j2", "invitation.html"):
            _template(context, name, language)


def _invite(context, occurrences: list[PlannedOccurrence]) -> list[Path]:
    """The invitations to these occurrences, each occurrence's attendees in the plan's order."""
    written = []
    for occurrence in occurrences:
        before = previously_published(context, occurrence.id)
        for attendance in occurrence.attendees:
            person = context.scenario.people.get(attendance.person)
            if person is None:
                continue
            was_invited = before is not None and any(a.person == person.id for a in before.attendees)
            message = invitation(context, occurrence, person, before if was_invited else None)
            written.append(_write(context, occurrence.id, person.id, message))
    return written


def invitation(
    context, occurrence: PlannedOccurrence, person: Person, previous: PlannedOccurrence | None = None
) -> messages.MessageValues:
    """The ``METHOD:REQUEST`` message inviting ``person`` to an occurrence of ``context.plan``;
    ``previous`` is the occurrence as last sent to them, if it was, so the text can say what
    changed."""
    language = language_for(context, person.language)
    briefing = planned_attendee_briefing(context, occurrence, person, language, previous)
    base = events.occurrence_events(context, occurrence).event
    event = events.with_readers(base, events.addresses(context, [person.id], rsvp=True), description_text(briefing))
    calendar = calendars.new_calendar("REQUEST")
    calendar.add_component(event)
    _ = language.gettext
    updated = occurrence.sequence > 0
    subject = (_("Updated invitation: %(title)s, %(dates)s") if updated else _("Invitation: %(title)s, %(dates)s")) % {
        "title": occurrence.title,
        "dates": language.short_range(occurrence.start, occurrence.end),
    }
    values = _template_values(context, person, briefing, language, updated=updated, cancelled=False, dropped=False)
    return messages.imip_values(
        context,
        recipient=messages.address(context, person.name, person.email),
        language=language.code,
        subject=subject,
        text=_template(context, "invitation.txt.j2", language).render(**values),
        html=_template(context, "invitation.html", language).render(**values),
        calendar=calendars.calendar_bytes(context, calendar),
        method="REQUEST",
        key=(occurrence.id, person.id, "request", occurrence.sequence),
    )


def cancellation(context, withdrawal: Withdrawal, person: Person) -> messages.MessageValues:
    """The ``METHOD:CANCEL`` message telling ``person`` that an occurrence they were invited to is
    dropped, or that they are no longer expected at it."""
    occurrence = withdrawal.occurrence
    language = language_for(context, person.language)
    briefing = attendee_briefing(context, occurrence, person, language)
    _ = language.gettext
    note = _("This event is cancelled.") if withdrawal.dropped else _("You are no longer expected at this event.")
    event = events.cancelled_event(
        context, occurrence, withdrawal.sequence, attendees=[person.id], description=f"{occurrence.title}: {note}"
    )
    calendar = calendars.new_calendar("CANCEL")
    calendar.add_component(event)
    template = (
        _("Cancelled: %(title)s, %(dates)s") if withdrawal.dropped else _("No longer expected: %(title)s, %(dates)s")
    )
    subject = template % {"title": occurrence.title, "dates": language.short_range(occurrence.start, occurrence.end)}
    values = _template_values(
        context, person, briefing, language, updated=False, cancelled=True, dropped=withdrawal.dropped
    )
    return messages.imip_values(
        context,
        recipient=messages.address(context, person.name, person.email),
        language=language.code,
        subject=subject,
        text=_template(context, "cancellation.txt.j2", language).render(**values),
        html=_template(context, "cancellation.html", language).render(**values),
        calendar=calendars.calendar_bytes(context, calendar),
        method="CANCEL",
        key=(occurrence.id, person.id, "cancel", withdrawal.sequence),
    )


def _template(context, name: str, language: Language):
    """The template with its words already in ``language`` (``_template_values`` hands it the same
    ``gettext``): ``scheduler.render.templating.translated_template``. ``Language.code`` names the
    catalog (languages without one of their own are English, the source text, whatever their dates)."""
    return translated_template(context.templates, name, language.code, language.gettext)


def _template_values(context, person, briefing: Briefing, language: Language, *, updated, cancelled, dropped):
    """What the templates see: the briefing and the words to frame it (``_``, ``ngettext``)."""
    return {
        "_": language.gettext,
        "gettext": language.gettext,
        "ngettext": language.ngettext,
        "language": language.code,
        "person": person,
        "project": context.scenario.project,
        "briefing": briefing,
        "updated": updated,
        "cancelled": cancelled,
        "dropped": dropped,
    }


def _write(context, occurrence_id: str, person_id: str, message: messages.MessageValues) -> Path:
    return context.write_bytes(f"invitations/{occurrence_id}/{person_id}.eml", messages.message_bytes(context, message))
