"""``icalbuild.used_tzids`` walks the components itself: it must report exactly what icalendar's
``Calendar.get_used_tzids`` reports for a calendar holding the same components."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from calendar_outputs import NOW
from scheduler.plugins import icalbuild

from scheduler import plan as plan_json
from scheduler.loader import load
from scheduler.rendering import RenderContext

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ilecu.toml"


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
