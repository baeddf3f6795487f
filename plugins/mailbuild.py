"""The bytes of an invitation e-mail: the ``email`` package's own, without building every message with it.

``plain_message`` builds a message with Python's ``email`` package (``EmailMessage``, ``MIMEPart``,
``set_content``), one object at a time. A large plan writes thousands of such messages that share
their structure and most of their headers, and building and writing each with the package costs
about 2 ms, most of it parsing and folding the same headers and walking the same tree again.

``message_bytes`` gives the same bytes from a *skeleton*: a message built once by
``plain_message`` (per method, language, sender and date) with placeholders where a recipient's
values go, written by the package's generator and cut at the placeholders. Each recipient's pieces
are what the package would write for them:

- the headers that differ (``To``, ``Subject``, ``Message-ID``) are folded by the policy itself
  (``policy.fold_binary`` of ``policy.header_store_parse``), as the generator folds them;
- the bodies are encoded by the functions ``set_content`` calls (``email.contentmanager``'s
  ``_encode_text`` and ``_encode_base64``) and given the generator's line ends;
- the MIME boundaries (``=_`` and 32 hexadecimal digits) take the placeholders' places: every
  boundary has that form, so the folding of the ``Content-Type`` headers that carry them does not
  depend on which one it is (checked when a skeleton is built: two skeletons built with different
  placeholder boundaries must agree).

``tests/test_render_reuse.py`` compares every message of a plan with ``plain_message`` written by
the stock ``email.policy.SMTP``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from email import contentmanager, quoprimime
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.policy import EmailPolicy

_LINE_END = re.compile(r"\r\n|\r|\n")  # what the generator's _write_lines turns into policy.linesep


@dataclass(frozen=True)
class MessageValues:
    """Everything one invitation (or cancellation) message is made of."""

    sender: Address
    recipient: Address
    subject: str
    date: str  # the ``Date:`` value, as ``email.utils.format_datetime`` gives it
    message_id: str
    language: str  # ``Content-Language``
    boundaries: tuple[str, str]  # multipart/mixed, multipart/alternative: "=_" and 32 hex digits
    text: str
    html: str
    calendar: bytes
    method: str  # REQUEST or CANCEL


def plain_message(values: MessageValues, policy: EmailPolicy) -> EmailMessage:
    """The message built with the ``email`` package, part by part (see the invitations module)."""
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


def message_bytes(values: MessageValues, policy: EmailPolicy) -> bytes:
    """``plain_message(values, policy).as_bytes(policy=policy)``, put together from a skeleton."""
    if not all(_BOUNDARY.fullmatch(boundary) for boundary in values.boundaries):
        return plain_message(values, policy).as_bytes(policy=policy)
    key = (id(policy), values.sender.display_name, values.sender.addr_spec, values.date, values.language, values.method)
    found = _skeletons.get(key)
    if found is None:
        if len(_skeletons) >= 256:
            _skeletons.clear()
        found = _skeletons[key] = (
            policy,
            _skeleton(values.sender, values.date, values.language, values.method, policy),
        )
    skeleton = found[1]
    return skeleton.fill(
        {
            "To": _shaped_header(policy, "To", values.recipient),
            "Subject": _shaped_header(policy, "Subject", values.subject),
            "Message-ID": _message_id(policy, values.message_id),
            "mixed": values.boundaries[0].encode("ascii"),
            "alternative": values.boundaries[1].encode("ascii"),
            "text": quoted_printable(policy, values.text),
            "html": quoted_printable(policy, values.html),
            "calendar": _written(policy, contentmanager._encode_base64(values.calendar, policy.max_line_length)),
        }
    )


_BOUNDARY = re.compile(r"=_[0-9a-f]{32}")  # the form of every boundary the invitations use
_PLACEHOLDERS = MessageValues(
    sender=Address("", addr_spec="sender@placeholder.invalid"),
    recipient=Address("Placeholder Recipient", addr_spec="recipient@placeholder.invalid"),
    subject="PlaceholderSubject",
    date="",
    message_id="<placeholder.message.id@placeholder.invalid>",
    language="",
    boundaries=("=_" + "0" * 31 + "1", "=_" + "0" * 31 + "2"),
    text="PlaceholderText",
    html="PlaceholderHtml",
    calendar=b"PlaceholderCalendar",
    method="",
)
_OTHER_BOUNDARIES = ("=_" + "f" * 31 + "e", "=_" + "9" * 31 + "a")


@dataclass(frozen=True)
class Skeleton:
    """A message written once, as bytes between its slots."""

    pieces: tuple[bytes, ...]  # one more than there are slots
    slots: tuple[str, ...]

    def fill(self, values: dict[str, bytes]) -> bytes:
        data = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            data += (values[slot], piece)
        return b"".join(data)


_skeletons: dict[tuple, tuple[EmailPolicy, Skeleton]] = {}  # the policy kept alive, so its id stays its own


def _skeleton(sender: Address, date: str, language: str, method: str, policy: EmailPolicy) -> Skeleton:
    values = replace(_PLACEHOLDERS, sender=sender, date=date, language=language, method=method)
    written = plain_message(values, policy).as_bytes(policy=policy)
    other = replace(values, boundaries=_OTHER_BOUNDARIES)
    swapped = plain_message(other, policy).as_bytes(policy=policy)
    for placeholder, boundary in zip(values.boundaries, other.boundaries, strict=True):
        swapped = swapped.replace(boundary.encode(), placeholder.encode())
    if swapped != written:
        raise AssertionError("the e-mail policy folds MIME boundaries differently: cannot reuse a skeleton")
    slots = {
        "To": _header(policy, "To", values.recipient),
        "Subject": _header(policy, "Subject", values.subject),
        "Message-ID": _header(policy, "Message-ID", values.message_id),
        "mixed": values.boundaries[0].encode(),
        "alternative": values.boundaries[1].encode(),
        "text": _written(policy, contentmanager._encode_text(values.text, "utf-8", "quoted-printable", policy)[1]),
        "html": _written(policy, contentmanager._encode_text(values.html, "utf-8", "quoted-printable", policy)[1]),
        "calendar": _written(policy, contentmanager._encode_base64(values.calendar, policy.max_line_length)),
    }
    expected = {"To": 1, "Subject": 1, "Message-ID": 1, "text": 1, "html": 1, "calendar": 2}
    found = []
    for slot, placeholder in slots.items():
        at = [m.start() for m in re.finditer(re.escape(placeholder), written)]
        if len(at) != expected.get(slot, len(at)) or not at:
            raise AssertionError(f"the e-mail skeleton has {len(at)} {slot} slots")
        found += [(start, start + len(placeholder), slot) for start in at]
    found.sort()
    pieces, start = [], 0
    for begin, end, _slot in found:
        if begin < start:
            raise AssertionError("overlapping slots in the e-mail skeleton")
        pieces.append(written[start:begin])
        start = end
    pieces.append(written[start:])
    return Skeleton(tuple(pieces), tuple(slot for *_, slot in found))


def _header(policy: EmailPolicy, name: str, value) -> bytes:
    """The header as the generator writes it: stored as ``msg[name] = value`` stores it, then folded."""
    return policy.fold_binary(*policy.header_store_parse(name, value))


_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]")
_folded_shapes: dict[tuple[int, str], tuple[EmailPolicy, bool]] = {}


def _message_id(policy: EmailPolicy, value: str) -> bytes:
    """The ``Message-ID`` header, unique to each message: parsing and folding one costs more than
    everything else in its headers. Letters and digits are alike to the parser and the folder
    (``atext``): where the policy writes a value's *shape* (each letter and digit an ``a``) as it is
    given, it writes every value of that shape as given; other values are folded by the policy."""
    if not value.isascii():
        return _header(policy, "Message-ID", value)
    shape = _ALPHANUMERIC.sub("a", value)
    key = (id(policy), shape)
    found = _folded_shapes.get(key)
    if found is None:
        if len(_folded_shapes) >= 4096:
            _folded_shapes.clear()
        verbatim = _header(policy, "Message-ID", shape) == f"Message-ID: {shape}{policy.linesep}".encode("ascii")
        found = _folded_shapes[key] = (policy, verbatim)
    if found[1]:
        return f"Message-ID: {value}{policy.linesep}".encode("ascii")
    return _header(policy, "Message-ID", value)


_SHAPE = "z"  # no fixed part of a folded header holds it: "To", "Subject", "=?utf-8?q?", hex in capitals
_ENCODED_WORD = re.compile(r"=\?")  # a value holding one is parsed by what it says: folded as it is
_BASE64_WORD = re.compile(rb"=\?[^?]*\?[bB]\?")
_shaped: dict[tuple, tuple[EmailPolicy, tuple[bytes, ...] | None]] = {}


def _shaped_header(policy: EmailPolicy, name: str, value: str | Address) -> bytes:
    """``_header(policy, name, value)`` for ``To`` and ``Subject``, each distinct value of which
    takes a while to parse and fold, while values of the same *shape* (each ASCII letter and digit
    a ``z``) fold alike: letters and digits are alike to the parser (``atext``) and to the folder
    (the same lengths, the same places to fold, passed as they are in ``q`` encoded words). The
    shape's folded header is cut at each ``z`` and the value's letters and digits go back in
    order. A shape is used only where its folded header holds no base64 encoded word and exactly
    one ``z`` per letter and digit, and where the value that brought it folds that way."""
    parts = (value.display_name, value.username, value.domain) if isinstance(value, Address) else (value,)
    exact = (id(policy), name, type(value), parts)
    done = _folded_values.get(exact)
    if done is not None and done[0] is policy:
        return done[1]
    if len(_folded_values) >= 65536:
        _folded_values.clear()
    folded = _folded_values[exact] = (policy, _shaped_fold(policy, name, value, parts))
    return folded[1]


_folded_values: dict[tuple, tuple[EmailPolicy, bytes]] = {}  # the same recipient and subject come again


def _shaped_fold(policy: EmailPolicy, name: str, value: str | Address, parts: tuple[str, ...]) -> bytes:
    if any(_ENCODED_WORD.search(part) for part in parts):
        return _header(policy, name, value)
    characters = [character.encode("ascii") for part in parts for character in _ALPHANUMERIC.findall(part)]
    shapes = tuple(_ALPHANUMERIC.sub(_SHAPE, part) for part in parts)
    key = (id(policy), name, type(value), shapes)
    found = _shaped.get(key)
    if found is None:
        if len(_shaped) >= 16384:
            _shaped.clear()
        real = _header(policy, name, value)
        shape = Address(*shapes) if isinstance(value, Address) else shapes[0]
        folded = _header(policy, name, shape)
        pieces = tuple(folded.split(_SHAPE.encode("ascii")))
        usable = len(pieces) == len(characters) + 1 and not _BASE64_WORD.search(folded)
        if not usable or _put_back(pieces, characters) != real:
            pieces = None
        _shaped[key] = (policy, pieces)
        return real
    if found[1] is None:
        return _header(policy, name, value)
    return _put_back(found[1], characters)


def _put_back(pieces: tuple[bytes, ...], characters: list[bytes]) -> bytes:
    data = [pieces[0]]
    for character, piece in zip(characters, pieces[1:], strict=True):
        data += (character, piece)
    return b"".join(data)


class _EncodedLines(dict):
    """Each distinct line of a body, encoded as ``quoted_printable`` writes it, made when first asked."""

    def __init__(self, max_line_length: int, policy: EmailPolicy) -> None:
        super().__init__()
        self.max_line_length, self.policy = max_line_length, policy

    def __missing__(self, line: bytes) -> bytes:
        body = quoprimime.body_encode(line.decode("latin-1") + "\n", self.max_line_length)
        found = self[line] = _written(self.policy, body)
        return found


_encoded_lines: dict[tuple[int, str], _EncodedLines] = {}
MAX_ENCODED_LINES = 200_000  # distinct lines kept per policy; beyond that the memory starts afresh


def quoted_printable(policy: EmailPolicy, text: str) -> bytes:
    """A text body in UTF-8 and quoted-printable as the generator writes it: what
    ``_encode_text(text, "utf-8", "quoted-printable", policy)`` gives, through ``_written``.

    That function encodes the whole body with ``quoprimime.body_encode``, which encodes each line
    on its own (a line's soft breaks depend on that line alone) and joins them with line ends: so
    each line is encoded by ``body_encode`` itself, once per distinct line, and the lines are
    joined here. Invitations repeat most of their lines (the templates' markup and words)."""
    lines = text.encode("utf-8").splitlines()
    if not lines:
        return _written(policy, contentmanager._encode_text(text, "utf-8", "quoted-printable", policy)[1])
    key = (policy.max_line_length, policy.linesep)
    known = _encoded_lines.get(key)
    if known is None or len(known) >= MAX_ENCODED_LINES:
        known = _encoded_lines[key] = _EncodedLines(policy.max_line_length, policy)
    return b"".join(map(known.__getitem__, lines))


def _written(policy: EmailPolicy, payload: str) -> bytes:
    """A text payload as the generator writes it: each line end the policy's, unencodable bytes kept."""
    return _LINE_END.sub(policy.linesep, payload).encode("ascii", "surrogateescape")
