"""The ten rules of "What a valid plan is", two tests each (the Timefold way).

For each rule: a small scenario in which the rule binds, solved through the command line; the plan
obeys the rule (the independent checker says so inside ``solve_toml``, and a direct assertion
names what the rule prevented). Then the same scenario solved through the Python API with the rule
switched off (``SolveOptions(skip_rules=...)``, which leaves it out of the model and of the search's
checks alike): each scenario is built so that the objective (priority, then cost, then days outside
``preferred``) pulls the plan into the violation, and the checker reports it. That shows the rule
is what kept the plan valid.

Every scenario is solved twice, with ``--search plain`` (CP-SAT alone) and ``--search full`` (the
warm start first), and both must prove the same optimum (``search_mode`` below).
"""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from tests.support.plan_checker import broken_rules
from tests.support.scenarios import event, person, scenario, venue


@pytest.fixture
def search_mode() -> str:
    return "both"


ALL_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def occ(plan: dict, occurrence_id: str) -> dict:
    return next(o for o in plan["occurrences"] if o["id"] == occurrence_id)


def start(plan: dict, occurrence_id: str) -> dt.date:
    return dt.date.fromisoformat(occ(plan, occurrence_id)["start"])


def days(plan: dict, occurrence_id: str) -> set[dt.date]:
    o = occ(plan, occurrence_id)
    first, last = dt.date.fromisoformat(o["start"]), dt.date.fromisoformat(o["end"])
    return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}


def people_of(plan: dict, occurrence_id: str) -> set[str]:
    return {a["person"] for a in occ(plan, occurrence_id)["attendees"]}


def assert_breaks(violations: list[str], rule: str, *fragments: str) -> None:
    """The checker names ``rule``, and some violation of it mentions each fragment."""
    assert rule in broken_rules(violations), violations
    of_rule = [v for v in violations if v.startswith(f"[{rule}]")]
    for fragment in fragments:
        assert any(fragment in v for v in of_rule), (fragment, of_rule)


def solved(solve_toml, text: str) -> dict:
    plan, code, output = solve_toml(text)
    assert code == 0, output
    return plan


# --- 1. horizon and window -------------------------------------------------------------------

