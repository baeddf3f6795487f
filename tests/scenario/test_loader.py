"""Validation of scenario files: every problem at once, each with its place, id and value, and
what would be right; exit code 2 and no traceback on the command line."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.errors import ScenarioError
from scheduler.money import MoneyError, to_cents
from scheduler.scenario.loader import load
from tests.support.scenarios import event, location, person, toml_text, venue


def base() -> dict:
    """A small valid scenario as data; tests break one thing at a time."""
    return {
        "project": {
            "id": "test",
            "name": "Test project",
            "start": dt.date(2024, 1, 1),
            "end": dt.date(2024, 12, 31),
            "currency": "EUR",
            "timezone": "Europe/Vienna",
            "organizer": {"name": "Project team", "email": "team@example.org"},
        },
        "budget": {"total": 100000},
        "locations": [location("bucharest"), location("chisinau")],
        "venues": [venue("ro-hall", "bucharest"), venue("md-hall", "chisinau")],
        "people": [person("md-1", "chisinau", roles=["staff"]), person("ro-1", "bucharest", roles=["heads"])],
        "events": [
            event("kickoff", ["ro-hall"], attendees=["md-1"]),
            event("ws", ["md-hall"], attendees=["role:heads"], after=[{"event": "kickoff"}]),
            event("sv", ["ro-hall"], seats=[{"role": "staff", "count": 1}]),
            event("final", ["md-hall"], window="2024-10-01/2024-12-13"),
        ],
    }


@pytest.fixture
def problems(write_scenario):
    """``problems(data)`` -> the loader's problems as (place, id, message) tuples."""

    def run(data: dict | str) -> list[tuple[str, str | None, str]]:
        text = data if isinstance(data, str) else toml_text(data)
        with pytest.raises(ScenarioError) as info:
            load(write_scenario(text))
        return [(p.place, p.ident, p.message) for p in info.value.problems]

    return run


def find(found: list[tuple], place: str, *fragments: str) -> tuple:
    """The problem at ``place`` whose message contains every fragment."""
    for problem in found:
        if problem[0] == place and all(f in problem[2] for f in fragments):
            return problem
    raise AssertionError(f"no problem at {place} with {fragments}; found:\n" + "\n".join(map(str, found)))


def test_the_base_scenario_is_valid(write_scenario):
    s = load(write_scenario(toml_text(base())))
    assert list(s.events) == ["kickoff", "ws", "sv", "final"]
    assert s.events["ws"].window.first == dt.date(2024, 1, 1)  # the window defaults to the horizon
    assert s.events["kickoff"].travel_days_before == 1 and s.events["kickoff"].travel_days_after == 0
    assert s.project.days_of_week == frozenset(range(5))


def test_every_problem_is_reported_at_once_with_place_id_and_value(problems):
    data = base()
    data["events"][3]["window"] = "2024-13-01/2024-12-31"
    data["venues"][0]["capacity"] = "forty"
    data["people"][1]["email"] = "ro-1.example.org"
    found = problems(data)
    assert len(found) == 3
    place, ident, message = find(found, "events[3].window")
    assert ident == "final" and "2024-13-01/2024-12-31" in message
    assert find(found, "venues[0].capacity", '"forty"', "whole number")[1] == "ro-hall"
    assert find(found, "people[1].email", "ro-1.example.org", "name@example.org")[1] == "ro-1"


def test_a_broken_entry_is_not_reported_again_where_it_is_used(problems):
    """A venue, person, location or event with a wrong value is still defined: the events that
    use it must not be told it is unknown (nor that nobody holds its roles)."""
    data = base()
    data["venues"][0]["capacity"] = 0  # used by kickoff and sv
    data["people"][1]["country"] = "Romania"  # the only holder of role "heads", named by ws
    data["locations"][1]["lat"] = 123  # home of md-1 and of md-hall
    data["events"][0]["kind"] = "party"  # ws comes after kickoff
    found = problems(data)
    assert [p[0] for p in found] == ["locations[1].lat", "venues[0].capacity", "people[1].country", "events[0].kind"]


def test_unknown_keys_suggest_the_right_one(problems):
    data = base()
    data["events"][0]["duraton_days"] = 2
    del data["events"][0]["duration_days"]
    data["project"]["timezon"] = "Europe/Vienna"
    data["evnets"] = "x"
    found = problems(data)
    find(found, "events[0].duraton_days", 'did you mean "duration_days"')
    find(found, "events[0].duration_days", "required")
    find(found, "project.timezon", 'did you mean "timezone"')
    find(found, "evnets", 'did you mean "events"')


@pytest.mark.parametrize(
    ("value", "fragment"),
    [(100.123, "two decimals"), (-5, "negative"), ("lots", "amount"), (True, "amount")],
)
def test_bad_money(problems, value, fragment):
    data = base()
    data["venues"][1]["cost_per_day"] = value
    find(problems(data), "venues[1].cost_per_day", fragment)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2024-02-30", "not a day of the calendar"),
        ("2024/01/01", "YYYY-MM-DD"),
        ("1 January 2024", "YYYY-MM-DD"),
        (20240101, "YYYY-MM-DD"),
    ],
)
def test_bad_dates(problems, value, fragment):
    data = base()
    data["project"]["start"] = value
    find(problems(data), "project.start", fragment)


