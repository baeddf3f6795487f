"""Busy days from an .ics file, as Outlook, Google Calendar or Thunderbird export it.

A day is blocked, in the person's home time zone, by an opaque all-day event, or by opaque timed
events that together cover at least 4 hours of it (overlaps counted once). Recurring events (RRULE,
RDATE, EXDATE, moved instances with RECURRENCE-ID) are expanded by ``recurring-ical-events``;
TRANSP:TRANSPARENT and STATUS:CANCELLED events are ignored; floating times are read in the home zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

BLOCKING_SECONDS = 4 * 3600
MAX_ICS_BYTES = 50 * 1024 * 1024
MAX_INSTANCES = 500_000


class CalendarFileError(ValueError):
    """An .ics file that cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True)
class BusyDays:
    """Days blocked by one calendar file, each with the summary of the event that blocks it."""

    days: dict[dt.date, str] = field(default_factory=dict)


def busy_days(path: Path, zone: str, first: dt.date, last: dt.date) -> BusyDays:
    """The days in ``[first, last]`` that ``path`` blocks for a person living in ``zone``."""
    return _busy_days(Path(path).resolve(), zone, first, last, _mtime(path))


def _mtime(path: Path) -> float:
    try:
        return Path(path).stat().st_mtime
    except OSError as error:
        raise CalendarFileError(f"{path}: cannot be read: {error.strerror}") from None


@cache
def _busy_days(path: Path, zone: str, first: dt.date, last: dt.date, _mtime: float) -> BusyDays:
    import recurring_ical_events

    calendar = _parse(path)
    tz = ZoneInfo(zone)
    start = dt.datetime.combine(first - dt.timedelta(days=1), dt.time(), tz)
    end = dt.datetime.combine(last + dt.timedelta(days=2), dt.time(), tz)
    blocked: dict[dt.date, str] = {}
    covered: dict[dt.date, list[tuple[dt.datetime, dt.datetime, str]]] = {}
    try:
        query = recurring_ical_events.of(calendar, components=["VEVENT"])
        for count, event in enumerate(query.between(start, end)):
            if count >= MAX_INSTANCES:
                raise CalendarFileError(f"{path}: more than {MAX_INSTANCES:,} events in the planning horizon")
            if _ignored(event):
                continue
            summary = str(event.get("SUMMARY", "busy"))
            begin, finish = event.get("DTSTART"), event.get("DTEND")
            begin = begin.dt if begin is not None else None
            if begin is None:
                continue
            finish = finish.dt if finish is not None else None
            if not isinstance(begin, dt.datetime):
                last_day = (
                    finish - dt.timedelta(days=1)
                    if isinstance(finish, dt.date) and not isinstance(finish, dt.datetime) and finish > begin
                    else begin
                )
                day = begin
                while day <= last_day:
                    if first <= day <= last:
                        blocked.setdefault(day, summary)
                    day += dt.timedelta(days=1)
                continue
            if finish is None:
                duration = event.get("DURATION")
                finish = begin + duration.dt if duration is not None else begin
            begin, finish = _local(begin, tz), _local(finish, tz)
            day = begin.date()
            while day <= finish.date():
                day_start = dt.datetime.combine(day, dt.time(), tz)
                day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
                lo, hi = max(begin, day_start), min(finish, day_end)
                if hi > lo and first <= day <= last:
                    # In UTC, so that a day with a DST change counts its real hours.
                    covered.setdefault(day, []).append((lo.astimezone(dt.UTC), hi.astimezone(dt.UTC), summary))
                day += dt.timedelta(days=1)
    except CalendarFileError:
        raise
    except Exception as error:  # the library's errors on malformed recurrence rules etc.
        raise CalendarFileError(f"{path}: cannot expand its events: {error}") from None
    for day, spans in covered.items():
        if day in blocked:
            continue
        seconds, names = _union_seconds(spans)
        if seconds >= BLOCKING_SECONDS:
            blocked[day] = names
    return BusyDays(dict(sorted(blocked.items())))


def _parse(path: Path):
    from icalendar import Calendar

    try:
        size = path.stat().st_size
        if size > MAX_ICS_BYTES:
            raise CalendarFileError(f"{path}: is {size:,} bytes; a busy calendar is at most {MAX_ICS_BYTES:,} bytes")
        raw = path.read_bytes()
    except OSError as error:
        raise CalendarFileError(f"{path}: cannot be read: {error.strerror}") from None
    if not raw.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        raise CalendarFileError(f"{path}: is not an iCalendar file (it should begin with BEGIN:VCALENDAR)")
    try:
        return Calendar.from_ical(raw)
    except Exception as error:  # icalendar raises ValueError and others on malformed input
        raise CalendarFileError(f"{path}: is not a valid iCalendar file: {error}") from None


def _ignored(event) -> bool:
    transp = str(event.get("TRANSP", "OPAQUE")).upper()
    status = str(event.get("STATUS", "")).upper()
    return transp == "TRANSPARENT" or status == "CANCELLED"


def _local(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    if moment.tzinfo is None:  # floating time: the person's own clock
        return moment.replace(tzinfo=tz)
    return moment.astimezone(tz)


def _union_seconds(spans: list[tuple[dt.datetime, dt.datetime, str]]) -> tuple[float, str]:
    total = 0.0
    current_lo = current_hi = None
    names: list[str] = []
    for lo, hi, name in sorted(spans):
        if name not in names:
            names.append(name)
        if current_hi is None or lo > current_hi:
            if current_hi is not None:
                total += (current_hi - current_lo).total_seconds()
            current_lo, current_hi = lo, hi
        else:
            current_hi = max(current_hi, hi)
    if current_hi is not None:
        total += (current_hi - current_lo).total_seconds()
    return total, "; ".join(names)
