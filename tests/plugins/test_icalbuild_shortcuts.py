"""Where ``icalbuild`` asks icalendar for less than a whole component: ``used_tzids`` walks the
components itself and must report what ``Calendar.get_used_tzids`` reports for a calendar holding
them; a feed's name lines (``_calendar_line``) must be what a calendar holding the name writes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scheduler.plugins import icalbuild

from scheduler import plan as plan_json
from scheduler.render.context import RenderContext
from scheduler.scenario.loader import load
from tests.support import ILECU
from tests.support.calendar_outputs import NOW

EXAMPLE = ILECU


def icalendars_own(*components: icalendar.Component) -> frozenset[str]:
    holder = icalendar.Calendar()
    for component in components:
        holder.add_component(component)
    return frozenset(holder.get_used_tzids())


@pytest.fixture(scope="module")
def context(ilecu_plan_file, ilecu_plan, tmp_path_factory):
    scenario = load(EXAMPLE)
    plan = plan_json.load(ilecu_plan_file)
    return RenderContext(plan=plan, scenario=scenario, folder=tmp_path_factory.mktemp("out"), now=NOW)


def test_the_events_of_every_occurrence_use_what_icalendar_says(context):
    with_zones = 0
    for occurrence in context.plan.scheduled:
        event = icalbuild.occurrence_event(context, occurrence)
        sessions = icalbuild.session_events(context, occurrence)
        assert icalbuild.used_tzids(event, *sessions) == icalendars_own(event, *sessions)
        assert icalbuild.used_tzids(event) == icalendars_own(event) == frozenset()  # all-day: no zone
        with_zones += bool(icalbuild.used_tzids(*sessions))
    assert with_zones  # the example's sessions are timed in their venues' zones


def test_zones_in_lists_repeated_properties_and_subcomponents_are_found():
    paris, tokyo = ZoneInfo("Europe/Paris"), ZoneInfo("Asia/Tokyo")
    event = icalendar.Event()
    event.add("uid", "one@test")
    event.add("dtstamp", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))  # UTC: no TZID
    event.add("dtstart", dt.datetime(2024, 3, 1, 9, tzinfo=paris))
    event.add("exdate", [dt.datetime(2024, 3, 8, 9, tzinfo=paris), dt.datetime(2024, 3, 15, 9, tzinfo=paris)])
    event.add("rdate", dt.datetime(2024, 4, 1, 9, tzinfo=tokyo))
    event.add("rdate", dt.datetime(2024, 4, 2, 9, tzinfo=tokyo))  # a second one: the property holds a list
    event.add("x-custom", "value", parameters={"TZID": "America/Lima"})
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", dt.datetime(2024, 2, 29, 9, tzinfo=ZoneInfo("America/New_York")))
    event.add_component(alarm)
    other = icalendar.Event()
    other.add("dtstart", dt.date(2024, 5, 1))
    assert isinstance(event["rdate"], list)
    found = icalbuild.used_tzids(event, other)
    assert found == icalendars_own(event, other)
    assert found == {"Europe/Paris", "Asia/Tokyo", "America/Lima", "America/New_York"}
    assert icalbuild.used_tzids() == frozenset() == icalendars_own()


def calendar_line_as_icalendar_writes_it(name: str, value: str) -> bytes:
    """A calendar holding the one property, serialised by icalendar, cut to that property's line."""
    holder = icalendar.Calendar()
    holder.add(name, value)
    data = holder.to_ical(sorted=True)
    return data[len(b"BEGIN:VCALENDAR\r\n") : -len(b"END:VCALENDAR\r\n")]


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(exclude_characters="\r\n", exclude_categories=("Cs",)), max_size=200))
def test_a_feeds_name_lines_are_what_icalendar_writes(value):
    for name in ("NAME", "X-WR-CALNAME", "name"):
        assert icalbuild._calendar_line(name, value) == calendar_line_as_icalendar_writes_it(name, value)


@pytest.mark.parametrize("method", ["PUBLISH", "REQUEST"])
@pytest.mark.parametrize("name", ["ILECU: Ana Pérez", "a,b;c\\d^e:" + "ü" * 70, "x" * 200, None, ""])
def test_a_calendars_head_is_what_icalendar_writes(method, name):
    whole = icalbuild.new_calendar(method, name).to_ical(sorted=True)
    assert icalbuild._calendar_head(method, name) + b"END:VCALENDAR\r\n" == whole
