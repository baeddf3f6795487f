"""Busy and booking calendars inside scenarios: what `scheduler validate` says about them, how a
broken file is reported by `validate` and `solve`, and plans that go where the calendars leave room."""

from __future__ import annotations

import datetime as dt

from tests.support.calendar_exports import Entry, google, outlook, thunderbird
from tests.support.scenarios import event, person, scenario, venue

D = dt.date
T = dt.datetime

# Four working weeks of March 2024; the first is preferred.
WINDOW = "2024-03-04/2024-03-29"
WEEK_STARTS = [D(2024, 3, 4), D(2024, 3, 11), D(2024, 3, 18), D(2024, 3, 25)]


def workshop(**fields) -> dict:
    base = {"duration_days": 5, "window": WINDOW, "preferred": ["2024-03-04/2024-03-08"], "attendees": ["md-1"]}
    base.update(fields)
    return event("ws", ["ro-hall"], **base)


def officer_calendar() -> bytes:
    """An Outlook export: a five-hour Tuesday meeting every week, except the week of 18 March,
    when it is cancelled (EXDATE); a two-hour Thursday call that never blocks."""
    return outlook(
        [
            Entry(
                "Regional coordination",
                T(2024, 1, 9, 9),
                T(2024, 1, 9, 14),
                rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20241231T000000Z",
                exdates=(T(2024, 3, 19, 9),),
            ),
            Entry("Call with HQ", T(2024, 1, 11, 10), T(2024, 1, 11, 12), rrule="FREQ=WEEKLY;BYDAY=TH"),
        ],
        "GTB Standard Time",
    )


def start(plan: dict, occurrence: str) -> dt.date:
    found = next(o for o in plan["occurrences"] if o["id"] == occurrence)
    assert found["scheduled"], found
    return D.fromisoformat(found["start"])


def test_the_only_week_a_busy_calendar_leaves_free_is_chosen(solve_toml, tmp_path):
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "md-1.ics").write_bytes(officer_calendar())
    venues = [venue("ro-hall", "bucharest")]
    with_calendar = scenario(
        venues=venues, people=[person("md-1", "chisinau", busy="calendars/md-1.ics")], events=[workshop()]
    )
    without = scenario(venues=venues, people=[person("md-1", "chisinau")], events=[workshop()])

    plan, code, output = solve_toml(with_calendar)
    assert code == 0, output
    assert start(plan, "ws-1") == D(2024, 3, 18)
    plan, code, output = solve_toml(without)
    assert code == 0, output
    assert start(plan, "ws-1") == D(2024, 3, 4)  # the preferred week, which the calendar blocks


def test_a_venue_booking_calendar_keeps_events_out_of_booked_days(solve_toml, tmp_path):
    bookings = google(
        [Entry(f"Booked: course {n}", week, week + dt.timedelta(days=5)) for n, week in enumerate(WEEK_STARTS[:3])],
        "Europe/Bucharest",
        account="bookings@academy.example.ro",
    )
    (tmp_path / "bookings.ics").write_bytes(bookings)
    hall = venue("ro-hall", "bucharest", unavailable=["bookings.ics", "2024-12-24/2024-12-31"])
    text = scenario(venues=[hall], people=[person("md-1", "chisinau")], events=[workshop()])
    plan, code, output = solve_toml(text)
    assert code == 0, output
    assert start(plan, "ws-1") == D(2024, 3, 25)


def test_a_calendar_that_blocks_every_week_makes_the_event_infeasible(solve_toml, tmp_path):
    weekly = thunderbird(
        [Entry("Duty", T(2024, 3, 6, 8), T(2024, 3, 6, 16), rrule="FREQ=WEEKLY;COUNT=4")], "Europe/Chisinau"
    )
    (tmp_path / "duty.ics").write_bytes(weekly)
    text = scenario(
        venues=[venue("ro-hall", "bucharest")],
        people=[person("md-1", "chisinau", busy="duty.ics")],
        events=[workshop()],
    )
    plan, code, output = solve_toml(text)
    assert code == 3, output
    assert plan is None


# -- scheduler validate ------------------------------------------------------------------------------


