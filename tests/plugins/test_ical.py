"""The ``ical`` format: every feed read back with icalendar, vobject and libical, checked against
the plan and the scenario (RFC 5545 framing, UIDs, all-day dates, sessions in the venue's zone,
VTIMEZONEs, cancellations against a previous plan, byte-for-byte reproducibility)."""

from __future__ import annotations

import copy
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from scheduler.content.briefing import attendee_briefing, description_text
from scheduler.content.languages import language_for
from scheduler.errors import UsageError
from scheduler.render.context import RenderContext
from tests.support import ILECU
from tests.support.calendar_outputs import EPOCH, NOW, crowded, libical_available, libical_read, render, replanned

EXAMPLE = ILECU
ITIP_ATTENDEE_IN_PUBLISH = "Failed iTIP restrictions for ATTENDEE property. Expected 0 instances"


@pytest.fixture(scope="module")
def feeds(plan, scenario, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ical")
    render(plan, scenario, folder, "ical")
    return folder / "calendar"


def ics_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.ics"))


def events_by_uid(path: Path) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def emails(addresses) -> set[str]:
    if addresses is None:
        return set()
    items = addresses if isinstance(addresses, list) else [addresses]
    return {str(a).removeprefix("mailto:") for a in items}


# --- files and framing -------------------------------------------------------------------------


def test_one_feed_for_the_plan_each_attendee_and_each_occurrence(feeds, plan):
    attendees = {a.person for o in plan.scheduled for a in o.attendees}
    assert (feeds / "plan.ics").is_file()
    assert {p.stem for p in (feeds / "people").glob("*.ics")} == attendees
    assert {p.stem for p in (feeds / "events").glob("*.ics")} == {o.id for o in plan.scheduled}


def test_every_file_is_rfc5545_text(feeds):
    for path in ics_files(feeds):
        data = path.read_bytes()
        assert data.endswith(b"\r\n"), path
        lines = data.split(b"\r\n")[:-1]
        assert b"\n" not in b"".join(lines), f"{path}: a bare LF"
        too_long = [line for line in lines if len(line) > 75]
        assert not too_long, f"{path}: lines over 75 octets: {too_long[:2]}"
        data.decode("utf-8")  # folding never splits a UTF-8 sequence
        calendar = icalendar.Calendar.from_ical(data)
        assert str(calendar["version"]) == "2.0"
        assert str(calendar["prodid"]).startswith("-//scheduler//")
        assert str(calendar["method"]) == "PUBLISH"
        assert str(calendar["x-wr-calname"])


def test_icalendar_and_vobject_read_the_same_events(feeds):
    for path in ics_files(feeds):
        text = path.read_text(encoding="utf-8")
        mine = events_by_uid(path)
        theirs = vobject.readOne(text)
        uids = sorted(e.uid.value for e in theirs.vevent_list)
        assert uids == sorted(mine), path
        assert len(set(uids)) == len(uids), f"{path}: a UID twice"


# --- occurrences ---------------------------------------------------------------------------------


def test_occurrences_are_all_day_events_with_the_plans_identity(feeds, plan, scenario):
    events = events_by_uid(feeds / "plan.ics")
    project = scenario.project
    for occurrence in plan.scheduled:
        event = events.pop(f"{occurrence.id}@{project.id}")
        assert event["dtstart"].params.get("VALUE") == "DATE"
        assert type(event.decoded("dtstart")) is dt.date and event.decoded("dtstart") == occurrence.start
        assert type(event.decoded("dtend")) is dt.date
        assert event.decoded("dtend") == occurrence.end + dt.timedelta(days=1)  # exclusive
        assert event.decoded("sequence") == occurrence.sequence
        assert event.decoded("dtstamp") == NOW
        assert str(event["status"]) == "CONFIRMED"
        assert str(event["summary"]) == occurrence.title
        assert [str(c) for c in event["categories"].cats] == [occurrence.kind]
        assert emails(event["organizer"]) == {project.organizer.email}
        assert event["organizer"].params["CN"] == project.organizer.name
        expected = {scenario.people[a.person].email for a in occurrence.attendees}
        assert emails(event.get("attendee")) == expected
        venue = scenario.venues[occurrence.venue]
        location = scenario.locations[venue.location]
        assert venue.name in str(event["location"]) and venue.address in str(event["location"])
        assert event.decoded("geo") == (pytest.approx(location.lat), pytest.approx(location.lon))
        description = str(event["description"])
        assert occurrence.title in description and "What the project pays" in description
    assert sorted(events) == sorted(uid for uid, *_ in sessions_expected(plan, scenario)), "only sessions remain"


def test_vobject_sees_exclusive_all_day_ends(feeds, plan, scenario):
    calendar = vobject.readOne((feeds / "plan.ics").read_text(encoding="utf-8"))
    by_uid = {e.uid.value: e for e in calendar.vevent_list}
    for occurrence in plan.scheduled:
        event = by_uid[f"{occurrence.id}@{scenario.project.id}"]
        assert event.dtstart.value == occurrence.start
        assert event.dtend.value == occurrence.end + dt.timedelta(days=1)
        assert event.sequence.value == str(occurrence.sequence)


# --- agenda sessions and time zones --------------------------------------------------------------


def sessions_expected(plan, scenario):
    """(uid, parent uid, UTC start, UTC end, TZID) for every agenda item of every scheduled occurrence."""
    expected = []
    for occurrence in plan.scheduled:
        event = scenario.events[occurrence.event]
        zone = scenario.locations[occurrence.location].timezone
        for item in event.agenda:
            day = occurrence.start + dt.timedelta(days=item.day - 1)
            start = dt.datetime.combine(day, item.start, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)
            end = dt.datetime.combine(day, item.end, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)
            uid = f"{occurrence.id}-d{item.day}-{item.start:%H%M}@{scenario.project.id}"
            expected.append((uid, f"{occurrence.id}@{scenario.project.id}", start, end, zone))
    return expected


def test_agenda_sessions_are_timed_in_the_venues_zone(feeds, plan, scenario):
    expected = sessions_expected(plan, scenario)
    assert expected, "the example has an agenda"
    text = (feeds / "plan.ics").read_text(encoding="utf-8")
    by_uid = {e.uid.value: e for e in vobject.readOne(text).vevent_list}  # vobject reads the file's VTIMEZONE
    mine = events_by_uid(feeds / "plan.ics")
    for uid, parent, start, end, zone in expected:
        event = by_uid[uid]
        assert mine[uid]["dtstart"].params["TZID"] == zone
        assert event.dtstart.value.astimezone(dt.UTC) == start
        assert event.dtend.value.astimezone(dt.UTC) == end
        assert str(mine[uid]["related-to"]) == parent
        assert mine[uid]["related-to"].params["RELTYPE"] == "PARENT"


def test_a_vtimezone_for_every_tzid_used(feeds):
    for path in ics_files(feeds):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        used = {
            prop.params["TZID"]
            for event in calendar.walk("VEVENT")
            for name in ("DTSTART", "DTEND")
            if (prop := event.get(name)) is not None and "TZID" in prop.params
        }
        defined = {str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")}
        assert used == defined, path


# --- per-person feeds ----------------------------------------------------------------------------


def test_a_persons_feed_holds_what_they_attend_in_their_language(feeds, plan, scenario):
    person = scenario.people["md-head"]
    assert person.language == "ro"
    calendar = icalendar.Calendar.from_ical((feeds / "people" / "md-head.ics").read_bytes())
    assert person.name in str(calendar["x-wr-calname"])
    occurrences = {e["uid"].split("@")[0] for e in calendar.walk("VEVENT") if "related-to" not in e}
    assert occurrences == {o.id for o in plan.scheduled if any(a.person == "md-head" for a in o.attendees)}
    kickoff = events_by_uid(feeds / "people" / "md-head.ics")[f"kickoff-1@{scenario.project.id}"]
    from babel.dates import format_date

    start = plan.occurrence("kickoff-1").start
    description = str(kickoff["description"])
    assert format_date(start, "full", locale="ro") in description  # "marți, 1 martie 2022"
    assert "Ce plătește proiectul pentru dumneavoastră" in description


@pytest.mark.parametrize("with_attendees", [True, False])
def test_each_readers_feed_holds_their_own_description_of_each_occurrence(plan, scenario, tmp_path, with_attendees):
    """Two occurrences at the same place on the same days, for different people: each reader's
    entry is described for that reader (their language, their days, their costs) and lists the
    occurrence's own attendees, whichever reader's feed was written before."""
    busy = crowded(plan, scenario)
    options = {} if with_attendees else {"ical.attendees": "false"}
    render(busy, scenario, tmp_path, "ical", options=options)
    fresh = RenderContext(plan=busy, scenario=scenario, folder=tmp_path / "unused", now=NOW)
    readers: dict[str, list] = {}
    for occurrence in busy.scheduled:
        for attendance in occurrence.attendees:
            readers.setdefault(attendance.person, []).append(occurrence)
    assert {p.stem for p in (tmp_path / "calendar" / "people").glob("*.ics")} == set(readers)
    for person_id, occurrences in readers.items():
        person = scenario.people[person_id]
        events = events_by_uid(tmp_path / "calendar" / "people" / f"{person_id}.ics")
        for occurrence in occurrences:
            event = events[f"{occurrence.id}@{scenario.project.id}"]
            language = language_for(fresh, person.language)
            expected = description_text(attendee_briefing(fresh, occurrence, person, language))
            assert str(event["description"]) == expected, (person_id, occurrence.id)
            listed = {scenario.people[a.person].email for a in occurrence.attendees} if with_attendees else set()
            assert emails(event.get("attendee")) == listed


def test_odd_titles_places_and_names_come_back_as_they_were_written(plan, scenario, tmp_path):
    """Text that iCalendar escapes (``;``, ``,``, ``\\``, line breaks) and folds (long, multi-octet
    characters), read back by icalendar and by vobject."""
    import dataclasses

    odd = 'Ședința; a, b\\c: "quoted" ' + "long " * 30 + "ünïcödé 🙂"
    occurrence = plan.scheduled[0]
    venue = scenario.venues[occurrence.venue]
    organizer = dataclasses.replace(scenario.project.organizer, name=odd[:60])
    odd_scenario = dataclasses.replace(
        scenario,
        venues={**scenario.venues, venue.id: dataclasses.replace(venue, name=odd, address=odd[:40])},
        project=dataclasses.replace(scenario.project, organizer=organizer),
    )
    odd_plan = copy.deepcopy(plan)
    odd_plan.scheduled[0].title = odd
    render(odd_plan, odd_scenario, tmp_path, "ical")
    path = tmp_path / "calendar" / "events" / f"{occurrence.id}.ics"
    event = events_by_uid(path)[f"{occurrence.id}@{scenario.project.id}"]
    assert str(event["summary"]) == odd
    assert str(event["location"]).startswith(f"{odd}, {odd[:40]}")
    assert event["organizer"].params["CN"] == odd[:60]
    theirs = vobject.readOne(path.read_text(encoding="utf-8"))
    mine = next(e for e in theirs.vevent_list if e.uid.value == f"{occurrence.id}@{scenario.project.id}")
    assert mine.summary.value == odd
    assert str(icalendar.Calendar.from_ical(path.read_bytes())["x-wr-calname"]) == odd


# --- libical: parsing and RFC 5546 restrictions --------------------------------------------------


@pytest.fixture(scope="module")
def libical():
    if not libical_available():
        pytest.skip("libical's Python binding (gir1.2-ical-3.0, python3-gi) is not importable by /usr/bin/python3")
    return libical_read


def test_libical_parses_every_feed_and_finds_only_the_listed_attendees_against_itip(feeds, libical, plan, scenario):
    """By default the feeds list ATTENDEEs (the spec asks for them; Outlook and Google export them
    too) although RFC 5546 allows none in a PUBLISH: that must be libical's only complaint."""
    files = {str(p.relative_to(feeds)): p.read_bytes().decode("utf-8") for p in ics_files(feeds)}
    results = libical(files)
    for name, result in results.items():
        assert result["parsed"], name
        assert result["checked"] == len(result["events"]) > 0, name
        other = [e for e in result["errors"] if not e.startswith(ITIP_ATTENDEE_IN_PUBLISH)]
        assert other == [], name
    plan_result = results["plan.ics"]
    with_attendees = [e for e in plan_result["errors"] if e.startswith(ITIP_ATTENDEE_IN_PUBLISH)]
    assert len(with_attendees) == len(plan.scheduled)  # one per occurrence, none for the sessions
    sessions = {uid: start for uid, _, start, _, _ in sessions_expected(plan, scenario)}
    seen = {e["uid"]: e for e in plan_result["events"]}
    for uid, start in sessions.items():
        assert seen[uid]["utc"] == int(start.timestamp()), uid
    for occurrence in plan.scheduled:
        assert seen[f"{occurrence.id}@{scenario.project.id}"]["is_date"]


def test_without_attendees_the_feeds_pass_every_libical_restriction(plan, scenario, tmp_path, libical):
    render(plan, scenario, tmp_path, "ical", options={"ical.attendees": "false"})
    files = {str(p.relative_to(tmp_path)): p.read_bytes().decode("utf-8") for p in ics_files(tmp_path)}
    assert "ATTENDEE" not in "".join(files.values())
    results = libical(files)
    assert {name: r["errors"] for name, r in results.items() if not r["parsed"] or r["errors"]} == {}
    assert all(r["checked"] == len(r["events"]) > 0 for r in results.values())


def test_an_unknown_option_value_is_a_usage_error(plan, scenario, tmp_path):
    with pytest.raises(UsageError, match="ical.attendees"):
        render(plan, scenario, tmp_path, "ical", options={"ical.attendees": "perhaps"})


# --- updates and cancellations -------------------------------------------------------------------


def test_a_dropped_occurrence_stays_in_the_feeds_as_cancelled(plan, scenario, tmp_path):
    new = replanned(plan, drop="sv-serbia-1", move="crm-2", remove=("sc-2", "donor-isf"))
    render(new, scenario, tmp_path, "ical", previous=plan)
    feeds = tmp_path / "calendar"
    before = plan.occurrence("sv-serbia-1")
    uid = f"sv-serbia-1@{scenario.project.id}"
    for path in [feeds / "plan.ics", feeds / "events" / "sv-serbia-1.ics"] + [
        feeds / "people" / f"{a.person}.ics" for a in before.attendees
    ]:
        event = events_by_uid(path)[uid]
        assert str(event["status"]) == "CANCELLED", path
        assert event.decoded("sequence") == before.sequence + 1
        assert event.decoded("dtstart") == before.start
    moved = events_by_uid(feeds / "plan.ics")[f"crm-2@{scenario.project.id}"]
    assert moved.decoded("sequence") == plan.occurrence("crm-2").sequence + 1
    assert moved.decoded("dtstart") == plan.occurrence("crm-2").start + dt.timedelta(days=7)
    # Taken off sc-2: the donor's own feed cancels it; the plan's feed keeps it, without her.
    donor = events_by_uid(feeds / "people" / "donor-isf.ics")[f"sc-2@{scenario.project.id}"]
    assert str(donor["status"]) == "CANCELLED"
    kept = events_by_uid(feeds / "plan.ics")[f"sc-2@{scenario.project.id}"]
    assert str(kept["status"]) == "CONFIRMED"
    assert scenario.people["donor-isf"].email not in emails(kept.get("attendee"))


def test_without_a_previous_plan_nothing_is_cancelled(feeds):
    for path in ics_files(feeds):
        assert "STATUS:CANCELLED" not in path.read_text(encoding="utf-8"), path


# --- reproducibility -----------------------------------------------------------------------------


def test_the_cli_writes_identical_bytes_twice_with_source_date_epoch(ilecu_plan_file, tmp_path):
    """Two processes with different hash seeds (set order differs) write the same bytes."""
    outputs = []
    for seed in ("1", "2"):
        folder = tmp_path / f"run-{seed}"
        command = [sys.executable, "-m", "scheduler", "render", str(ilecu_plan_file), "--scenario", str(EXAMPLE)]
        command += ["-o", str(folder), "--format", "ical"]
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH), "PYTHONHASHSEED": seed}
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append({str(p.relative_to(folder)): p.read_bytes() for p in ics_files(folder)})
    assert outputs[0] and outputs[0] == outputs[1]
    stamp = NOW.strftime("DTSTAMP:%Y%m%dT%H%M%SZ").encode()
    assert all(stamp in data for data in outputs[0].values())
