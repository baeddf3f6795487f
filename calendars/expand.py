"""From VEVENTs to the busy spans that fall in a window: single events are read here, series
(RRULE, RDATE, moved or cancelled instances with RECURRENCE-ID) are expanded in ``series``.

Time and memory stay bounded: events far from the window are dropped while the file is read
(``near_window``), series are expanded only inside the window and checked first (``rules``), and
a window with more busy spans than any person's calendar holds is refused (``MAX_SPANS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from scheduler.calendars.icsfile import CalendarFileError, Component, IcsFile
from scheduler.calendars.rules import rule_parts
from scheduler.calendars.values import ValueReader, coarse_day

MARGIN = dt.timedelta(days=2)  # more than the widest gap between two zones' calendar days
MAX_SPANS = 200_000  # busy spans in the window; a person has a few thousand in four years

_SERIES_PROPERTIES = ("RRULE", "RDATE", "RECURRENCE-ID")


@dataclass(frozen=True)
class Span:
    """One busy stretch: dates (end exclusive) for an all-day event, aware date-times otherwise."""

    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    summary: str

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)


def near_window(first: dt.date, last: dt.date) -> Callable[[Component], bool]:
    """A cheap test, on the raw text of an event, of whether it may touch the days
    ``first``..``last``; an event it cannot judge is kept and read in full."""
    low, high = first - MARGIN, last + MARGIN

    def keep(event: Component) -> bool:
        start_prop = event.first("DTSTART")
        start = coarse_day(start_prop.value) if start_prop else None
        if start is None:
            return True
        if event.first("RRULE") or event.first("RDATE"):
            if start > high:
                return False
            for rule in event.all("RRULE"):
                until = rule_parts(rule.value).get("UNTIL")
                if until is None or (coarse_day(until) or high) >= low:
                    return True
            return bool(event.first("RDATE"))
        recurrence = event.first("RECURRENCE-ID")
        if recurrence is not None:
            moved_from = coarse_day(recurrence.value)
            if moved_from is None or low <= moved_from <= high or "RANGE" in recurrence.params:
                return True
        end_prop = event.first("DTEND")
        end = coarse_day(end_prop.value) if end_prop else None
        if end is None:
            try:
                end = start + dt.timedelta(days=_duration_days(event))
            except OverflowError:
                return True  # read it in full, and let the reading say what is wrong
        return start <= high and end >= low

    return keep


def _duration_days(event: Component) -> int:
    duration = event.first("DURATION")
    if duration is None:
        return 1
    text = duration.value.strip().upper()
    days = weeks = 0
    number = ""
    for char in text:
        if char.isdigit():
            number = (number + char)[-6:]  # a million days is already out of any horizon
            continue
        if char == "W" and number:
            weeks = int(number)
        elif char == "D" and number:
            days = int(number)
        elif char == "T":
            break
        number = ""
    return min(weeks * 7 + days + 1, 100_000)  # beyond any horizon, without overflowing a date


def busy_spans(ics: IcsFile, reader: ValueReader, low: dt.datetime, high: dt.datetime) -> Iterator[Span]:
    """The spans of every busy (opaque, not cancelled) event instance that overlaps [low, high)."""
    by_uid: dict[str, list[Component]] = {}
    for event in ics.events:
        if event.first("DTSTART") is None:
            # Allowed by RFC 5546 in scheduling messages; in an export it says nothing about time.
            reader.notes.append(f"line {event.line}: VEVENT {event_name(event)} has no DTSTART and is ignored")
            continue
        by_uid.setdefault(event.text("UID") or f"line-{event.line}", []).append(event)
    count = 0
    singles = [group[0] for group in by_uid.values() if len(group) == 1 and not _is_series(group[0])]
    series = [group for group in by_uid.values() if len(group) > 1 or _is_series(group[0])]
    for event in singles:
        if is_free(event.text("TRANSP"), event.text("STATUS"), event.text("X-MICROSOFT-CDO-BUSYSTATUS")):
            continue
        start, end = start_end(reader, event)
        if _overlaps(start, end, low, high):
            yield Span(start, end, summary_text(event.text("SUMMARY")))
            count += 1
    if series:
        from scheduler.calendars.series import expand_series

        for span in expand_series(ics, reader, series, low, high):
            yield span
            count += 1
            if count > MAX_SPANS:
                raise CalendarFileError(
                    f"{ics.path}: has more than {MAX_SPANS:,} busy events in the planning horizon; "
                    "a busy calendar should hold one person's appointments"
                )


def _is_series(event: Component) -> bool:
    return any(event.first(name) is not None for name in _SERIES_PROPERTIES)


def is_free(transp: str, status: str, busy_status: str) -> bool:
    """Transparent ("show as free") and cancelled events do not make anyone busy; neither does an
    Outlook event marked FREE, whatever its TRANSP says."""
    return (
        transp.strip().upper() == "TRANSPARENT"
        or status.strip().upper() == "CANCELLED"
        or busy_status.strip().upper() == "FREE"
    )


def summary_text(text: str) -> str:
    text = " ".join(text.split())
    return text or "busy"


def start_end(reader: ValueReader, event: Component) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime]:
    """DTSTART (which the event must have) and the end: DTEND, else DTSTART + DURATION, else the
    RFC 5545 default: one day for a date, no time at all for a date-time."""
    start = reader.moment(event.first("DTSTART"))
    end_prop, duration_prop = event.first("DTEND"), event.first("DURATION")
    if end_prop is not None:
        end = reader.moment(end_prop)
    elif duration_prop is not None:
        duration = reader.duration(duration_prop)
        if not isinstance(start, dt.datetime) and duration % dt.timedelta(days=1):
            start = midnight(start, reader.home)
        end = start + duration
    else:
        end = start + dt.timedelta(days=1) if not isinstance(start, dt.datetime) else start
    if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
        # A date with a date-time: read the date as midnight at home.
        start = midnight(start, reader.home) if not isinstance(start, dt.datetime) else start
        end = midnight(end, reader.home) if not isinstance(end, dt.datetime) else end
    if end < start:
        # Some tools write the two the wrong way round; recurring-ical-events swaps them, and so
        # does this reading, so singles and series agree.
        reader.notes.append(
            f"line {event.line}: VEVENT {event_name(event)} ends ({end}) before it starts ({start}); read the other way round"
        )
        start, end = end, start
    return start, end


def midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), zone)


def _overlaps(start, end, low: dt.datetime, high: dt.datetime) -> bool:
    if not isinstance(start, dt.datetime):
        return start <= high.date() and end >= low.date()
    return start < high and end > low


def event_name(event: Component) -> str:
    summary = event.text("SUMMARY")
    uid = event.text("UID")
    if summary:
        return f"{summary!r}" + (f" (UID {uid})" if uid else "")
    return f"UID {uid}" if uid else "without SUMMARY or UID"
