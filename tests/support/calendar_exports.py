"""Calendar files shaped like the exports of Outlook, Google Calendar and Thunderbird, for the tests.

The busy-calendar reader must cope with what those programs really write, so these files are
written as text, line by line, the way each program writes them (its PRODID, its VTIMEZONE
blocks, its way of writing times, its vendor properties, CRLF line ends and 75-octet folding),
rather than through the icalendar library that the reader itself uses.

A test describes its events with :class:`Entry` and asks one of :func:`outlook`, :func:`google`
or :func:`thunderbird` for the bytes of a file:

- a ``date`` is an all-day value (``VALUE=DATE``);
- a naive ``datetime`` is a wall-clock time in the file's time zone (Outlook and Thunderbird
  write it with ``TZID``; Google writes a recurring event that way too, but converts a single
  event to UTC, as its export does);
- an aware ``datetime`` is an instant; Outlook and Thunderbird convert it to the file's zone,
  Google writes it in UTC;
- ``floating=True`` writes naive times without ``TZID`` (some older tools do), and ``tzid`` forces
  another zone name on one entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

Moment = dt.date | dt.datetime

# VTIMEZONE blocks as Outlook writes them for Windows zone names (rules from 1601, no TZNAME).
WINDOWS_ZONES: dict[str, tuple[str, tuple[str, ...]]] = {
    "W. Europe Standard Time": (
        "Europe/Berlin",
        (
            "BEGIN:STANDARD",
            "DTSTART:16011028T030000",
            "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "END:STANDARD",
            "BEGIN:DAYLIGHT",
            "DTSTART:16010325T020000",
            "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200",
            "END:DAYLIGHT",
        ),
    ),
    "GTB Standard Time": (
        "Europe/Bucharest",
        (
            "BEGIN:STANDARD",
            "DTSTART:16011028T040000",
            "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
            "TZOFFSETFROM:+0300",
            "TZOFFSETTO:+0200",
            "END:STANDARD",
            "BEGIN:DAYLIGHT",
            "DTSTART:16010325T030000",
            "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0300",
            "END:DAYLIGHT",
        ),
    ),
}

# VTIMEZONE blocks as Google Calendar and Thunderbird write them for IANA names.
IANA_ZONES: dict[str, tuple[str, ...]] = {
    "Europe/Bucharest": (
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0300",
        "TZNAME:EEST",
        "DTSTART:19700329T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0300",
        "TZOFFSETTO:+0200",
        "TZNAME:EET",
        "DTSTART:19701025T040000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
    ),
    "Europe/Berlin": (
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "TZNAME:CEST",
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "TZNAME:CET",
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
    ),
    "Europe/Chisinau": (
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0300",
        "TZNAME:EEST",
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0300",
        "TZOFFSETTO:+0200",
        "TZNAME:EET",
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
    ),
}

STAMP = "20240601T080000Z"


@dataclass(frozen=True)
class Entry:
    """One VEVENT: a single event, the master of a series, or (with ``recurrence_id``) one changed
    or cancelled instance of a series with the same ``uid``."""

    summary: str
    start: Moment
    end: Moment | None = None
    duration: str | None = None  # an iCalendar duration such as "PT5H", written instead of DTEND
    rrule: str | None = None
    rdates: Sequence[Moment] = ()
    exdates: Sequence[Moment | str] = ()  # a str is written as the whole line, e.g. "EXDATE:20240716T070000Z"
    extra: Sequence[str] = ()  # more content lines, written as they are
    recurrence_id: Moment | None = None
    uid: str | None = None
    status: str | None = None  # CONFIRMED, TENTATIVE, CANCELLED
    busy: bool = True  # False: shown as free (TRANSP:TRANSPARENT)
    floating: bool = False
    tzid: str | None = None  # write this TZID (and no conversion) instead of the file's zone
    sequence: int = 0
    description: str = ""


def outlook(entries: Iterable[Entry], zone: str = "W. Europe Standard Time", *, custom_zone: bool = False) -> bytes:
    """An Outlook "Save as iCalendar" export: Windows zone names with their VTIMEZONE.

    With ``custom_zone`` the zone is written as Outlook does when the user's settings do not match a
    Windows zone exactly: a VTIMEZONE named "Customized Time Zone" with the same rules."""
    iana, rules = WINDOWS_ZONES[zone]
    name = "Customized Time Zone" if custom_zone else zone
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
        "VERSION:2.0",
        "METHOD:PUBLISH",
        "X-CALSTART:20240101T000000Z",
        "X-WR-CALNAME:Calendar",
        "BEGIN:VTIMEZONE",
        f"TZID:{name}",
        *rules,
        "END:VTIMEZONE",
    ]
    tzid = f'"{name}"' if custom_zone else name
    for number, entry in enumerate(entries):
        all_day = _is_date(entry.start)
        lines += [
            "BEGIN:VEVENT",
            "CLASS:PUBLIC",
            f"CREATED:{STAMP}",
            f"DESCRIPTION:{_text(entry.description or ' ')}",
        ]
        lines += _times(entry, tzid, ZoneInfo(iana), utc_singles=False)
        lines += [
            f"DTSTAMP:{STAMP}",
            f"LAST-MODIFIED:{STAMP}",
            "PRIORITY:5",
            f"SEQUENCE:{entry.sequence}",
            f"SUMMARY;LANGUAGE=en-us:{_text(entry.summary)}",
            f"TRANSP:{'OPAQUE' if entry.busy else 'TRANSPARENT'}",
            f"UID:{entry.uid or _outlook_uid(number)}",
            f"X-MICROSOFT-CDO-BUSYSTATUS:{_outlook_busy_status(entry, all_day)}",
            "X-MICROSOFT-CDO-IMPORTANCE:1",
            "X-MICROSOFT-DISALLOW-COUNTER:FALSE",
            "X-MS-OLK-AUTOFILLLOCATION:FALSE",
            "X-MS-OLK-CONFTYPE:0",
        ]
        if all_day:
            lines.append("X-MICROSOFT-CDO-ALLDAYEVENT:TRUE")
        if entry.status:
            lines.append(f"STATUS:{entry.status}")
        lines += ["BEGIN:VALARM", "TRIGGER:-PT15M", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "END:VALARM"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return _encode(lines)


def google(entries: Iterable[Entry], zone: str = "Europe/Bucharest", *, account: str = "officer@example.org") -> bytes:
    """A Google Calendar export (Settings, Import & export): single events in UTC, series with TZID."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{account}",
        f"X-WR-TIMEZONE:{zone}",
        "BEGIN:VTIMEZONE",
        f"TZID:{zone}",
        f"X-LIC-LOCATION:{zone}",
        *IANA_ZONES[zone],
        "END:VTIMEZONE",
    ]
    for number, entry in enumerate(entries):
        lines.append("BEGIN:VEVENT")
        lines += _times(entry, zone, ZoneInfo(zone), utc_singles=True)
        lines += [
            f"DTSTAMP:{STAMP}",
            f"UID:{entry.uid or f'{number:04d}abcdefghijklmnopqrstuv@google.com'}",
            f"CREATED:{STAMP}",
            f"DESCRIPTION:{_text(entry.description)}",
            f"LAST-MODIFIED:{STAMP}",
            "LOCATION:",
            f"SEQUENCE:{entry.sequence}",
            f"STATUS:{entry.status or 'CONFIRMED'}",
            f"SUMMARY:{_text(entry.summary)}",
            f"TRANSP:{'OPAQUE' if entry.busy else 'TRANSPARENT'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return _encode(lines)


def thunderbird(entries: Iterable[Entry], zone: str = "Europe/Berlin") -> bytes:
    """A Thunderbird (Lightning) "Export calendar": IANA TZID with a VTIMEZONE, X-MOZ properties."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN",
        "VERSION:2.0",
        "BEGIN:VTIMEZONE",
        f"TZID:{zone}",
        f"X-TZINFO:{zone}[2024a]",
        *IANA_ZONES[zone],
        "END:VTIMEZONE",
    ]
    for number, entry in enumerate(entries):
        lines += [
            "BEGIN:VEVENT",
            f"CREATED:{STAMP}",
            f"LAST-MODIFIED:{STAMP}",
            f"DTSTAMP:{STAMP}",
            f"UID:{entry.uid or f'7d6a1c52-{number:04d}-4b8e-9f1a-0c3e5d2b8a71'}",
            f"SUMMARY:{_text(entry.summary)}",
        ]
        if entry.status:
            lines.append(f"STATUS:{entry.status}")
        lines += _times(entry, zone, ZoneInfo(zone), utc_singles=False)
        lines += [
            f"TRANSP:{'OPAQUE' if entry.busy else 'TRANSPARENT'}",
            f"X-MOZ-GENERATION:{entry.sequence + 1}",
            f"SEQUENCE:{entry.sequence}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return _encode(lines)


# -- values ---------------------------------------------------------------------------------------


def _times(entry: Entry, tzid: str, zone: ZoneInfo, *, utc_singles: bool) -> list[str]:
    """DTSTART, DTEND or DURATION, RRULE, RDATE, EXDATE and RECURRENCE-ID lines of one entry."""
    recurring = bool(entry.rrule or entry.rdates or entry.recurrence_id)
    tzid = entry.tzid or tzid

    def value(name: str, moments: Sequence[Moment]) -> str:
        first = moments[0]
        if _is_date(first):
            return f"{name};VALUE=DATE:" + ",".join(m.strftime("%Y%m%d") for m in moments)
        if entry.floating:
            return f"{name}:" + ",".join(m.strftime("%Y%m%dT%H%M%S") for m in moments)
        if utc_singles and not recurring and entry.tzid is None:
            return f"{name}:" + ",".join(_utc(m, zone).strftime("%Y%m%dT%H%M%SZ") for m in moments)
        local = [m if m.tzinfo is None or entry.tzid else m.astimezone(zone).replace(tzinfo=None) for m in moments]
        return f"{name};TZID={tzid}:" + ",".join(m.strftime("%Y%m%dT%H%M%S") for m in local)

    lines = [value("DTSTART", [entry.start])]
    if entry.end is not None:
        lines.append(value("DTEND", [entry.end]))
    elif entry.duration is not None:
        lines.append(f"DURATION:{entry.duration}")
    if entry.rrule:
        lines.append(f"RRULE:{entry.rrule}")
    if entry.rdates:
        lines.append(value("RDATE", list(entry.rdates)))
    for exdate in entry.exdates:  # one line each, as Outlook and Google write them
        lines.append(exdate if isinstance(exdate, str) else value("EXDATE", [exdate]))
    if entry.recurrence_id is not None:
        lines.append(value("RECURRENCE-ID", [entry.recurrence_id]))
    lines.extend(entry.extra)
    return lines


def _is_date(moment: Moment) -> bool:
    return not isinstance(moment, dt.datetime)


def _utc(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(dt.UTC)


def _outlook_uid(number: int) -> str:
    return f"040000008200E00074C5B7101A82E00800000000{number:08X}D2DA01000000000000000010000000"


def _outlook_busy_status(entry: Entry, all_day: bool) -> str:
    if not entry.busy:
        return "FREE"
    return "OOF" if all_day else "BUSY"


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> bytes:
    """RFC 5545 folding: at most 75 octets a line, continuation lines start with a space, never
    splitting a UTF-8 sequence."""
    raw = line.encode("utf-8")
    parts, limit = [], 75
    while len(raw) > limit:
        cut = limit
        while (raw[cut] & 0xC0) == 0x80:
            cut -= 1
        parts.append(raw[:cut])
        raw, limit = b" " + raw[cut:], 75
    parts.append(raw)
    return b"\r\n".join(parts)


def _encode(lines: list[str]) -> bytes:
    return b"".join(_fold(line) + b"\r\n" for line in lines)


# -- large files ----------------------------------------------------------------------------------


def many_single_events(count: int, first: dt.date, *, zone: str = "Europe/Berlin") -> bytes:
    """A Thunderbird file of ``count`` one-hour meetings, five a working day from ``first`` on."""
    entries = []
    day, slot = first, 0
    while len(entries) < count:
        if day.weekday() < 5:
            start = dt.datetime.combine(day, dt.time(8 + 2 * slot))
            entries.append(Entry(f"Meeting {len(entries)}", start, start + dt.timedelta(hours=1)))
            slot += 1
        if slot == 5 or day.weekday() >= 5:
            day, slot = day + dt.timedelta(days=1), 0
    return thunderbird(entries, zone)
