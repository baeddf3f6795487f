"""Calendars (``scheduler.content.calendars``): their head, a ``VTIMEZONE`` for every ``TZID`` used
(one per zone and render, before the events, in ``TZID`` order), and CalDAV resources cut by UID."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest

from scheduler.content import calendars, events
from scheduler.render.context import RenderContext
from tests.support.calendar_outputs import NOW, render


@pytest.fixture
def context(plan, scenario, tmp_path):
    return RenderContext(plan=plan, scenario=scenario, folder=tmp_path, now=NOW)


def timed(uid: str, zone: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", NOW)
    event.add("dtstart", dt.datetime(2022, 3, 1, 9, tzinfo=ZoneInfo(zone)))
    return event


def test_a_calendar_has_the_head_clients_read(context):
    parsed = icalendar.Calendar.from_ical(calendars.new_calendar("PUBLISH", "ILECU: Ana").to_ical())
    assert str(parsed["prodid"]) == calendars.PRODID and str(parsed["version"]) == "2.0"
    assert str(parsed["method"]) == "PUBLISH" and str(parsed["calscale"]) == "GREGORIAN"
    assert str(parsed["name"]) == str(parsed["x-wr-calname"]) == "ILECU: Ana"
    assert "NAME" not in calendars.new_calendar("REQUEST")


def test_every_zone_used_gets_one_vtimezone_before_the_events_in_zone_order(context):
    calendar = calendars.new_calendar("PUBLISH", "zones")
    for uid, zone in (("a", "Europe/Vienna"), ("b", "Asia/Tbilisi"), ("c", "Europe/Vienna")):
        calendar.add_component(timed(uid, zone))
    calendar.add_component(events.occurrence_event(context, context.plan.scheduled[0]))  # all day: no zone
    parsed = icalendar.Calendar.from_ical(calendars.calendar_bytes(context, calendar))
    names = [c.name for c in parsed.subcomponents]
    assert names == ["VTIMEZONE", "VTIMEZONE", "VEVENT", "VEVENT", "VEVENT", "VEVENT"]
    assert [str(tz["tzid"]) for tz in parsed.walk("VTIMEZONE")] == ["Asia/Tbilisi", "Europe/Vienna"]
    assert parsed.get_missing_tzids() == set()


def test_a_zones_vtimezone_is_made_once_per_render_for_the_projects_years(context, plan, scenario, tmp_path):
    vienna = calendars.timezone(context, "Europe/Vienna")
    assert calendars.timezone(context, "Europe/Vienna") is vienna
    other = RenderContext(plan=plan, scenario=scenario, folder=tmp_path, now=NOW)
    assert calendars.timezone(other, "Europe/Vienna") is not vienna
    onsets = [c.decoded("dtstart") for c in vienna.walk() if c.name in ("STANDARD", "DAYLIGHT")]
    assert min(onsets).year < scenario.project.start.year  # the span starts before the project
    first, second = (calendars.new_calendar("PUBLISH") for _ in range(2))
    for calendar in (first, second):
        calendar.add_component(timed("x", "Europe/Vienna"))
        calendars.calendar_bytes(context, calendar)
    assert first.timezones[0] is second.timezones[0] is vienna


def test_split_by_uid_gives_caldav_resources(plan, scenario, tmp_path):
    render(plan, scenario, tmp_path, "ical")
    occurrence = next(o for o in plan.scheduled if scenario.events[o.event].agenda)
    calendar = icalendar.Calendar.from_ical((tmp_path / "calendar" / "events" / f"{occurrence.id}.ics").read_bytes())
    parts = calendars.split_by_uid(calendar)
    assert len(parts) == len(calendar.walk("VEVENT")) > 1
    for uid, part in parts.items():
        assert "METHOD" not in part
        assert {str(e["uid"]) for e in part.walk("VEVENT")} == {uid}
        assert part.get_missing_tzids() == set()