def test_reversed_ranges(problems):
    data = base()
    data["events"][1]["window"] = "2024-05-01/2024-04-01"
    data["people"][0]["unavailable"] = ["2024-08-05/2024-07-18"]
    data["project"]["end"] = dt.date(2023, 12, 31)
    found = problems(data)
    find(found, "events[1].window", "ends before it starts", "2024-04-01/2024-05-01")
    find(found, "people[0].unavailable", "ends before it starts")
    find(found, "project.end", "before start")


def test_unknown_references_with_suggestions(problems):
    data = base()
    data["venues"][0]["location"] = "bucharst"
    data["people"][0]["home"] = "chisinu"
    data["events"][0]["venues"] = ["ro-hal"]
    data["events"][0]["attendees"] = ["md-l", "role:head"]
    data["events"][2]["seats"] = [{"role": "staf", "count": 1}]
    data["events"][1]["after"] = [{"event": "kickof"}]
    found = problems(data)
    find(found, "venues[0].location", '"bucharst"', 'did you mean "bucharest"')
    find(found, "people[0].home", 'did you mean "chisinau"')
    find(found, "events[0].venues[0]", 'unknown venue "ro-hal"', 'did you mean "ro-hall"')
    find(found, "events[0].attendees[0]", 'unknown person "md-l"', 'did you mean "md-1"')
    find(found, "events[0].attendees[1]", '"head"', 'did you mean "heads"')
    find(found, "events[2].seats[0].role", '"staf"', 'did you mean "staff"')
    assert find(found, "events[1].after[0].event", '"kickof"', 'did you mean "kickoff"')[1] == "ws"


def test_cycles_in_after(problems):
    data = base()
    data["events"][0]["after"] = [{"event": "final"}]
    data["events"][3]["after"] = [{"event": "ws"}]
    found = [p for p in problems(data) if "circle" in p[2]]
    assert len(found) == 1 and found[0][0].startswith("events[") and found[0][0].endswith("].after")
    problem = found[0]
    # The whole circle is named.
    for eid in ("kickoff", "ws", "final"):
        assert eid in problem[2]


def test_event_after_itself(problems):
    data = base()
    data["events"][0]["after"] = [{"event": "kickoff"}]
    find(problems(data), "events[0].after[0].event", "itself")


def test_country_codes(problems, write_scenario):
    data = base()
    data["locations"].append(
        {
            "id": "pristina",
            "city": "Prishtina",
            "country": "XK",
            "timezone": "Europe/Belgrade",
            "lat": 42.66,
            "lon": 21.17,
        }
    )
    load(write_scenario(toml_text(data)))  # XK (Kosovo) is accepted
    for code, hint in (("ZZ", "ISO 3166-1"), ("EU", "ISO 3166-1"), ("md", 'did you mean "MD"'), ("Moldova", 'is "MD"')):
        data = base()
        data["locations"][1]["country"] = code
        find(problems(data), "locations[1].country", hint)


def test_time_zones(problems):
    data = base()
    data["locations"][1]["timezone"] = "Europe/Chisnau"
    data["project"]["timezone"] = "Mars/Olympus_Mons"
    found = problems(data)
    find(found, "locations[1].timezone", "IANA", 'did you mean "Europe/Chisinau"')
    find(found, "project.timezone", "IANA")


def test_coordinates_out_of_range(problems):
    data = base()
    data["locations"][0]["lat"] = 91.0
    data["locations"][1]["lon"] = -181
    found = problems(data)
    find(found, "locations[0].lat", "91.0", "-90")
    find(found, "locations[1].lon", "-181", "-180")


@pytest.mark.parametrize("bad", ["Kickoff", "-kickoff", "sv serbia", "a" * 64, "", "kick.off", "ţară"])
def test_ids(problems, bad):
    data = base()
    data["venues"][1]["id"] = bad
    data["events"][1]["venues"] = [bad] if bad else ["x"]
    find(problems(data), "venues[1].id", "not a valid id")


def test_longest_id_is_accepted(write_scenario):
    data = base()
    data["venues"][1]["id"] = "a" * 63
    data["events"][1]["venues"] = data["events"][3]["venues"] = ["a" * 63]
    assert "a" * 63 in load(write_scenario(toml_text(data))).venues


def test_duplicate_ids(problems):
    data = base()
    data["venues"][1]["id"] = "ro-hall"
    data["events"][1]["venues"] = ["ro-hall"]
    data["people"].append(person("md-1", "chisinau"))
    found = problems(data)
    find(found, "venues[1].id", '"ro-hall" is used twice', "venues[0]")
    find(found, "people[2].id", '"md-1" is used twice')


@pytest.mark.parametrize("name", ["Ion\nRusu", "Ion\u0007Rusu", "Ion\u2028Rusu", "Ion\u202eRusu", "   "])
def test_names_on_one_line_without_control_characters(problems, name):
    data = base()
    data["people"][0]["name"] = name
    find(problems(data), "people[0].name")


