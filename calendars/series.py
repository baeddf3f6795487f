"""Series (RRULE, RDATE, EXDATE, moved and cancelled instances with RECURRENCE-ID, RANGE=
THISANDFUTURE) expanded by ``recurring-ical-events``, inside the planning horizon only.

The VEVENTs of one UID are handed to the library as small icalendar components built here, with
the zones already resolved (``zones``) and their rules checked (``rules``). The library's
extension point for the occurrence class is used so that an instance is returned as its times
and its source event, not as a full copy of the component: copying is what makes expansion
slow (about two thirds of the time for a calendar of a thousand recurring meetings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import recurring_ical_events
from icalendar import Calendar, Event
from icalendar.prop import vDDDLists, vDDDTypes, vDuration, vRecur, vText
from scheduler.calendars.expand import Span, event_name, is_free, start_end, summary_text
from scheduler.calendars.icsfile import CalendarFileError, Component, IcsFile
from scheduler.calendars.rules import RuleError, check_rule, never_occurs, rule_parts, rule_steps, rule_text
from scheduler.calendars.values import ValueReader
from scheduler.calendars.zones import iana_zone

MAX_RULE_STEPS = 500_000  # in one file; a daily meeting over 15 years takes ~5,500 steps


class _SourceAdapter(recurring_ical_events.EventAdapter):
    """The library's VEVENT adapter, able to say which component an instance comes from."""

    @property
    def source(self):
        return self._component


class _Instance(recurring_ical_events.Occurrence):
    """One instance: its start and end, and the VEVENT (master or changed instance) it follows."""

    def __init__(self, adapter, start=None, end=None, sequence=-1):
        super().__init__(adapter, start, end, sequence)
        self.source = adapter.source

    def as_component(self, keep_recurrence_attributes: bool):  # noqa: FBT001 - the library's signature
        return self


_SELECT_EVENTS = recurring_ical_events.ComponentsWithName("VEVENT", adapter=_SourceAdapter, occurrence=_Instance)


def expand_series(
    ics: IcsFile, reader: ValueReader, groups: list[list[Component]], low: dt.datetime, high: dt.datetime
) -> Iterator[Span]:
    """Busy spans of the instances of every series (a group of VEVENTs sharing a UID) that
    overlap [low, high)."""
    publish_zone = iana_zone(ics.calendar.get("X-WR-TIMEZONE", "").strip())
    steps = 0
    for group in groups:
        calendar = Calendar()
        records: dict[int, Component] = {}
        for event in group:
            component, rule_steps_taken = _component(reader, event, publish_zone, high)
            steps += rule_steps_taken
            if steps > MAX_RULE_STEPS:
                rule = event.first("RRULE")
                raise CalendarFileError(
                    f"{reader.path}: line {rule.line if rule else event.line}: the recurrence of VEVENT"
                    f" {event_name(event)} ({rule.value if rule else 'RDATE'}) has too many repetitions before the"
                    f" end of the planning horizon (more than {MAX_RULE_STEPS:,} in this file); remove it or"
                    " export a shorter period"
                )
            records[id(component)] = event
            calendar.add_component(component)
        try:
            instances = recurring_ical_events.of(calendar, components=[_SELECT_EVENTS]).between(low, high)
        except Exception as error:  # the library's and dateutil's errors on rules they cannot expand
            first = group[0]
            raise CalendarFileError(
                f"{reader.path}: line {first.line}: the repetitions of VEVENT {event_name(first)}"
                f" cannot be computed: {error}"
            ) from None
        for instance in instances:
            event = records[id(instance.source)]
            if is_free(event.text("TRANSP"), event.text("STATUS"), event.text("X-MICROSOFT-CDO-BUSYSTATUS")):
                continue
            yield Span(
                _aware(instance.start, reader.home),
                _aware(instance.end, reader.home),
                summary_text(event.text("SUMMARY")),
            )


def _aware(moment, home: dt.tzinfo):
    """The library turns a date into a naive midnight when it mixes with times: read it at home."""
    if isinstance(moment, dt.datetime) and moment.tzinfo is None:
        return moment.replace(tzinfo=home)
    return moment


def _component(reader: ValueReader, event: Component, publish_zone: dt.tzinfo | None, high: dt.datetime):
    """An icalendar VEVENT holding only what the expansion needs, and the number of steps its
    rules will take up to ``high``."""

    def local(moment):
        # Google's published feeds write series in UTC and name the zone in X-WR-TIMEZONE; the
        # series repeats at the same wall-clock time there (what the x-wr-timezone package does).
        if publish_zone is not None and isinstance(moment, dt.datetime) and moment.tzinfo is dt.UTC:
            return moment.astimezone(publish_zone)
        return moment

    start, end = start_end(reader, event)
    component = Event()
    component["UID"] = vText(event.text("UID") or f"line-{event.line}")
    component["DTSTART"] = vDDDTypes(local(start))
    if event.first("DTEND") is None and event.first("DURATION") is not None:
        component["DURATION"] = vDuration(end - start)
    else:
        component["DTEND"] = vDDDTypes(local(end))
    sequence = event.text("SEQUENCE").strip()
    if sequence.lstrip("-").isdigit():
        component["SEQUENCE"] = int(sequence)
    steps = 0
    rules = []
    for rule in event.all("RRULE"):
        parts = rule_parts(rule.value)
        if not parts:
            reader.notes.append(f"line {rule.line}: VEVENT {event_name(event)} has an empty RRULE, ignored")
            continue
        try:
            check_rule(parts)
            recur = vRecur.from_ical(rule_text(parts))
        except (RuleError, ValueError) as error:
            raise reader.fail(rule, f"is not a recurrence rule: {error}") from None
        reason = never_occurs(parts)
        if reason is not None:
            reader.notes.append(
                f"line {rule.line}: RRULE {rule.value.strip()!r} of VEVENT {event_name(event)} can never"
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
