"""Briefings (``scheduler.content.briefing``): an attendee's own days and costs, the plan's view of
an occurrence, what moved since the previous plan, and one briefing per attendee and render for
the formats that work on the same occurrence one after the other."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from scheduler.content.briefing import (
    attendee_briefing,
    description_text,
    occurrence_briefing,
    planned_attendee_briefing,
)
from scheduler.content.languages import language_for
from scheduler.render.context import RenderContext
from tests.support.calendar_outputs import NOW


@pytest.fixture
def context(plan, scenario):
    return RenderContext(plan=plan, scenario=scenario, folder=Path("unused"), now=NOW)


def test_an_attendee_listed_twice_is_briefed_on_their_first_attendance(context, plan, scenario):
    occurrence = copy_of(plan.scheduled[0])
    first = occurrence.attendees[0]
    person = scenario.people[first.person]
    language = language_for(context, person.language)
    earlier = dataclasses.replace(first, first_away=first.first_away - dt.timedelta(days=3))
    occurrence.attendees = [*occurrence.attendees, earlier]
    assert attendee_briefing(context, occurrence, person, language).travel == briefing_travel(
        context, occurrence, first
    )
    occurrence.attendees = [earlier, *occurrence.attendees]
    assert attendee_briefing(context, occurrence, person, language).travel == briefing_travel(
        context, occurrence, earlier
    )


def copy_of(occurrence):
    return dataclasses.replace(occurrence, attendees=list(occurrence.attendees))


def briefing_travel(context, occurrence, attendance) -> str:
    language = language_for(context, context.scenario.people[attendance.person].language)
    if (attendance.first_away, attendance.last_away) == (occurrence.start, occurrence.end):
        return ""
    return language.gettext("arrive %(arrival)s, depart %(departure)s") % {
        "arrival": language.date(attendance.first_away),
        "departure": language.date(attendance.last_away),
    }


def test_a_briefing_says_what_moved_since_the_previous_plan(context, plan, scenario):
    occurrence = plan.scheduled[0]
    person = scenario.people[occurrence.attendees[0].person]
    english = language_for(context, "en")
    before = dataclasses.replace(occurrence, start=occurrence.start - dt.timedelta(days=7))
    (moved,) = attendee_briefing(context, occurrence, person, english, before).changes
    assert moved == f"The dates changed: it was planned for {english.date_range(before.start, before.end)}."
    assert attendee_briefing(context, occurrence, person, english, occurrence).changes == ()
    assert attendee_briefing(context, occurrence, person, english).changes == ()


def test_a_planned_briefing_is_made_once_per_attendee_language_and_previous_version(context, plan, scenario):
    first, second = plan.scheduled[:2]
    person = scenario.people[first.attendees[0].person]
    english, romanian = language_for(context, "en"), language_for(context, "ro")
    made = planned_attendee_briefing(context, first, person, english)
    assert planned_attendee_briefing(context, first, person, english) is made
    assert planned_attendee_briefing(context, first, person, romanian) is not made
    before = dataclasses.replace(first, start=first.start - dt.timedelta(days=7))
    assert planned_attendee_briefing(context, first, person, english, before).changes
    assert planned_attendee_briefing(context, first, person, english) is made  # the version before is apart
    planned_attendee_briefing(context, second, person, english)
    assert planned_attendee_briefing(context, first, person, english) is not made  # one occurrence at a time
    assert planned_attendee_briefing(context, first, person, english) == made


def test_the_plans_briefing_counts_the_occurrences_whole_cost(context, plan):
    occurrence = max(plan.scheduled, key=lambda o: o.total_cost)
    english = language_for(context, "en")
    briefing = occurrence_briefing(context, occurrence, english)
    assert not briefing.personal and briefing.cost_total == english.money(occurrence.total_cost, "EUR")
    assert len(briefing.costs) == sum(1 for cents in occurrence.cost.values() if cents)
    text = description_text(briefing)
    assert text.splitlines()[0] == briefing.what and "What the project pays:" in text
    assert text.splitlines()[-1] == f"Contact: {briefing.contact_name} <{briefing.contact_email}>"