@pytest.mark.parametrize("email", ["ion.rusu@", "ion rusu@example.md", "@example.md", "ion.rusu@example", 42])
def test_bad_email(problems, email):
    data = base()
    data["people"][0]["email"] = email
    find(problems(data), "people[0].email", "e-mail address")


def test_missing_per_diem_for_a_venue_country_is_an_error(problems):
    # Poland is not in the shipped table: an error, never a silent zero.
    data = base()
    data["locations"].append(
        {"id": "warsaw", "city": "Warsaw", "country": "PL", "timezone": "Europe/Warsaw", "lat": 52.23, "lon": 21.01}
    )
    data["venues"].append(venue("pl-hall", "warsaw"))
    data["events"][0]["venues"] = ["ro-hall", "pl-hall"]
    find(problems(data), "rates.per_diem", "PL", "pl-hall")
    # A scenario's own table must name every venue country too, and so must its accommodation table.
    data = base()
    data["rates"] = {"per_diem": {"RO": 198}, "accommodation": {"RO": 50}}
    found = problems(data)
    find(found, "rates.per_diem", "MD", "md-hall")
    find(found, "rates.accommodation", "MD", "md-hall")


def test_a_venue_no_event_uses_needs_no_per_diem(write_scenario):
    data = base()
    data["locations"].append(
        {"id": "warsaw", "city": "Warsaw", "country": "PL", "timezone": "Europe/Warsaw", "lat": 52.23, "lon": 21.01}
    )
    data["venues"].append(venue("pl-hall", "warsaw"))
    load(write_scenario(toml_text(data)))


def test_budget_cap_on_a_category_no_cost_falls_in(problems, write_scenario):
    data = base()
    data["budget"]["categories"] = {"catering": 100, "travl": 50}
    found = problems(data)
    find(found, "budget.categories.catering", "no cost falls in")
    find(found, "budget.categories.travl", 'did you mean "travel"')
    # Once an event has catering costs, the cap is valid.
    data["events"][0]["costs"] = {"catering": 300}
    data["budget"]["categories"] = {"catering": 100, "travel": 50}
    s = load(write_scenario(toml_text(data)))
    assert s.budget.categories == {"catering": 100_00, "travel": 50_00}


def test_toml_syntax_error(problems):
    found = problems('[project\nid = "x"\n')
    assert len(found) == 1 and "not valid TOML" in found[0][2] and "line 1" in found[0][2]


def test_empty_file(problems):
    assert "empty" in problems("  \n\n")[0][2]


def test_binary_file(write_scenario):
    path = write_scenario("")
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert "binary" in info.value.problems[0].message


def test_not_utf8(write_scenario):
    path = write_scenario("")
    path.write_bytes('[project]\nname = "Chişinău"\n'.encode("cp1250", errors="replace").replace(b"?", b"\xe2"))
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert "UTF-8" in info.value.problems[0].message


@pytest.mark.parametrize(
    "text",
    ["", "[project\n", "x = 1\n", None],
    ids=["empty", "syntax", "unknown-key", "invalid-values"],
)
def test_cli_exit_2_without_traceback(cli, write_scenario, text):
    if text is None:
        data = base()
        data["events"][3]["window"] = "2024-12-31/2024-01-01"
        data["people"][0]["country"] = "md"
        text = toml_text(data)
    path = write_scenario(text)
    for command in (("validate", path), ("solve", path, "-o", path.parent / "out")):
        result = cli(*command)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert str(path) in result.output
        assert not (path.parent / "out").exists()
    if text.startswith("[project]"):
        assert "events[3].window" in result.output and '(id "final")' in result.output
        assert 'did you mean "MD"' in result.output
        assert "2 problems" in result.output


def test_missing_file(cli, tmp_path):
    result = cli("validate", tmp_path / "nope.toml")
    assert result.exit_code == 2 and "no such file" in result.output and "Traceback" not in result.output


# --- money ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (409161.91, 40916191),  # the ILECU budget: exactly, not 40916190.99…
        (0.1, 10),
        (0.29, 29),  # 0.29 * 100 == 28.999999999999996 in floating point
        (1.1, 110),
        (1e3, 100000),
        (1250, 125000),
        (0, 0),
        (198.5, 19850),
        (2**40, 2**40 * 100),
    ],
)
def test_money_is_exact_cents(value, expected):
    assert to_cents(value) == expected


@pytest.mark.parametrize("value", [0.1 + 0.2, 1.005, 0.001, -1, -0.01, float("nan"), float("inf"), True, None, "1,5"])
def test_money_refused(value):
    with pytest.raises(MoneyError):
        to_cents(value)


def test_money_in_a_scenario_file(write_scenario, problems):
    data = base()
    data["budget"]["total"] = 409161.91
    data["venues"][0]["cost_per_day"] = 1e3
    s = load(write_scenario(toml_text(data)))
    assert s.budget.total == 40916191 and s.venues["ro-hall"].cost_per_day == 100000
    text = toml_text(base()).replace("total = 100000", "total = 0.30000000000000004")
    find(problems(text), "budget.total", "two decimals")
