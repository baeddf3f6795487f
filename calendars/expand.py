"""From VEVENTs to the busy spans that fall in a window: single events read directly, series
(RRULE, RDATE, moved or cancelled instances with RECURRENCE-ID) expanded by
``recurring-ical-events``, only inside the window.

Time and memory stay bounded: events far from the window are dropped while the file is read
(``near_window``), a recurrence rule whose expansion would take too many steps before reaching
the end of the window is refused with a message (``MAX_RULE_STEPS``), and so is a window with
more busy spans than any person's calendar holds (``MAX_SPANS``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from scheduler.calendars.icsfile import CalendarFileError, Component, IcsFile
from scheduler.calendars.rules import RuleError, check_rule, never_occurs, rule_parts, rule_steps
from scheduler.calendars.values import ValueReader, coarse_day
from scheduler.calendars.zones import iana_zone

MARGIN = dt.timedelta(days=2)  # more than the widest gap between two zones' calendar days
MAX_RULE_STEPS = 500_000  # a daily meeting over 15 years takes ~5,500 steps
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
            end = start + dt.timedelta(days=_duration_days(event))
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
            number += char
            continue
        if char == "W" and number:
            weeks = int(number)
        elif char == "D" and number:
            days = int(number)
        elif char == "T":
            break
        number = ""
    return weeks * 7 + days + 1


def busy_spans(ics: IcsFile, reader: ValueReader, low: dt.datetime, high: dt.datetime) -> Iterator[Span]:
    """The spans of every busy (opaque, not cancelled) event instance that overlaps [low, high)."""
    by_uid: dict[str, list[Component]] = {}
    for event in ics.events:
        by_uid.setdefault(event.text("UID") or f"line-{event.line}", []).append(event)
    count = 0
    singles = [group[0] for group in by_uid.values() if len(group) == 1 and not _is_series(group[0])]
    series = [group for group in by_uid.values() if len(group) > 1 or _is_series(group[0])]
    for event in singles:
        if _is_free(event.text("TRANSP"), event.text("STATUS"), event.text("X-MICROSOFT-CDO-BUSYSTATUS")):
            continue
        start, end = _start_end(reader, event)
        if _overlaps(start, end, low, high):
            yield Span(start, end, _summary(event.text("SUMMARY")))
            count += 1
    if series:
        for span in _expand_series(ics, reader, series, low, high):
            yield span
            count += 1
            if count > MAX_SPANS:
                raise CalendarFileError(
                    f"{ics.path}: has more than {MAX_SPANS:,} busy events in the planning horizon; "
                    "a busy calendar should hold one person's appointments"
                )


def _is_series(event: Component) -> bool:
    return any(event.first(name) is not None for name in _SERIES_PROPERTIES)


def _is_free(transp: str, status: str, busy_status: str) -> bool:
    """Transparent ("show as free") and cancelled events do not make anyone busy; neither does an
    Outlook event marked FREE, whatever its TRANSP says."""
    return (
        transp.strip().upper() == "TRANSPARENT"
        or status.strip().upper() == "CANCELLED"
        or busy_status.strip().upper() == "FREE"
    )


def _summary(text: str) -> str:
    text = " ".join(text.split())
    return text or "busy"


def _start_end(reader: ValueReader, event: Component) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime]:
    """DTSTART and the end (DTEND, else DTSTART + DURATION, else the RFC 5545 default: one day for
    a date, no time at all for a date-time)."""
    start_prop = event.first("DTSTART")
    if start_prop is None:
        raise CalendarFileError(f"{reader.path}: line {event.line}: VEVENT {_name(event)} has no DTSTART")
    start = reader.moment(start_prop)
    end_prop, duration_prop = event.first("DTEND"), event.first("DURATION")
    if end_prop is not None:
        end = reader.moment(end_prop)
    elif duration_prop is not None:
        duration = reader.duration(duration_prop)
        if not isinstance(start, dt.datetime) and duration % dt.timedelta(days=1):
            start = _midnight(start, reader.home)
        end = start + duration
    else:
        end = start + dt.timedelta(days=1) if not isinstance(start, dt.datetime) else start
    if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
        # A date with a date-time: read the date as midnight at home.
        start = _midnight(start, reader.home) if not isinstance(start, dt.datetime) else start
        end = _midnight(end, reader.home) if not isinstance(end, dt.datetime) else end
    if end < start:
        raise CalendarFileError(
            f"{reader.path}: line {event.line}: VEVENT {_name(event)} ends ({end}) before it starts ({start})"
        )
    return start, end


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), zone)


def _overlaps(start, end, low: dt.datetime, high: dt.datetime) -> bool:
    if not isinstance(start, dt.datetime):
        return start <= high.date() and end >= low.date()
    return start < high and end > low


def _name(event: Component) -> str:
    summary = event.text("SUMMARY")
    uid = event.text("UID")
    if summary:
        return f"{summary!r}" + (f" (UID {uid})" if uid else "")
    return f"UID {uid}" if uid else "without SUMMARY or UID"


# -- series ---------------------------------------------------------------------------------------


def _expand_series(
    ics: IcsFile, reader: ValueReader, groups: list[list[Component]], low: dt.datetime, high: dt.datetime
) -> Iterator[Span]:
    import recurring_ical_events
    from icalendar import Calendar

    publish_zone = iana_zone(ics.calendar.get("X-WR-TIMEZONE", "").strip())
    steps = 0
    for group in groups:
        calendar = Calendar()
        for event in group:
            component, rule_steps = _component(reader, event, publish_zone, high)
            steps += rule_steps
            if steps > MAX_RULE_STEPS:
                rule = event.first("RRULE")
                raise CalendarFileError(
                    f"{reader.path}: line {rule.line if rule else event.line}: the recurrence of VEVENT {_name(event)}"
                    f" ({rule.value if rule else 'RDATE'}) has too many repetitions before the end of the planning"
                    f" horizon (more than {MAX_RULE_STEPS:,} in this file); remove it or export a shorter period"
                )
            calendar.add_component(component)
        try:
            occurrences = recurring_ical_events.of(calendar).between(low, high)
        except CalendarFileError:
            raise
        except Exception as error:  # the library's errors on rules it cannot expand
            first = group[0]
            raise CalendarFileError(
                f"{reader.path}: line {first.line}: the repetitions of VEVENT {_name(first)} cannot be computed: {error}"
            ) from None
        for occurrence in occurrences:
            if _is_free(
                str(occurrence.get("TRANSP", "")),
                str(occurrence.get("STATUS", "")),
                str(occurrence.get("X-MICROSOFT-CDO-BUSYSTATUS", "")),
            ):
                continue
            start = occurrence["DTSTART"].dt
            end = occurrence["DTEND"].dt if "DTEND" in occurrence else start
            yield Span(
                _aware(start, reader.home), _aware(end, reader.home), _summary(str(occurrence.get("SUMMARY", "")))
            )


def _aware(moment, home: dt.tzinfo):
    if isinstance(moment, dt.datetime) and moment.tzinfo is None:
        return moment.replace(tzinfo=home)
    return moment


def _component(reader: ValueReader, event: Component, publish_zone: dt.tzinfo | None, high: dt.datetime):
    """An icalendar VEVENT holding only what the expansion needs, with the zones resolved here
    (see ``zones``), and the number of steps its rules will take up to ``high``."""
    from icalendar import Event
    from icalendar.prop import vDDDLists, vDDDTypes, vDuration, vRecur, vText

    def local(moment):
        # Google's published feeds write series in UTC and name the zone in X-WR-TIMEZONE; the
        # series repeats at the same wall-clock time there (what the x-wr-timezone package does).
        if publish_zone is not None and isinstance(moment, dt.datetime) and moment.tzinfo is dt.UTC:
            return moment.astimezone(publish_zone)
        return moment

    start, end = _start_end(reader, event)
    component = Event()
    component["UID"] = vText(event.text("UID") or f"line-{event.line}")
    component["DTSTART"] = vDDDTypes(local(start))
    if event.first("DTEND") is None and event.first("DURATION") is not None:
        component["DURATION"] = vDuration(end - start)
    else:
        component["DTEND"] = vDDDTypes(local(end))
    for name in ("SUMMARY", "TRANSP", "STATUS", "X-MICROSOFT-CDO-BUSYSTATUS"):
        if event.first(name) is not None:
            component[name] = vText(event.text(name))
    sequence = event.text("SEQUENCE").strip()
    if sequence.lstrip("-").isdigit():
        component["SEQUENCE"] = int(sequence)
    steps = 0
    rules = []
    for rule in event.all("RRULE"):
        parts = rule_parts(rule.value)
        try:
            check_rule(parts)
            recur = vRecur.from_ical(rule.value.strip())
        except (RuleError, ValueError) as error:
            raise reader.fail(rule, f"is not a recurrence rule: {error}") from None
        reason = never_occurs(parts)
        if reason is not None:
            reader.notes.append(
                f"line {rule.line}: RRULE {rule.value.strip()!r} of VEVENT {_name(event)} can never"
                f" occur ({reason}); only its DTSTART is used"
            )
            continue
        steps += rule_steps(parts, start, high.date())
        rules.append(recur)
    if rules:
        component["RRULE"] = rules if len(rules) > 1 else rules[0]
    for name in ("RDATE", "EXDATE"):
        lists = []
        for prop in event.all(name):
            values = [_local_value(local, value) for value in reader.moments(prop)]
            if name == "EXDATE" and any(isinstance(value, tuple) for value in values):
                raise reader.fail(prop, "holds a period; EXDATE takes dates or date-times")
            lists.append(vDDDLists(values))
        steps += sum(len(item.dts) for item in lists)
        if lists:
            component[name] = lists if len(lists) > 1 else lists[0]
    recurrence = event.first("RECURRENCE-ID")
    if recurrence is not None:
        params = {"RANGE": recurrence.params["RANGE"]} if "RANGE" in recurrence.params else {}
        component.add("RECURRENCE-ID", local(reader.moment(recurrence)), parameters=params)
    return component, steps


def _local_value(local, value):
    if isinstance(value, tuple):
        return (local(value[0]), local(value[1]))
    return local(value)
