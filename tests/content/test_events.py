"""The events of the plan (``scheduler.content.events``): one occurrence event per render, shared by
every copy and left as it was by them; copies with their own attendees and description; sessions
with distinct UIDs in the venue's zone; cancellations of what was published before."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from scheduler.content import events
from scheduler.render.context import RenderContext
from scheduler.scenario.domain import AgendaItem
from tests.support.calendar_outputs import NOW


@pytest.fixture
def context(plan, scenario, tmp_path):
    return RenderContext(plan=plan, scenario=scenario, folder=tmp_path, now=NOW)


def test_an_occurrences_events_are_built_once_per_render(context, plan, scenario, tmp_path):
    occurrence = next(o for o in plan.scheduled if scenario.events[o.event].agenda)
    shared = events.occurrence_events(context, occurrence)
    assert events.occurrence_events(context, occurrence) is shared
    other = RenderContext(plan=plan, scenario=scenario, folder=tmp_path, now=NOW)
    assert events.occurrence_events(other, occurrence) is not shared  # a new render builds its own
    assert "ATTENDEE" not in shared.event and "DESCRIPTION" not in shared.event
    assert str(shared.event["uid"]) == f"{occurrence.id}@{scenario.project.id}"
    assert len(shared.sessions) == len(scenario.events[occurrence.event].agenda)


def test_copies_hold_their_own_readers_and_leave_the_shared_event_as_it_was(context, plan, scenario):
    occurrence = max(plan.scheduled, key=lambda o: len(o.attendees))
    shared = events.occurrence_events(context, occurrence).event
    before = shared.to_ical()
    everyone = [a.person for a in occurrence.attendees]
    plan_copy = events.occurrence_event(context, occurrence)
    alone = events.occurrence_event(context, occurrence, attendees=everyone[:1], description="For one", rsvp=True)
    nobody = events.occurrence_event(context, occurrence, attendees=(), description="")
    assert shared.to_ical() == before
    assert [str(a) for a in plan_copy["attendee"]] == [f"mailto:{scenario.people[p].email}" for p in everyone]
    assert "What the project pays" in str(plan_copy["description"])
    (recipient,) = alone["attendee"] if isinstance(alone["attendee"], list) else [alone["attendee"]]
    assert recipient.params["RSVP"] == "TRUE" and recipient.params["PARTSTAT"] == "NEEDS-ACTION"
    assert str(alone["description"]) == "For one"
    assert "ATTENDEE" not in nobody and "DESCRIPTION" not in nobody
    for copy in (plan_copy, alone, nobody):
        assert copy["uid"] is shared["uid"] and copy["dtstart"] is shared["dtstart"]  # the same values


def test_a_person_is_the_same_attendee_value_in_every_event_of_a_render(context, plan, scenario):
    person = scenario.people[plan.scheduled[0].attendees[0].person]
    address = events.attendee_address(context, person)
    assert events.attendee_address(context, person) is address
    assert events.attendee_address(context, person, rsvp=True) is not address
    assert address.params["CN"] == person.name and str(address) == f"mailto:{person.email}"
    assert events.addresses(context, [person.id, "no-such-person"]) == [address]


def test_sessions_are_timed_in_the_venues_zone_and_related_to_their_occurrence(context, plan, scenario):
    occurrence = next(o for o in plan.scheduled if scenario.events[o.event].agenda)
    zone = scenario.locations[occurrence.location].timezone
    sessions = events.session_events(context, occurrence)
    for session, item in zip(
        sessions, sorted(scenario.events[occurrence.event].agenda, key=lambda i: (i.day, i.start)), strict=True
    ):
        assert session["dtstart"].params["TZID"] == zone
        assert session.decoded("dtstart").time() == item.start
        assert str(session["related-to"]) == f"{occurrence.id}@{scenario.project.id}"
        assert str(session["summary"]) == f"{occurrence.title}: {item.title}"


def test_sessions_starting_together_get_distinct_uids():
    nine = dt.time(9, 0)
    agenda = [AgendaItem(1, nine, dt.time(10, 0), "Room B"), AgendaItem(1, nine, dt.time(10, 0), "Room A")]
    agenda.append(AgendaItem(1, nine, dt.time(10, 0), "Room A"))  # written twice by mistake: still its own entry
    uids = [uid for _, uid in events.session_uids("p", "ws-1", agenda)]
    assert uids == ["ws-1-d1-0900@p", "ws-1-d1-0900-2@p", "ws-1-d1-0900-3@p"]


def test_a_cancelled_event_is_the_published_one_with_a_raised_sequence(context, plan, scenario):
    before = plan.scheduled[0]
    person = before.attendees[0].person
    event = events.cancelled_event(context, before, before.sequence + 1, attendees=[person, "gone"])
    assert str(event["status"]) == "CANCELLED" and event.decoded("sequence") == before.sequence + 1
    assert event.decoded("dtstart") == before.start and event.decoded("dtend") == before.end + dt.timedelta(days=1)
    assert str(event["attendee"]) == f"mailto:{scenario.people[person].email}"
    assert str(event["description"]) == f"{before.title}: cancelled"
    assert isinstance(icalendar.Event.from_ical(event.to_ical()), icalendar.Event)
