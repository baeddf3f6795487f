"""A fast, streaming reader of the parts of an .ics file that say when someone is busy.

Why not ``icalendar.Calendar.from_ical``: it builds every property of every component (HTML
descriptions, attendee lists, alarms) and takes about a second per thousand events, so an
officer's ten-year Outlook export would take minutes. This reader keeps, per VEVENT, only the
properties that matter for busy time, as raw text with their line numbers, and lets the caller
drop events that cannot touch the planning horizon as soon as each one ends; memory then grows
with the events near the horizon, not with the file. Values are interpreted elsewhere
(``scheduler.calendars.values``); recurrence is expanded by ``recurring-ical-events``.

The reader is strict about structure (a file that is not iCalendar, is cut short or has
unbalanced BEGIN/END lines is refused with the line at fault) and lenient about everything it
does not use, as real exports carry many vendor extensions.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

_NAME = re.compile(r"[A-Za-z0-9-]+")
MAX_ICS_BYTES = 64 * 1024 * 1024  # far above a decade of a busy officer's calendar (~10 MB)
MAX_KEPT_EVENTS = 50_000  # VEVENTs near the horizon; a person has a few thousand at most

# The VEVENT properties that say when and whether someone is busy; everything else is skipped.
EVENT_PROPERTIES = frozenset(
    {
        "UID",
        "SUMMARY",
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "RECURRENCE-ID",
        "SEQUENCE",
        "STATUS",
        "TRANSP",
        "X-MICROSOFT-CDO-BUSYSTATUS",
    }
)


# Properties whose malformed lines make the file unusable: they say when, or whether, someone is busy.
STRICT_PROPERTIES = frozenset(
    {"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "TRANSP", "STATUS"}
    | {"TZID", "TZOFFSETFROM", "TZOFFSETTO"}
)


class CalendarFileError(ValueError):
    """An .ics file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Property:
    """One content line: ``NAME;PARAM=VALUE:value``, with its (first physical) line number."""

    name: str
    params: dict[str, str]
    value: str
    line: int

    def show(self) -> str:
        params = "".join(f";{key}={value}" for key, value in self.params.items())
        return f"{self.name}{params}:{self.value}"


@dataclass
class Component:
    """A VEVENT or a VTIMEZONE (with its STANDARD/DAYLIGHT parts), as the lines it holds."""

    name: str
    line: int
    properties: dict[str, list[Property]] = field(default_factory=dict)
    parts: list[Component] = field(default_factory=list)

    def first(self, name: str) -> Property | None:
        found = self.properties.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[Property]:
        return self.properties.get(name, [])

    def text(self, name: str, default: str = "") -> str:
        found = self.first(name)
        return _unescape(found.value) if found else default


@dataclass
class IcsFile:
    path: Path
    calendar: dict[str, str]  # properties of the VCALENDAR itself (X-WR-TIMEZONE, PRODID, …)
    timezones: dict[str, Component]  # VTIMEZONE by TZID
    events: list[Component]  # the VEVENTs the caller kept
    event_count: int  # all VEVENTs in the file