HORIZON_AND_WINDOW = scenario(
    project={"start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31), "days_of_week": ALL_DAYS},
    venues=[venue("hall", "bucharest")],
    events=[
        # Prefers 8-31 March but must end by 8 March: 2 of its 3 days can be preferred at best.
        event("w", ["hall"], duration_days=3, window="2024-03-04/2024-03-08", preferred=["2024-03-08/2024-03-31"]),
        # Its window runs past the project's end; it prefers the days after the horizon.
        event(
            "h",
            ["hall"],
            duration_days=3,
            window="2024-12-20/2025-01-31",
            preferred=["2024-12-30/2025-01-31"],
        ),
    ],
)


def test_horizon_and_window_holds(solve_toml):
    plan = solved(solve_toml, HORIZON_AND_WINDOW)
    assert occ(plan, "w-1")["end"] == "2024-03-08"  # as late as the window allows
    assert occ(plan, "h-1")["end"] == "2024-12-31"  # as late as the horizon allows
    assert plan["solver"]["objective"][3] == 2 + 1


def test_horizon_and_window_binds(solve_api):
    plan, violations = solve_api(HORIZON_AND_WINDOW, skip_rules=("horizon_and_window",))
    assert_breaks(violations, "horizon_and_window", "w-1", "h-1", "horizon")
    assert plan["solver"]["objective"][3] == 0


# --- 2. event days ---------------------------------------------------------------------------

EVENT_DAYS = scenario(
    venues=[
        venue("ro-hall", "bucharest"),
        venue("md-hall", "chisinau"),
        venue("rs-hall", "belgrade"),
        venue("cheap", "bucharest", unavailable=["2024-06-01/2024-06-30"]),
        venue("dear", "bucharest", cost_per_day=900),
    ],
    events=[
        # A weekend is preferred; the project works Monday to Friday.
        event(
            "weekend", ["rs-hall"], duration_days=2, window="2024-03-04/2024-03-15", preferred=["2024-03-09/2024-03-10"]
        ),
        # Christmas Day and the second day of Christmas are public holidays in Romania.
        event("xmas", ["ro-hall"], window="2024-12-16/2024-12-31", preferred=["2024-12-25"]),
        # Orthodox Easter Monday, 6 May 2024, is a public holiday in Moldova.
        event("easter", ["md-hall"], window="2024-05-02/2024-05-08", preferred=["2024-05-06"]),
        # The free venue is closed all June; the other one costs 900 a day.
        event("closed", ["cheap", "dear"], window="2024-06-03/2024-06-28"),
    ],
)


def test_event_days_hold(solve_toml):
    plan = solved(solve_toml, EVENT_DAYS)
    assert all(d.weekday() < 5 for d in days(plan, "weekend-1"))
    assert not days(plan, "xmas-1") & {dt.date(2024, 12, 25), dt.date(2024, 12, 26)}
    assert dt.date(2024, 5, 6) not in days(plan, "easter-1")
    assert occ(plan, "closed-1")["venue"] == "dear"


def test_event_days_bind(solve_api):
    plan, violations = solve_api(EVENT_DAYS, skip_rules=("event_days",))
    assert_breaks(
        violations,
        "event_days",
        "weekend-1: 2024-03-09 is a sat",
        "xmas-1: 2024-12-25 is a public holiday in RO",
        "easter-1: 2024-05-06 is a public holiday in MD",
        "venue cheap is unavailable",
    )
    assert occ(plan, "closed-1")["venue"] == "cheap"


# --- 3. attendance days ----------------------------------------------------------------------

BUSY_ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//tests//busy//EN\r
BEGIN:VEVENT\r
UID:allday@tests\r
DTSTAMP:20240101T000000Z\r
DTSTART;VALUE=DATE:20240911\r
DTEND;VALUE=DATE:20240912\r
SUMMARY:Court hearing\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:four-hours@tests\r
DTSTAMP:20240101T000000Z\r
DTSTART;TZID=Europe/Bucharest:20240918T090000\r
DTEND;TZID=Europe/Bucharest:20240918T130000\r
SUMMARY:Operational meeting\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:three-hours@tests\r
DTSTAMP:20240101T000000Z\r
DTSTART:20240925T060000Z\r
DTEND:20240925T090000Z\r
SUMMARY:Short briefing\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:free@tests\r
DTSTAMP:20240101T000000Z\r
DTSTART;VALUE=DATE:20241002\r
DTEND;VALUE=DATE:20241003\r
TRANSP:TRANSPARENT\r
SUMMARY:Colleague's birthday\r
END:VEVENT\r
END:VCALENDAR\r
"""


def attendance_scenario() -> str:
    return scenario(
        venues=[venue("ro-a", "bucharest"), venue("ro-b", "bucharest")],
        people=[
            # Travels from Chișinău (one travel day before); on leave the Sunday before the preferred Monday.
            person("md-1", "chisinau", unavailable=["2024-03-10"]),
            # Travels too; must attend two events that both prefer 10 April.
            person("md-2", "chisinau"),
            # Lives in Bucharest: away on the event day only; on leave the Sunday before.
            person("ro-local", "bucharest", unavailable=["2024-06-02"]),
            # Lives in Bucharest and keeps a calendar of busy times.
            person("ro-busy", "bucharest", busy="busy.ics"),
        ],
        events=[
            event("leave", ["ro-a"], attendees=["md-1"], window="2024-03-04/2024-03-22", preferred=["2024-03-11"]),
            event("twin-a", ["ro-a"], attendees=["md-2"], window="2024-04-01/2024-04-30", preferred=["2024-04-10"]),
            event("twin-b", ["ro-b"], attendees=["md-2"], window="2024-04-01/2024-04-30", preferred=["2024-04-10"]),
            event("local", ["ro-b"], attendees=["ro-local"], window="2024-05-27/2024-06-14", preferred=["2024-06-03"]),
            event("busy-a", ["ro-a"], attendees=["ro-busy"], window="2024-09-09/2024-09-13", preferred=["2024-09-11"]),
            event("busy-b", ["ro-a"], attendees=["ro-busy"], window="2024-09-16/2024-09-20", preferred=["2024-09-18"]),
            event("busy-c", ["ro-a"], attendees=["ro-busy"], window="2024-09-23/2024-09-27", preferred=["2024-09-25"]),
            event("busy-d", ["ro-a"], attendees=["ro-busy"], window="2024-09-30/2024-10-04", preferred=["2024-10-02"]),
        ],
    )


@pytest.fixture
def attendance(tmp_path):
    (tmp_path / "busy.ics").write_text(BUSY_ICS, encoding="utf-8", newline="")
    return attendance_scenario()


def test_attendance_days_hold(solve_toml, attendance):
    plan = solved(solve_toml, attendance)
    # md-1 travels on the day before; that Sunday is leave, so not Monday 11 March.
    assert start(plan, "leave-1") != dt.date(2024, 3, 11)
    md1 = occ(plan, "leave-1")["attendees"][0]
    assert md1["away"] == [(start(plan, "leave-1") - dt.timedelta(days=1)).isoformat(), occ(plan, "leave-1")["end"]]
    # md-2 cannot be away for both on the same day, not even on the travel day.
    a, b = sorted([start(plan, "twin-a-1"), start(plan, "twin-b-1")])
    assert (b - a).days >= 2
    # The local attendee has no travel day: Monday 3 June is fine although Sunday is leave.
    assert start(plan, "local-1") == dt.date(2024, 6, 3)
    assert occ(plan, "local-1")["attendees"] == [{"person": "ro-local", "away": ["2024-06-03", "2024-06-03"]}]
    # The busy calendar: an all-day event and a 4-hour meeting block; 3 hours and a free event do not.
    assert start(plan, "busy-a-1") != dt.date(2024, 9, 11)
    assert start(plan, "busy-b-1") != dt.date(2024, 9, 18)
    assert start(plan, "busy-c-1") == dt.date(2024, 9, 25)
    assert start(plan, "busy-d-1") == dt.date(2024, 10, 2)


def test_attendance_days_bind(solve_api, attendance):
    plan, violations = solve_api(attendance, skip_rules=("attendance_days",))
    assert_breaks(
        violations,
        "attendance_days",
        "leave-1: md-1 is unavailable on 2024-03-10",
        "md-2 is away for twin-a-1 and twin-b-1",
        "ro-busy is busy in their calendar on 2024-09-11",
        "ro-busy is busy in their calendar on 2024-09-18",
    )
    assert start(plan, "leave-1") == dt.date(2024, 3, 11)


NIGHT_SHIFT_ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//tests//busy//EN\r
BEGIN:VEVENT\r
UID:night@tests\r
DTSTAMP:20240101T000000Z\r
DTSTART:20240918T200000Z\r
DTEND:20240919T020000Z\r
SUMMARY:Night operation\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_busy_days_are_read_in_the_home_time_zone(solve_toml, tmp_path):
    """18 Sept 20:00 to 19 Sept 02:00 UTC is 00:00 to 06:00 on the 19th in Tbilisi (UTC+4): six
    hours of the 19th, nothing of the 18th (read in UTC it would be four hours of the 18th)."""
    (tmp_path / "night.ics").write_text(NIGHT_SHIFT_ICS, encoding="utf-8", newline="")
    text = scenario(
        venues=[venue("ge-hall", "tbilisi")],
        people=[person("ge-1", "tbilisi", busy="night.ics")],
        events=[
            event(
                "e",
                ["ge-hall"],
                attendees=["ge-1"],
                window="2024-09-16/2024-09-20",
                preferred=["2024-09-18/2024-09-19"],
            )
        ],
    )
    plan = solved(solve_toml, text)
    assert start(plan, "e-1") == dt.date(2024, 9, 18)


HOME_HOLIDAYS = scenario(
    project={"avoid_attendee_holidays": True},
    venues=[venue("ro-hall", "bucharest")],
    people=[person("md-1", "chisinau")],
    # 27 August is Moldova's Independence Day (a Tuesday in 2024), a working day in Romania.
    events=[event("e", ["ro-hall"], attendees=["md-1"], window="2024-08-19/2024-09-06", preferred=["2024-08-27"])],
)


def test_avoid_attendee_holidays_holds(solve_toml):
    plan = solved(solve_toml, HOME_HOLIDAYS)
    away = occ(plan, "e-1")["attendees"][0]["away"]
    assert not (away[0] <= "2024-08-27" <= away[1])


def test_avoid_attendee_holidays_binds(solve_api):
    plan, violations = solve_api(HOME_HOLIDAYS, skip_rules=("attendance_days",))
    assert_breaks(violations, "attendance_days", "2024-08-27")
    assert start(plan, "e-1") == dt.date(2024, 8, 27)


# --- 4. attendees ----------------------------------------------------------------------------

ATTENDEES = scenario(
    venues=[venue("ro-hall", "bucharest")],
    people=[
        person("md-head", "chisinau", roles=["staff"]),
        person("md-2", "chisinau", roles=["staff"]),
        person("md-3", "chisinau", roles=["staff"], funded=False),
        person("ge-1", "tbilisi", roles=["staff"]),
        person("ua-1", "kyiv", roles=["staff"]),
        person("rs-1", "belgrade", roles=["staff"], funded=False),
    ],
    events=[
        # One MD and one GE officer; md-head is named, so does not fill the MD seat.
        event(
            "per-country",
            ["ro-hall"],
            attendees=["md-head"],
            seats=[{"role": "staff", "per_country": 1, "countries": ["MD", "GE"]}],
            window="2024-03-04/2024-03-08",
        ),
        # Two officers from MD, GE or UA; rs-1 costs nothing but Serbia is not listed.
        event(
            "count",
            ["ro-hall"],
            attendees=["md-head", "md-3"],
            seats=[{"role": "staff", "count": 2, "countries": ["MD", "GE", "UA"]}],
            window="2024-04-01/2024-04-05",
        ),
    ],
)


def test_attendees_hold(solve_toml):
    plan = solved(solve_toml, ATTENDEES)
    per_country = people_of(plan, "per-country-1")
    assert "md-head" in per_country
    assert per_country - {"md-head"} == {"md-3", "ge-1"}  # md-3 is unfunded, so cheaper than md-2
    count = people_of(plan, "count-1") - {"md-head", "md-3"}
    assert len(count) == 2 and "rs-1" not in count
    assert count == {"md-2", "ua-1"} or count == {"md-2", "ge-1"}  # Chișinău is the nearest


def test_attendees_bind(solve_api):
    plan, violations = solve_api(ATTENDEES, skip_rules=("attendees",))
    assert_breaks(violations, "attendees", "per-country-1", "count-1")
    assert people_of(plan, "per-country-1") == {"md-head"}


def test_one_person_fills_one_seat(solve_toml):
    """md-1 is the only Moldovan officer and also a trainer: the trainer's seat goes to someone
    else, although seating md-1 twice would save a journey."""
    text = scenario(
        venues=[venue("ro-hall", "bucharest")],
        people=[
            person("md-1", "chisinau", roles=["staff", "trainer"]),
            person("md-trainer", "chisinau", roles=["trainer"]),
        ],
        events=[
            event(
                "e",
                ["ro-hall"],
                seats=[{"role": "staff", "per_country": 1, "countries": ["MD"]}, {"role": "trainer", "count": 1}],
            )
        ],
    )
    plan = solved(solve_toml, text)
    assert people_of(plan, "e-1") == {"md-1", "md-trainer"}


# --- 5. venue --------------------------------------------------------------------------------

VENUE = scenario(
    venues=[
        venue("free", "bucharest"),
        venue("paid", "bucharest", cost_per_day=300),
        venue("small", "chisinau", capacity=2),
        venue("large", "chisinau", capacity=10, cost_per_day=500),
    ],
    people=[person(f"md-{i}", "chisinau") for i in range(1, 4)],
    events=[
        event("a", ["free", "paid"], window="2024-03-04/2024-03-15", preferred=["2024-03-06"]),
        event("b", ["free", "paid"], window="2024-03-04/2024-03-15", preferred=["2024-03-06"]),
        event("c", ["small", "large"], attendees=["md-1", "md-2", "md-3"], window="2024-04-01/2024-04-05"),
    ],
)


def test_venue_holds(solve_toml):
    plan = solved(solve_toml, VENUE)
    a, b = occ(plan, "a-1"), occ(plan, "b-1")
    assert a["venue"] == b["venue"] == "free"  # cost first: both in the free hall, on different days
    assert a["start"] != b["start"]
    assert occ(plan, "c-1")["venue"] == "large"  # three people do not fit in two seats


def test_venue_binds(solve_api):
    plan, violations = solve_api(VENUE, skip_rules=("venue",))
    assert_breaks(violations, "venue", "free holds", "3 attendees at small")
    assert occ(plan, "a-1")["start"] == occ(plan, "b-1")["start"] == "2024-03-06"


# --- 6. team load ----------------------------------------------------------------------------

TEAM_LOAD = scenario(
    project={"max_concurrent_events": 1},
    venues=[venue("ro-hall", "bucharest"), venue("md-hall", "chisinau")],
    events=[
        event("a", ["ro-hall"], duration_days=2, window="2024-03-04/2024-03-15", preferred=["2024-03-06/2024-03-07"]),
        event("b", ["md-hall"], duration_days=2, window="2024-03-04/2024-03-15", preferred=["2024-03-06/2024-03-07"]),
    ],
)


def test_team_load_holds(solve_toml):
    plan = solved(solve_toml, TEAM_LOAD)
    assert not days(plan, "a-1") & days(plan, "b-1")


def test_team_load_binds(solve_api):
    plan, violations = solve_api(TEAM_LOAD, skip_rules=("team_load",))
    assert_breaks(violations, "team_load", "2 occurrences on 2024-03-06")
    assert days(plan, "a-1") == days(plan, "b-1")


# --- 7. order --------------------------------------------------------------------------------

ORDER = scenario(
    venues=[venue("ro-hall", "bucharest"), venue("md-hall", "chisinau")],
    events=[
        event("first", ["ro-hall"], window="2024-03-04/2024-03-04"),
        # 10 to 20 free days after `first`, but prefers the day after it.
        event(
            "gaps",
            ["md-hall"],
            window="2024-03-01/2024-04-30",
            preferred=["2024-03-05"],
            after=[{"event": "first", "min_gap_days": 10, "max_gap_days": 20}],
        ),
        # At most 5 days after `first`, but prefers late April.
        event(
            "soon",
            ["ro-hall"],
            window="2024-03-01/2024-04-30",
            preferred=["2024-04-22/2024-04-26"],
            after=[{"event": "first", "max_gap_days": 5}],
        ),
        # After `first` (no gap given), but prefers the Friday before it.
        event(
            "later", ["md-hall"], window="2024-03-01/2024-04-30", preferred=["2024-03-01"], after=[{"event": "first"}]
        ),
        # `never` cannot take place (its window is a weekend); `follow-up` comes after it.
        event("never", ["ro-hall"], window="2024-03-09/2024-03-10", optional=True, priority=1),
        event(
            "follow-up",
            ["ro-hall"],
            window="2024-03-11/2024-03-29",
            optional=True,
            priority=5,
            after=[{"event": "never"}],
        ),
    ],
)


def test_order_holds(solve_toml):
    plan = solved(solve_toml, ORDER)
    first_end = dt.date(2024, 3, 4)
    assert 10 <= (start(plan, "gaps-1") - first_end).days - 1 <= 20
    assert (start(plan, "soon-1") - first_end).days - 1 <= 5
    assert start(plan, "later-1") > first_end
    assert not occ(plan, "never-1")["scheduled"]
    assert not occ(plan, "follow-up-1")["scheduled"]
    assert occ(plan, "follow-up-1")["reason"] == "order"


def test_order_binds(solve_api):
    plan, violations = solve_api(ORDER, skip_rules=("order",))
    assert_breaks(
        violations,
        "order",
        "gaps-1 starts 0 days after first-1",
        "soon-1 starts",
        "later-1 starts -4 days",
        "follow-up-1 is scheduled but never",
    )
    assert plan["solver"]["objective"][0] == 5


# --- 8. series -------------------------------------------------------------------------------


def month_end_series(year: int) -> str:
    """A 6-monthly series whose first occurrence can only be 28-31 August of ``year`` (the venue
    is closed until late February); 31 August is preferred, and so is 3 March."""
    return scenario(
        project={"start": dt.date(year, 1, 1), "end": dt.date(year + 1, 12, 31), "days_of_week": ALL_DAYS},
        venues=[venue("hall", "bucharest", unavailable=[f"{year}-09-01/{year + 1}-02-27"])],
        events=[
            event(
                "s",
                ["hall"],
                window=f"{year}-08-26/{year + 1}-03-31",
                preferred=[f"{year}-08-31", f"{year + 1}-03-03"],
                repeat={"count": 2, "every_months": 6, "tolerance_days": 0},
            )
        ],
    )


TOLERANCE = scenario(
    venues=[venue("hall", "bucharest")],
    events=[
        event(
            "t",
            ["hall"],
            duration_days=5,
            window="2024-02-05/2024-05-31",
            preferred=["2024-02-05/2024-02-09", "2024-05-27/2024-05-31"],
            repeat={"count": 2, "every_months": 3, "tolerance_days": 5},
        )
    ],
)


@pytest.mark.parametrize(("year", "clamped"), [(2024, dt.date(2025, 2, 28)), (2023, dt.date(2024, 2, 29))])
def test_series_month_end_holds(solve_toml, year, clamped):
    plan = solved(solve_toml, month_end_series(year))
    assert start(plan, "s-1") == dt.date(year, 8, 31)
    assert start(plan, "s-2") == clamped  # 31 August + 6 months, clamped to the end of February
    assert pendulum.Date(year, 8, 31).add(months=6) == clamped


@pytest.mark.parametrize("year", [2024, 2023])
def test_series_month_end_binds(solve_api, year):
    plan, violations = solve_api(month_end_series(year), skip_rules=("series",))
    assert_breaks(violations, "series", "s-2 starts")
    assert plan["solver"]["objective"][3] == 0  # both preferred days, 6 months and 3 days apart


def test_series_tolerance_holds(solve_toml):
    plan = solved(solve_toml, TOLERANCE)
    first = start(plan, "t-1")
    anchor = pendulum.Date(first.year, first.month, first.day).add(months=3)
    assert abs((start(plan, "t-2") - dt.date(anchor.year, anchor.month, anchor.day)).days) <= 5
    assert plan["solver"]["objective"][3] == 5  # one of the two weeks cannot be preferred


def test_series_tolerance_binds(solve_api):
    plan, violations = solve_api(TOLERANCE, skip_rules=("series",))
    assert_breaks(violations, "series", "t-2 starts")
    assert plan["solver"]["objective"][3] == 0


SERIES_ORDER = scenario(
    # Only one week is open, so a monthly series can hold one occurrence: the first.
    venues=[venue("hall", "bucharest", unavailable=["2024-01-01/2024-03-03", "2024-03-09/2024-12-31"])],
    events=[event("m", ["hall"], optional=True, repeat={"count": 2, "every_months": 1, "tolerance_days": 3})],
)


def test_series_in_order_holds(solve_toml):
    plan = solved(solve_toml, SERIES_ORDER)
    assert [o["scheduled"] for o in plan["occurrences"]] == [True, False]
    assert occ(plan, "m-2")["reason"]


def test_series_in_order_binds(solve_api):
    plan, violations = solve_api(SERIES_ORDER, skip_rules=("series",))
    assert_breaks(violations, "series", "m-2 starts")
    assert [o["scheduled"] for o in plan["occurrences"]] == [True, True]


# --- 9. required -----------------------------------------------------------------------------

REQUIRED = scenario(
    budget={"total": 2000},
    venues=[venue("ro-hall", "bucharest", cost_per_day=100)],
    people=[person("md-1", "chisinau")],
    events=[
        event("must", ["ro-hall"], attendees=["md-1"], window="2024-03-04/2024-03-08"),
        # Priority 2, but 1,800 of extra costs: with `must` (100 + 211 + 198) it would pass 2,000.
        event("nice", ["ro-hall"], optional=True, priority=2, costs={"catering": 1800}, window="2024-04-01/2024-04-05"),
    ],
)


def test_required_holds(solve_toml):
    plan = solved(solve_toml, REQUIRED)
    assert occ(plan, "must-1")["scheduled"]
    assert not occ(plan, "nice-1")["scheduled"]
    assert occ(plan, "nice-1")["reason"] == "budget"


def test_required_binds(solve_api):
    plan, violations = solve_api(REQUIRED, skip_rules=("required",))
    assert_breaks(violations, "required", "must-1 is not scheduled")
    assert occ(plan, "nice-1")["scheduled"]


# --- 10. budget ------------------------------------------------------------------------------

BUDGET = scenario(
    project={"start": dt.date(2024, 1, 1), "end": dt.date(2025, 12, 31)},
    budget={"total": 2400, "categories": {"travel": 100}, "years": {"2024": 1000}},
    venues=[
        venue("ro-hall", "bucharest"),
        venue("md-hall", "chisinau", cost_per_day=500),
        venue("hall-2025", "chisinau"),
    ],
    people=[person("md-1", "chisinau")],
    events=[
        # Two optional events of equal priority at 600 each (catering): only one fits in 2024's 1,000.
        event("a", ["hall-2025"], optional=True, costs={"catering": 600}, window="2024-03-04/2024-03-29"),
        event("b", ["hall-2025"], optional=True, costs={"catering": 600}, window="2024-04-01/2024-04-26"),
        # Held in Bucharest it costs 211 travel + 198 per diem = 409; in Chișinău 500 of venue,
        # but travel is capped at 100.
        event("meet", ["ro-hall", "md-hall"], attendees=["md-1"], window="2025-03-03/2025-03-07"),
        # Prefers December 2024, but 2024 is capped; January 2025 is in its window.
        event(
            "yearly",
            ["hall-2025"],
            costs={"catering": 900},
            window="2024-12-02/2025-01-31",
            preferred=["2024-12-02/2024-12-06"],
        ),
    ],
)


def test_budget_holds(solve_toml):
    plan = solved(solve_toml, BUDGET)
    assert [occ(plan, x)["scheduled"] for x in ("a-1", "b-1")].count(True) == 1
    assert occ(plan, "meet-1")["venue"] == "md-hall"  # the dearer place, within the travel cap
    assert start(plan, "yearly-1").year == 2025
    assert plan["budget"]["years"]["2024"]["total"] <= 1000
    assert plan["budget"]["categories"]["travel"]["total"] <= 100


def test_budget_binds(solve_api):
    plan, violations = solve_api(BUDGET, skip_rules=("budget",))
    assert_breaks(violations, "budget", "above the total", "travel costs", "2024 costs")
    assert occ(plan, "meet-1")["venue"] == "ro-hall"
    assert start(plan, "yearly-1").year == 2024


# --- the objective ---------------------------------------------------------------------------


def test_higher_priority_wins_when_budget_allows_one(solve_toml):
    text = scenario(
        budget={"total": 1000},
        venues=[venue("hall", "bucharest")],
        events=[
            event(
                "cheap", ["hall"], optional=True, priority=1, costs={"catering": 500}, window="2024-03-04/2024-03-29"
            ),
            event("dear", ["hall"], optional=True, priority=3, costs={"catering": 900}, window="2024-03-04/2024-03-29"),
        ],
    )
    plan = solved(solve_toml, text)
    assert occ(plan, "dear-1")["scheduled"] and not occ(plan, "cheap-1")["scheduled"]
    assert occ(plan, "cheap-1")["reason"] == "budget"
    assert plan["solver"]["objective"][:3] == [3, 0, 90000]


def test_cost_beats_preferred_days(solve_toml):
    text = scenario(
        venues=[
            venue("free", "bucharest", unavailable=["2024-03-11/2024-03-15"]),
            venue("paid", "bucharest", cost_per_day=1),
        ],
        events=[event("e", ["free", "paid"], window="2024-03-04/2024-03-22", preferred=["2024-03-11/2024-03-15"])],
    )
    plan = solved(solve_toml, text)
    assert occ(plan, "e-1")["venue"] == "free"
    assert plan["solver"]["objective"] == [0, 0, 0, 1]


def test_infeasible_scenario_exits_3_with_a_reason(solve_toml):
    text = scenario(
        venues=[venue("hall", "bucharest")],
        events=[event("weekend-only", ["hall"], window="2024-03-09/2024-03-10")],
    )
    plan, code, output = solve_toml(text)
    assert code == 3 and plan is None
    assert "infeasible" in output.lower()
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) <= 10
