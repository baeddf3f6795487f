"""Built-in output format ``invitations``: one iMIP e-mail per attendee, ready to send.

``invitations/<occurrence>/<person>.eml`` is an RFC 5322 message with RFC 6047 (iMIP) content::

    multipart/mixed
      multipart/alternative
        text/plain                                   the invitation, in the person's language
        text/html                                    the same, for mail clients that show HTML
        text/calendar; method=REQUEST; charset=UTF-8 the event, which the client offers to accept
      application/ics  (invite.ics, attachment)     the same event, for webmail that ignores iMIP

The calendar holds ``METHOD:REQUEST`` and exactly one ``VEVENT`` (iTIP allows one UID per
message): the occurrence as an all-day event with the UID, dates and SEQUENCE of the ``ical``
feeds, the organizer, and the recipient alone as ``ATTENDEE`` with ``RSVP=TRUE;PARTSTAT=NEEDS-ACTION``.
Other participants are not listed: every message goes to one officer, and listing the others would
hand every participant's address to everyone (the agenda names participants by organisation).
Agenda sessions are in the text, not extra ``VEVENT``s.

When ``--previous`` names the plan published before, an occurrence it scheduled that is now
dropped gives ``METHOD:CANCEL`` messages to everyone it invited, and a person taken off an
occurrence gets one for that occurrence; both carry ``STATUS:CANCELLED`` and a raised SEQUENCE.

Everything in a message is deterministic (Message-ID, MIME boundaries, ``Date:`` from
``SOURCE_DATE_EPOCH``), so the same plan gives the same bytes. An occurrence's event is serialised
once with ``ATTENDEE`` and ``DESCRIPTION`` open (``icalbuild.EventTemplate``) and filled in for
each recipient, and each message is put together from a skeleton the ``email`` package wrote once
(``mailbuild``), with a policy that parses each distinct header once (``mailpolicy``): large plans
send thousands of messages.
"""

from __future__ import annotations

import hashlib
import re
from email.headerregistry import Address
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path

from scheduler.plugins import icalbuild, mailbuild
from scheduler.plugins.briefing import Briefing, attendee_briefing, description_text, shared_attendee_briefing
from scheduler.plugins.changes import Withdrawal, previously_published, withdrawals
from scheduler.plugins.i18n import Language, language_for
from scheduler.plugins.mailbuild import MessageValues
from scheduler.plugins.mailpolicy import smtp_policy
from scheduler.plugins.shared import REQUEST_TEMPLATE, known

from scheduler import OutputFormat, hookimpl
from scheduler.plan import PlannedOccurrence
from scheduler.render.pool import Batch, staged
from scheduler.render.templating import translated_template
from scheduler.scenario.domain import Person

POLICY = smtp_policy()  # email.policy.SMTP: CRLF line ends, RFC 2047 encoded words for non-ASCII names


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
                message = cancellation(context, withdrawal, person)
                written.append(_write(context, withdrawal.occurrence.id, person.id, message))
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
    scenario = context.scenario
    written = []
    for occurrence in occurrences:
        before = previously_published(context.previous, occurrence.id)
        template = None
        for attendance in occurrence.attendees:
            person = scenario.people.get(attendance.person)
            if person is None:
                continue
            was_invited = before is not None and any(a.person == person.id for a in before.attendees)
            template = template or request_template(context, occurrence)
            message = invitation(context, occurrence, person, before if was_invited else None, template)
            written.append(_write(context, occurrence.id, person.id, message))
    return written


def request_template(context, occurrence: PlannedOccurrence) -> icalbuild.EventTemplate:
    """The occurrence's event as every invitation to it carries it, with ``ATTENDEE`` (the
    recipient) and ``DESCRIPTION`` (their briefing) open.

    The ``ical`` format serialises the same event (without attendees and description, since
    ``RSVP`` is in the attendees' lines only) for its own use: where it has just done so in this
    process, its template serves."""
    made = known(context, occurrence, REQUEST_TEMPLATE)
    if made is not None:
        open_event, event_zones = made
        return open_event.event_alone(event_zones)
    return icalbuild.occurrence_template(context, occurrence, ["ATTENDEE", "DESCRIPTION"], sessions=False)[0]