def read_ics(path: Path, keep: Callable[[Component], bool] = lambda _: True) -> IcsFile:
    """Read ``path``; ``keep`` is asked about each VEVENT when it ends, and may drop it."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_ICS_BYTES:
            raise CalendarFileError(
                f"{path}: is {size:,} bytes; a busy calendar may have at most {MAX_ICS_BYTES:,} bytes "
                "(export only the years of the project)"
            )
        with path.open("rb") as handle:
            return _read(path, _text(handle), keep)
    except OSError as error:
        raise CalendarFileError(f"{path}: cannot be read: {error.strerror or error}") from None


def _text(handle: io.BufferedReader) -> io.TextIOWrapper:
    """The file as text: UTF-8 (with or without a byte-order mark) or UTF-16 with one (what
    Windows tools write when a file is saved again as "Unicode"). Bytes that are not UTF-8 are
    replaced: they can only be in texts such as summaries, never in times."""
    head = handle.peek(4)[:4]
    encoding = "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    return io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline=None)


def _unfolded(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """RFC 5545 unfolding: a line that starts with a space or a tab continues the one before.
    Yields each logical line with the number of its first physical line."""
    parts: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if parts and line[:1] in (" ", "\t"):
            parts.append(line[1:])
            continue
        if parts:
            yield start, parts[0] if len(parts) == 1 else "".join(parts)
        parts, start = [line], number
    if parts:
        yield start, parts[0] if len(parts) == 1 else "".join(parts)


def _read(path: Path, lines: Iterable[str], keep: Callable[[Component], bool]) -> IcsFile:
    calendar: dict[str, str] = {}
    timezones: dict[str, Component] = {}
    events: list[Component] = []
    event_count = 0
    stack: list[tuple[str, int]] = []  # open components: name and line of their BEGIN
    event: Component | None = None
    zone: Component | None = None
    zone_part: Component | None = None
    seen_calendar = False

    def fail(line: int, message: str) -> CalendarFileError:
        return CalendarFileError(f"{path}: line {line}: {message}")

    for number, line in _unfolded(lines):
        if not line or line.isspace():
            continue
        initial = line[0]
        if not seen_calendar and not stack:
            if line.strip().upper() != "BEGIN:VCALENDAR":
                raise CalendarFileError(
                    f"{path}: is not an iCalendar file: it should begin with BEGIN:VCALENDAR, "
                    f"but line {number} is {_quote(line)}"
                )
        if initial in "Bb" and line[:6].upper() == "BEGIN:":
            name = line[6:].strip().upper()
            if not stack and name != "VCALENDAR":
                raise fail(number, f"{_quote(line)} outside of a VCALENDAR")
            if name == "VCALENDAR":
                if stack:
                    raise fail(number, f"BEGIN:VCALENDAR inside {stack[-1][0]} (line {stack[-1][1]})")
                seen_calendar = True
            depth = len(stack)
            stack.append((name, number))
            if depth == 1 and name == "VEVENT":
                event = Component(name, number)
                event_count += 1
            elif depth == 1 and name == "VTIMEZONE":
                zone = Component(name, number)
            elif depth == 2 and zone is not None and name in ("STANDARD", "DAYLIGHT"):
                zone_part = Component(name, number)
            continue
        if initial in "Ee" and line[:4].upper() == "END:":
            name = line[4:].strip().upper()
            if not stack:
                raise fail(number, f"{_quote(line)} without a matching BEGIN:{name}")
            opened, opened_at = stack.pop()
            if name != opened:
                raise fail(number, f"END:{name} closes BEGIN:{opened} of line {opened_at}")
            depth = len(stack)
            if depth == 1 and name == "VEVENT" and event is not None:
                if keep(event):
                    events.append(event)
                    if len(events) > MAX_KEPT_EVENTS:
                        raise CalendarFileError(
                            f"{path}: has more than {MAX_KEPT_EVENTS:,} events in and around the planning horizon; "
                            "a busy calendar should hold one person's appointments"
                        )
                event = None
            elif depth == 1 and name == "VTIMEZONE" and zone is not None:
                tzid = zone.first("TZID")
                if tzid is None:
                    raise fail(zone.line, "VTIMEZONE without a TZID")
                timezones[tzid.value.strip()] = zone
                zone = None
            elif depth == 2 and zone is not None and zone_part is not None:
                zone.parts.append(zone_part)
                zone_part = None
            continue
        if not stack:
            continue  # text after the end of the calendar, as some tools append: not part of it
        depth = len(stack)
        if depth == 2 and event is not None:
            target, wanted = event, EVENT_PROPERTIES
        elif depth == 2 and zone is not None:
            target, wanted = zone, None
        elif depth == 3 and zone_part is not None:
            target, wanted = zone_part, None
        elif depth == 1:
            target, wanted = None, None
        else:
            continue  # inside an alarm or another component that says nothing about busy time
        prop = _content_line(line, number, fail, wanted)
        if prop is None:
            continue
        if target is None:
            calendar.setdefault(prop.name, prop.value)
        else:
            target.properties.setdefault(prop.name, []).append(prop)
    if stack:
        name, opened_at = stack[-1]
        raise CalendarFileError(f"{path}: is cut short: BEGIN:{name} of line {opened_at} is never closed")
    if not seen_calendar:
        raise CalendarFileError(f"{path}: is empty; an iCalendar file begins with BEGIN:VCALENDAR")
    return IcsFile(path, calendar, timezones, events, event_count)


def _content_line(line: str, number: int, fail, wanted: frozenset[str] | None) -> Property | None:
    """Split ``NAME;P1=V1;P2="V:2":value``; quoted parameter values may hold ``:`` and ``;``.

    A line that is not ``NAME...:value`` is refused if it names a property that says when
    someone is busy, and skipped otherwise (exports carry such debris in vendor properties)."""
    match = _NAME.match(line)
    name = match.group().upper() if match else ""
    if wanted is not None and name not in wanted:
        return None
    colon = line.find(":")
    if colon < 0 or not name:
        if name in STRICT_PROPERTIES:
            raise fail(number, f"{_quote(line)} is not an iCalendar content line (NAME:value)")
        return None
    head = line[:colon]
    if '"' in head:
        head, colon = _quoted_head(line)
        if head is None:
            raise fail(number, f"{_quote(line)} has an unclosed quote")
    params: dict[str, str] = {}
    if len(head) > len(name):
        for item in _split_params(head[len(name) + 1 :]):
            key, _, value = item.partition("=")
            params[key.strip().upper()] = value.strip().strip('"')
    return Property(name, params, line[colon + 1 :], number)


def _quoted_head(line: str) -> tuple[str | None, int]:
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            return line[:index], index
    return None, -1


def _split_params(text: str) -> list[str]:
    if '"' not in text:
        return [item for item in text.split(";") if item]
    items, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item for item in items if item]


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    out, index = [], 0
    while index < len(value):
        char = value[index]
        if char == "\\" and index + 1 < len(value):
            following = value[index + 1]
            out.append("\n" if following in "nN" else following)
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _quote(line: str) -> str:
    return repr(line if len(line) <= 60 else line[:57] + "...")