def validate_lines(cli, path) -> list[str]:
    result = cli("validate", path)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_validate_counts_the_days_each_calendar_blocks_apart_from_leave(cli, write_scenario, tmp_path):
    (tmp_path / "calendars").mkdir()
    (tmp_path / "calendars" / "md-1.ics").write_bytes(officer_calendar())
    leave_week = thunderbird([Entry("Leave", D(2024, 8, 5), D(2024, 8, 12))], "Europe/Bucharest")  # Mon to Sun
    (tmp_path / "academy.ics").write_bytes(leave_week)
    people = [
        person("md-1", "chisinau", busy="calendars/md-1.ics", unavailable=["2024-07-01/2024-07-03"]),
        person("md-2", "chisinau", unavailable=["2024-07-06/2024-07-07"]),  # a weekend only
        person("md-3", "chisinau"),
    ]
    hall = venue("ro-hall", "bucharest", unavailable=["academy.ics", "2024-12-23/2024-12-24"])
    path = write_scenario(scenario(venues=[hall], people=people, events=[workshop()]))
    lines = validate_lines(cli, path)
    # The 51 Tuesdays from 9 January to 24 December 2024, less the cancelled one.
    assert "    person md-1: busy calendar calendars/md-1.ics 50 days (50 working); leave 3 days (3 working)" in lines
    assert "    person md-2: leave 2 days (0 working)" in lines
    assert not any("md-3" in line for line in lines)
    assert "    venue ro-hall: booking calendar academy.ics 7 days (5 working); closed 2 days (2 working)" in lines


def test_validate_reports_every_broken_calendar_at_its_place(cli, write_scenario, tmp_path):
    (tmp_path / "good.ics").write_bytes(officer_calendar())
    (tmp_path / "page.ics").write_bytes(b"<html><body>Please sign in to Outlook</body></html>")
    assert officer_calendar().endswith(b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    (tmp_path / "cut.ics").write_bytes(officer_calendar()[: -len(b"END:VCALENDAR\r\n")])
    people = [
        person("md-1", "chisinau", busy="good.ics"),
        person("md-2", "chisinau", busy="page.ics"),  # attends nothing: still read
    ]
    hall = venue("ro-hall", "bucharest", unavailable=["cut.ics"])
    path = write_scenario(scenario(venues=[hall], people=people, events=[workshop()]))
    result = cli("validate", path)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert any(
        line.startswith(f'{path}: people[1].busy (id "md-2"): {tmp_path / "page.ics"}: is not an iCalendar file')
        for line in lines
    ), result.output
    assert any(
        line.startswith(f'{path}: venues[0].unavailable (id "ro-hall"): {tmp_path / "cut.ics"}: ') for line in lines
    ), result.output
    assert "cut.ics: is cut short: BEGIN:VCALENDAR of line 1 is never closed" in result.output
    assert lines[-1] == f"2 problems in {path}"
    assert "Traceback" not in result.output


def test_solve_refuses_a_broken_busy_calendar_with_exit_2(cli, write_scenario, tmp_path, no_output_plugins):
    broken = officer_calendar().replace(
        b"DTSTART;TZID=GTB Standard Time:20240109T090000", b"DTSTART;TZID=GTB Standard Time:2024-01-09"
    )
    (tmp_path / "md-1.ics").write_bytes(broken)
    path = write_scenario(
        scenario(
            venues=[venue("ro-hall", "bucharest")],
            people=[person("md-1", "chisinau", busy="md-1.ics")],
            events=[workshop()],
        )
    )
    result = cli("solve", path, "-o", tmp_path / "out", "--workers", "1", "--quiet")
    assert result.exit_code == 2
    assert f'people[0].busy (id "md-1"): {tmp_path / "md-1.ics"}: line ' in result.output
    assert "DTSTART '2024-01-09'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_validate_notes_times_read_with_a_guess(cli, write_scenario, tmp_path):
    odd = outlook([Entry("Exercise", T(2024, 5, 14, 9), T(2024, 5, 14, 15), tzid="Atlantis Standard Time")])
    (tmp_path / "odd.ics").write_bytes(odd)
    people = [person("md-1", "chisinau", busy="odd.ics")]
    path = write_scenario(scenario(venues=[venue("ro-hall", "bucharest")], people=people, events=[workshop()]))
    lines = validate_lines(cli, path)
    assert "    person md-1: busy calendar odd.ics 1 day (1 working)" in lines
    notes = [line for line in lines if line.startswith("  note: ")]
    assert len(notes) == 1 and notes[0].startswith("  note: odd.ics: line ")
    assert "'Atlantis Standard Time'" in notes[0] and notes[0].endswith("read in Europe/Chisinau")