def invitation(
    context,
    occurrence: PlannedOccurrence,
    person: Person,
    previous: PlannedOccurrence | None = None,
    template: icalbuild.EventTemplate | None = None,
) -> MessageValues:
    """The ``METHOD:REQUEST`` message inviting ``person``; ``previous`` is the occurrence as last
    sent to them, if it was, so the text can say what changed. ``template``: the occurrence's
    ``request_template``, where the caller keeps one for all its recipients."""
    language = language_for(context, person.language)
    briefing = shared_attendee_briefing(context, occurrence, person, language, previous)
    description = description_text(briefing)
    event = (template or request_template(context, occurrence)).fill(
        {
            "ATTENDEE": icalbuild.attendee_line(listed, rsvp=True)
            if (listed := context.scenario.people.get(person.id))
            else b"",
            "DESCRIPTION": icalbuild.text_line("DESCRIPTION", description) if description else b"",
        }
    )
    _ = language.gettext
    updated = occurrence.sequence > 0
    subject = (_("Updated invitation: %(title)s, %(dates)s") if updated else _("Invitation: %(title)s, %(dates)s")) % {
        "title": occurrence.title,
        "dates": language.short_range(occurrence.start, occurrence.end),
    }
    values = _template_values(context, person, briefing, language, updated=updated, cancelled=False, dropped=False)
    return _message(
        context,
        person,
        language,
        subject=subject,
        text=_template(context, "invitation.txt.j2", language).render(**values),
        html=_template(context, "invitation.html", language).render(**values),
        calendar=icalbuild.calendar_bytes("REQUEST", None, [event], context),
        method="REQUEST",
        key=(occurrence.id, person.id, "request", occurrence.sequence),
    )


def cancellation(context, withdrawal: Withdrawal, person: Person) -> MessageValues:
    """The ``METHOD:CANCEL`` message telling ``person`` that an occurrence they were invited to is
    dropped, or that they are no longer expected at it."""
    occurrence = withdrawal.occurrence
    language = language_for(context, person.language)
    briefing = attendee_briefing(context.scenario, occurrence, person, language)
    _ = language.gettext
    note = _("This event is cancelled.") if withdrawal.dropped else _("You are no longer expected at this event.")
    event = icalbuild.cancelled_event(
        context, occurrence, withdrawal.sequence, attendees=[person.id], description=f"{occurrence.title}: {note}"
    )
    calendar = icalbuild.new_calendar("CANCEL")
    calendar.add_component(event)
    template = (
        _("Cancelled: %(title)s, %(dates)s") if withdrawal.dropped else _("No longer expected: %(title)s, %(dates)s")
    )
    subject = template % {"title": occurrence.title, "dates": language.short_range(occurrence.start, occurrence.end)}
    values = _template_values(
        context, person, briefing, language, updated=False, cancelled=True, dropped=withdrawal.dropped
    )
    return _message(
        context,
        person,
        language,
        subject=subject,
        text=_template(context, "cancellation.txt.j2", language).render(**values),
        html=_template(context, "cancellation.html", language).render(**values),
        calendar=icalbuild.serialize(calendar, context),
        method="CANCEL",
        key=(occurrence.id, person.id, "cancel", withdrawal.sequence),
    )


def _template(context, name: str, language: Language):
    """The template with its words already in ``language`` (``_template_values`` hands it the same
    ``gettext``): ``scheduler.render.templating.translated_template``. ``Language.code`` names the catalog
    (languages without one of their own are English, the source text, whatever their dates)."""
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


def _message(context, person, language, *, subject, text, html, calendar: bytes, method, key) -> MessageValues:
    organizer = context.scenario.project.organizer
    seed = "|".join(str(k) for k in (context.scenario.project.id, *key))

    def boundary(part: str) -> str:
        # "=_" cannot occur in quoted-printable or base64 bodies, so the boundary never collides.
        return "=_" + hashlib.sha256(f"{seed}|{part}".encode()).hexdigest()[:32]

    return MessageValues(
        sender=_address(organizer.name, organizer.email),
        recipient=_address(person.name, person.email),
        subject=subject,
        date=_date(context.now),
        message_id=f"<{seed.replace('|', '.')}@{organizer.email.rpartition('@')[2]}>",
        language=language.code.replace("_", "-"),
        boundaries=(boundary("mixed"), boundary("alternative")),
        text=text,
        html=html,
        calendar=calendar,
        method=method,
    )


@lru_cache(maxsize=16)
def _date(now) -> str:
    return format_datetime(now)


@lru_cache(maxsize=4096)
def _address(name: str, email: str) -> Address:
    """Addresses are immutable and parsing one takes a while (50 us): one per person. An address
    whose user name is a dot-atom and whose domain is host names (what the scenario's e-mail
    check lets through) is the one parsing gives: its user name and domain as they are, given
    directly (1 us); anything else is parsed."""
    user, _at, domain = email.rpartition("@")
    if _DOT_ATOM.fullmatch(user) and _DOMAIN.fullmatch(domain):
        return Address(name, user, domain)
    return Address(name, addr_spec=email)


_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")  # RFC 5322 3.2.3
_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")


def _write(context, occurrence_id: str, person_id: str, message: MessageValues) -> Path:
    return context.write_bytes(f"invitations/{occurrence_id}/{person_id}.eml", mailbuild.message_bytes(message, POLICY))
