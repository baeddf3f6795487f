"""iMIP e-mail messages (RFC 5322 with RFC 6047) built with Python's ``email`` package::

    multipart/mixed
      multipart/alternative
        text/plain                                    quoted-printable, UTF-8
        text/html                                     quoted-printable, UTF-8
        text/calendar; method=...; charset=UTF-8      base64: the client offers Accept / Decline
      application/ics  (invite.ics or cancel.ics)     the same calendar, for webmail that ignores iMIP

Everything in a message is deterministic: ``Message-ID`` and the MIME boundaries are made from a
key that names the message, ``Date:`` from ``context.now``; the same plan gives the same bytes.
The bytes are what ``email.policy.SMTP`` writes (CRLF line ends, RFC 2047 encoded words). The
policy of a render shares its header objects between messages (``SharedHeaders``): the package
parses every header it is given, most headers of a render's thousands of messages are the same,
and a parsed header is immutable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage, MIMEPart
from email.policy import SMTP, EmailPolicy
from email.utils import format_datetime

_MISSING = object()


@dataclass(frozen=True)
class MessageValues:
    """Everything one invitation (or cancellation) message is made of."""

    sender: Address
    recipient: Address
    subject: str
    date: str  # the ``Date:`` value, as ``email.utils.format_datetime`` gives it
    message_id: str
    language: str  # ``Content-Language``
    boundaries: tuple[str, str]  # multipart/mixed, multipart/alternative
    text: str
    html: str
    calendar: bytes
    method: str  # REQUEST or CANCEL


def imip_values(
    context,
    *,
    recipient: Address,
    language: str,
    subject: str,
    text: str,
    html: str,
    calendar: bytes,
    method: str,
    key: tuple,
) -> MessageValues:
    """A message from the project's organizer; ``key`` names it among all messages of the project
    (e.g. occurrence, person, method and sequence) and gives its ``Message-ID`` and boundaries."""
    organizer = context.scenario.project.organizer
    seed = "|".join(str(k) for k in (context.scenario.project.id, *key))

    def boundary(part: str) -> str:
        # "=_" cannot occur in quoted-printable or base64 bodies, so the boundary never collides.
        return "=_" + hashlib.sha256(f"{seed}|{part}".encode()).hexdigest()[:32]

    return MessageValues(
        sender=address(context, organizer.name, organizer.email),
        recipient=recipient,
        subject=subject,
        date=context.memo.get("scheduler.content.messages.date", lambda: format_datetime(context.now)),
        message_id=f"<{seed.replace('|', '.')}@{organizer.email.rpartition('@')[2]}>",
        language=language.replace("_", "-"),
        boundaries=(boundary("mixed"), boundary("alternative")),
        text=text,
        html=html,
        calendar=calendar,
        method=method,
    )


def address(context, name: str, email: str) -> Address:
    """``Address(name, addr_spec=email)``, parsed once per render (each person gets many messages)."""
    return context.memo.get(("scheduler.content.address", name, email), lambda: Address(name, addr_spec=email))


def message_bytes(context, values: MessageValues) -> bytes:
    """The message as the ``email`` package writes it with the render's policy (``policy``)."""
    message_policy = policy(context)
    return build_message(values, message_policy).as_bytes(policy=message_policy)


def build_message(values: MessageValues, policy: EmailPolicy = SMTP) -> EmailMessage:
    """The message built with the ``email`` package, part by part."""
    plain = MIMEPart(policy=policy)
    plain.set_content(values.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    rich = MIMEPart(policy=policy)
    rich.set_content(values.html, subtype="html", charset="utf-8", cte="quoted-printable")
    itip = MIMEPart(policy=policy)
    itip.set_content(
        values.calendar,
        maintype="text",
        subtype="calendar",
        cte="base64",
        params={"method": values.method, "charset": "UTF-8"},
    )
    mixed, alternative_boundary = values.boundaries
    alternative = MIMEPart(policy=policy)
    # The header set_boundary() would write, parsed once rather than twice.
    alternative["Content-Type"] = f'multipart/alternative; boundary="{alternative_boundary}"'
    for part in (plain, rich, itip):
        alternative.attach(part)
    attachment = MIMEPart(policy=policy)
    filename = "cancel.ics" if values.method == "CANCEL" else "invite.ics"
    attachment.set_content(values.calendar, maintype="application", subtype="ics", cte="base64", filename=filename)

    message = EmailMessage(policy=policy)
    message["From"] = values.sender
    message["To"] = values.recipient
    message["Subject"] = values.subject
    message["Date"] = values.date
    message["Message-ID"] = values.message_id
    message["Content-Language"] = values.language
    message["MIME-Version"] = "1.0"
    message["Content-Type"] = f'multipart/mixed; boundary="{mixed}"'
    message.attach(alternative)
    message.attach(attachment)
    return message


def policy(context) -> EmailPolicy:
    """``email.policy.SMTP`` with a ``SharedHeaders`` factory, one per render."""
    return context.memo.get("scheduler.content.messages.policy", lambda: SMTP.clone(header_factory=SharedHeaders()))


class SharedHeaders(HeaderRegistry):
    """The standard header factory, giving the same header object for the same name and value, and
    the same header class for the same name (``HeaderRegistry`` makes a new class at every lookup,
    and the package looks one up for every header it stores). The objects are the ones the
    standard factory makes; a header is never changed once made (setting one replaces it).
    Headers that name one message (``Message-ID``, a multipart's boundary) are not kept."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type] = {}
        self._headers: dict[tuple, object] = {}

    def __getitem__(self, name: str) -> type:
        found = self._classes.get(name.lower())
        if found is None:
            found = self._classes[name.lower()] = super().__getitem__(name)
        return found

    def __call__(self, name: str, value):
        if type(value) is str:
            if name.lower() == "message-id" or "boundary=" in value:
                return super().__call__(name, value)
            key = (name, value)
        elif type(value) is Address:
            key = (name, Address, value.display_name, value.username, value.domain)
        else:
            return super().__call__(name, value)
        found = self._headers.get(key, _MISSING)
        if found is _MISSING:
            found = self._headers[key] = super().__call__(name, value)
        return found
