"""Public holidays per country: the package's official calendars, and where the scheduler uses them."""

from __future__ import annotations

import datetime as dt

import pytest
from scheduler.calendars import holidays as holiday_calendars
from scheduler.calendars.holidays import (
    UnknownCountryCalendar,
    has_calendar,
    holiday_name,
    public_holidays,
    supported_languages,
)

from scheduler.model.instance import Instance
from scheduler.scenario.loader import load
from tests.support.scenarios import event, person, scenario, venue

D = dt.date


def year(country: str, number: int, **kwargs) -> dict[dt.date, str]:
    return public_holidays(country, D(number, 1, 1), D(number, 12, 31), **kwargs)


# Easter Monday (or the Monday after Orthodox Easter) of each calendar.
ORTHODOX_EASTER_MONDAY = {2023: D(2023, 4, 17), 2024: D(2024, 5, 6)}
WESTERN_EASTER_MONDAY = {2023: D(2023, 4, 10), 2024: D(2024, 4, 1)}


@pytest.mark.parametrize("number", [2023, 2024])
@pytest.mark.parametrize("country", ["RO", "MD"])
def test_romania_and_moldova_keep_orthodox_easter(country, number):
    days = year(country, number)
    assert "Easter" in days[ORTHODOX_EASTER_MONDAY[number]]
    assert WESTERN_EASTER_MONDAY[number] not in days


@pytest.mark.parametrize("number", [2023, 2024])
@pytest.mark.parametrize("country", ["HU", "AT"])
def test_hungary_and_austria_keep_western_easter(country, number):
    days = year(country, number)
    assert days[WESTERN_EASTER_MONDAY[number]] == "Easter Monday"
    assert ORTHODOX_EASTER_MONDAY[number] not in days


def test_romania_2024_easter_and_labour_day_weekend():
    # 2024: Orthodox Good Friday 3 May, Easter 5-6 May, Labour Day 1 May, Children's Day 1 June.
    days = public_holidays("RO", D(2024, 4, 29), D(2024, 5, 10))
    assert days == {
        D(2024, 5, 1): "Labor Day",
        D(2024, 5, 3): "Good Friday",
        D(2024, 5, 5): "Easter",
        D(2024, 5, 6): "Easter",
    }


def test_ukraine_has_no_days_off_under_martial_law():
    before = year("UA", 2021)
    assert before[D(2021, 8, 24)] == "Independence Day"
    assert len(before) > 15  # a full calendar with its observed days
    in_2022 = year("UA", 2022)
    # The package follows the law in force from 15 March 2022: nothing from then on.
    assert in_2022 and max(in_2022) < D(2022, 3, 15)
    assert D(2022, 8, 24) not in in_2022
    assert year("UA", 2023) == {} and year("UA", 2024) == {}


def test_kosovo_is_supported_with_both_easters_and_weekend_shifts():
    assert has_calendar("XK")
    days = year("XK", 2024)
    assert days[D(2024, 2, 17)] == "Independence Day"  # a Saturday ...
    assert days[D(2024, 2, 19)] == "Independence Day (observed)"  # ... given on the Monday
    assert days[D(2024, 4, 1)] == "Catholic Easter (observed)"
    assert days[D(2024, 5, 6)] == "Orthodox Easter (observed)"


def test_weekend_shifts_as_the_package_gives_them():
    # Ukraine 2021: Labour Day on a Saturday and Easter on Sunday 2 May, both moved to workdays.
    days = year("UA", 2021)
    assert days[D(2021, 5, 3)] == "Labor Day (observed)"
    assert days[D(2021, 5, 4)] == "Easter Sunday (Pascha) (observed)"
    # Romania does not shift: 1 December 2024 is a Sunday and nothing is added on the 2nd.
    assert year("RO", 2024)[D(2024, 12, 1)] == "National Day"
    assert D(2024, 12, 2) not in year("RO", 2024)


