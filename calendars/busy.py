"""Busy days from an .ics file, as Outlook, Google Calendar or Thunderbird export it.

The rule (SPEC, rule 3): a day is blocked, in the person's home time zone, by an opaque all-day
event, or by opaque timed events that together cover at least 4 hours of it. Overlapping events
count once; hours are real elapsed time, so on the night clocks go back a day has 25 hours and on
the night they go forward 23. Events shown as free (TRANSP:TRANSPARENT, Outlook's FREE) and
cancelled ones (STATUS:CANCELLED, for a whole series or one instance) do not block.

How the file is read: ``icsfile`` (a streaming reader that keeps only what says when someone is
busy, near the horizon), ``zones`` (TZIDs: IANA names, the file's VTIMEZONE blocks such as
Outlook's Windows names, Windows names without one), ``values`` (dates, times, durations) and
``expand`` (series through ``recurring-ical-events``, inside the horizon only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler.calendars.expand import Span, busy_spans, near_window
from scheduler.calendars.icsfile import CalendarFileError, read_ics
from scheduler.calendars.values import ValueReader
from scheduler.calendars.zones import ZoneTable

__all__ = ["BLOCKING_SECONDS", "BusyDays", "CalendarFileError", "busy_days", "blocked_days"]

BLOCKING_SECONDS = 4 * 3600


@dataclass(frozen=True)
class BusyDays:
    """Days blocked by one calendar file, each with the summaries of the events that block it,
    and notes for the coordinator about things in the file that were read with a guess (each
    starting with the line it is about)."""

    days: dict[dt.date, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def busy_days(path: Path, zone: str, first: dt.date, last: dt.date) -> BusyDays:
    """The days in ``[first, last]`` that the calendar at ``path`` blocks for someone at home in
    the IANA zone ``zone``. Only events near those days are read in full."""
    path = Path(path)
    try:
        status = path.stat()
    except OSError as error:
        raise CalendarFileError(f"{path}: cannot be read: {error.strerror or error}") from None
    cached = _busy_days(path.resolve(), zone, first, last, status.st_mtime_ns, status.st_size)
    return BusyDays(dict(cached.days), cached.notes)  # a copy: callers may change theirs


@lru_cache(maxsize=64)
def _busy_days(path: Path, zone: str, first: dt.date, last: dt.date, _mtime: int, _size: int) -> BusyDays:
    """Cached on the file's identity, so ``validate`` and the instance share one reading."""
    home = ZoneInfo(zone)
    ics = read_ics(path, keep=near_window(first, last))
    reader = ValueReader(path, ZoneTable(path, ics.timezones), home)
    low = dt.datetime.combine(first, dt.time(), home)
    high = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), home)
    days = blocked_days(busy_spans(ics, reader, low, high), home, first, last)
    notes = tuple(reader.notes) + tuple(
        f"line {line}: time zone {tzid!r} is neither a known zone nor defined in the file; its times are read in {zone}"
        for tzid, line in sorted(reader.unknown_zones.items())
    )
    return BusyDays(days, notes)


def blocked_days(spans, home: dt.tzinfo, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """Apply the blocking rule to busy spans: every day of an all-day span; a day that timed
    spans cover for at least ``BLOCKING_SECONDS`` (their union, in real time) in ``home``."""
    blocked: dict[dt.date, list[str]] = {}
    covered: dict[dt.date, list[tuple[dt.datetime, dt.datetime, str]]] = {}
    one_day = dt.timedelta(days=1)
    for span in spans:
        if span.all_day:
            # DTEND is exclusive; an all-day event whose DTEND is its DTSTART still means that day.
            end = span.end if span.end > span.start else span.start + one_day
            day, end = max(span.start, first), min(end, last + one_day)
            while day < end:
                _note(blocked.setdefault(day, []), span.summary)
                day += one_day
            continue
        for day, low, high in _day_pieces(span, home, first, last):
            covered.setdefault(day, []).append((low, high, span.summary))
    for day, pieces in covered.items():
        seconds, names = _union(pieces)
        if seconds >= BLOCKING_SECONDS:
            for name in names:
                _note(blocked.setdefault(day, []), name)
    return {day: "; ".join(blocked[day]) for day in sorted(blocked)}


def _day_pieces(span: Span, home: dt.tzinfo, first: dt.date, last: dt.date):
    """The parts of a timed span on each home calendar day in [first, last], in UTC so that a
    day on which the clocks change counts the hours that really pass."""
    start, end = span.start.astimezone(home), span.end.astimezone(home)
    day = max(start.date(), first)
    while day <= min(end.date(), last):
        day_start = dt.datetime.combine(day, dt.time(), home).astimezone(dt.UTC)
        day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), home).astimezone(dt.UTC)
        low, high = max(start.astimezone(dt.UTC), day_start), min(end.astimezone(dt.UTC), day_end)
        if high > low:
            yield day, low, high
        day += dt.timedelta(days=1)


def _union(pieces: list[tuple[dt.datetime, dt.datetime, str]]) -> tuple[float, list[str]]:
    total = 0.0
    names: list[str] = []
    current_low = current_high = None
    for low, high, name in sorted(pieces):
        _note(names, name)
        if current_high is None or low > current_high:
            if current_high is not None:
                total += (current_high - current_low).total_seconds()
            current_low, current_high = low, high
        else:
            current_high = max(current_high, high)
    if current_high is not None:
        total += (current_high - current_low).total_seconds()
    return total, names


def _note(names: list[str], name: str) -> None:
    if name not in names:
        names.append(name)