def test_names_are_english_unless_another_language_is_asked_for():
    assert year("MD", 2024)[D(2024, 8, 27)] == "Republic of Moldova Independence Day"
    assert year("MD", 2024, language="ro")[D(2024, 1, 1)] == "Anul Nou"
    assert "ro" in supported_languages("MD")
    assert year("MD", 2024, language="xx")[D(2024, 1, 1)] == "New Year's Day"  # unknown: English
    assert holiday_name("RS", D(2024, 5, 6)) == "Easter Monday"
    assert holiday_name("RS", D(2024, 5, 7)) is None


def test_range_is_inclusive_and_may_cross_years():
    days = public_holidays("AT", D(2023, 12, 25), D(2024, 1, 1))
    assert list(days) == [D(2023, 12, 25), D(2023, 12, 26), D(2024, 1, 1)]
    assert public_holidays("AT", D(2024, 1, 2), D(2024, 1, 1)) == {}


def test_every_country_code_the_loader_accepts_has_a_calendar():
    from scheduler.scenario.countries import country_names

    missing = sorted(code for code in country_names() if not has_calendar(code))
    assert missing == []


def test_a_country_without_a_calendar_is_an_explicit_error():
    with pytest.raises(UnknownCountryCalendar):
        public_holidays("QQ", D(2024, 1, 1), D(2024, 12, 31))
    assert holiday_name("QQ", D(2024, 1, 1)) is None
    assert supported_languages("QQ") == ()


# -- where the scheduler uses them --------------------------------------------------------------


def instance_of(write_scenario, **kwargs) -> Instance:
    return Instance(load(write_scenario(scenario(**kwargs))))


def test_venue_days_blocked_by_the_venue_countrys_holidays_with_names(write_scenario):
    instance = instance_of(
        write_scenario,
        venues=[venue("ro-hall", "bucharest"), venue("hu-hall", "budapest")],
        events=[event("e", ["ro-hall", "hu-hall"])],
    )
    ro, hu = instance.venue_blocked["ro-hall"].reasons, instance.venue_blocked["hu-hall"].reasons
    easter_monday_ro = instance.day(D(2024, 5, 6))
    easter_monday_hu = instance.day(D(2024, 4, 1))
    assert ro[easter_monday_ro] == "Easter, public holiday in RO"
    assert easter_monday_hu not in ro
    assert hu[easter_monday_hu] == "Easter Monday, public holiday in HU"
    assert easter_monday_ro not in hu


def test_ukrainian_venue_is_open_on_independence_day_under_martial_law(write_scenario):
    instance = instance_of(write_scenario, venues=[venue("ua-hall", "kyiv")], events=[event("e", ["ua-hall"])])
    assert instance.day(D(2024, 8, 23)) not in instance.venue_blocked["ua-hall"].reasons  # a Friday


def test_attendee_home_holidays_are_used_only_when_asked(write_scenario):
    people = [person("md-1", "chisinau")]
    kwargs = {"venues": [venue("ro-hall", "bucharest")], "people": people}
    events = [event("e", ["ro-hall"], attendees=["md-1"])]
    plain = instance_of(write_scenario, events=events, **kwargs)
    asked = instance_of(write_scenario, events=events, project={"avoid_attendee_holidays": True}, **kwargs)
    independence = plain.day(D(2024, 8, 27))
    assert independence not in plain.person_blocked["md-1"].reasons
    assert asked.person_blocked["md-1"].reasons[independence] == (
        "Republic of Moldova Independence Day, public holiday in MD (home of Person md-1)"
    )


def test_missing_country_calendar_warns_and_assumes_none(write_scenario, monkeypatch, capsys):
    def no_calendar(country, first, last, language="en_US"):
        raise UnknownCountryCalendar(country)

    monkeypatch.setattr(holiday_calendars, "public_holidays", no_calendar)
    instance = instance_of(write_scenario, venues=[venue("ro-hall", "bucharest")], events=[event("e", ["ro-hall"])])
    assert instance.day(D(2024, 5, 6)) not in instance.venue_blocked["ro-hall"].reasons
    assert "no calendar for RO" in capsys.readouterr().err
