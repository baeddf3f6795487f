"""Property-based tests (hypothesis).

1. Whatever a hand-edited scenario file holds (a value of any type in any place, a key removed or
   added, bytes flipped, lines cut), reading it either gives a scenario or raises the loader's own
   ``ScenarioError``, whose every problem is one printable line; nothing else escapes.
2. Whatever small valid scenario is generated (cities, venues with closures, people with roles and
   leave, events with windows, seats, order, series, optional ones, extra costs and caps), a plan
   the solver returns passes the independent checker of the spec's rules (``plan_checker``);
   infeasible is an allowed answer.

Examples are few and derandomized, so the suite stays fast and CI reproducible.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as count_as
from hypothesis import strategies as st

from scheduler.errors import InfeasibleError, NoPlanError, ScenarioError
from scheduler.model.instance import Instance
from scheduler.scenario.loader import load
from tests.support.plan_checker import check_plan
from tests.support.scenarios import CITIES, event, location, person, scenario, toml_text, venue

FAST = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SOLVES = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# --- 1. the loader refuses, never crashes -------------------------------------------------------


def valid_data() -> dict[str, Any]:
    """A small valid scenario as data, touching every table and most keys."""
    return {
        "project": {
            "id": "fuzz",
            "name": "Fuzzed project",
            "start": dt.date(2024, 1, 1),
            "end": dt.date(2024, 12, 31),
            "currency": "EUR",
            "timezone": "Europe/Vienna",
            "organizer": {"name": "Project team", "email": "team@example.org"},
            "days_of_week": ["mon", "tue", "wed", "thu", "fri"],
            "max_concurrent_events": 2,
        },
        "budget": {"total": 100000, "categories": {"travel": 50000}, "years": {"2024": 90000}},
        "rates": {
            "per_diem": {"RO": 198, "MD": 250},
            "distance_bands": [[99, 28], [499, 211], [1999, 309]],
            "fares": [{"from": "chisinau", "to": "bucharest", "amount": 180}],
        },
        "locations": [location("bucharest"), location("chisinau")],
        "venues": [
            venue("ro-hall", "bucharest", unavailable=["2024-08-01/2024-08-31"]),
            venue("md-hall", "chisinau", cost_per_day=250),
        ],
        "people": [
            person("md-1", "chisinau", roles=["staff"], unavailable=["2024-07-15/2024-07-26"], language="ro"),
            person("md-2", "chisinau", roles=["staff"]),
            person("ro-1", "bucharest", roles=["heads"], funded=False),
        ],
        "events": [
            event("kickoff", ["ro-hall"], kind="conference", attendees=["ro-1"], window="2024-02-01/2024-03-29"),
            event(
                "ws",
                ["md-hall", "ro-hall"],
                duration_days=2,
                attendees=["role:heads"],
                seats=[{"role": "staff", "per_country": 1, "countries": ["MD"]}],
                after=[{"event": "kickoff", "min_gap_days": 7, "max_gap_days": 200}],
                preferred=["2024-05-01/2024-05-31"],
                costs={"interpretation": 1200},
                agenda=[{"day": 1, "time": "09:00-10:30", "title": "Welcome"}],
            ),
            event(
                "steering",
                ["ro-hall"],
                kind="steering_committee",
                optional=True,
                priority=2,
                repeat={"count": 2, "every_months": 6, "tolerance_days": 14},
            ),
        ],
    }


def test_the_fuzzed_scenario_is_valid_before_it_is_fuzzed(tmp_path):
    path = tmp_path / "valid.toml"
    path.write_text(toml_text(valid_data()), encoding="utf-8")
    Instance(load(path))


ODD_TEXT = st.sampled_from(
    ["", " ", "x" * 600, "a\nb", "a\r\nBcc: x@example.org", "\x00", "\x1b[2J", "\u202e", "role:", "../x", "é" * 3]
)
TOML_VALUES = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=30),
        ODD_TEXT,
        st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
        st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["id", "role", "count", "x", "event", "day"]), inner, max_size=3),
    ),
    max_leaves=8,
)


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in the data: keys of tables and positions in lists."""
    out = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(paths(value, prefix + (key,)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.extend(paths(value, prefix + (i,)))
    return out


def set_at(data: Any, path: tuple, value: Any) -> None:
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if value is None:
        del parent[last]
    else:
        parent[last] = value


@st.composite
def mutated_scenarios(draw) -> str:
    """The valid scenario with one to three places changed to any TOML value, removed, or given
    an unknown neighbour key."""
    data = copy.deepcopy(valid_data())
    for _ in range(draw(st.integers(1, 3))):
        places = paths(data)
        if not places:
            break
        place = draw(st.sampled_from(places))
        if draw(st.integers(0, 5)) == 0 and isinstance(place[-1], str):
            set_at(data, place[:-1] + (draw(st.sampled_from(["extra", "windows", "ids"])),), 1)
        else:
            set_at(data, place, draw(st.one_of(st.none(), TOML_VALUES)))  # None: remove it
    return toml_text(data)


def read(path: Path) -> None:
    """Load and expand as ``scheduler validate`` does; only ScenarioError may come out."""
    try:
        Instance(load(path))
        count_as("still valid")
    except ScenarioError as error:
        count_as("refused")
        assert error.problems, "a ScenarioError names at least one problem"
        for problem in error.problems:
            line = problem.render(str(path))
            assert problem.message and "\n" not in line, line
            assert line.isprintable(), f"a problem is shown with raw control characters: {line!r}"


@FAST
@given(text=mutated_scenarios())
def test_mutated_values_are_refused_with_a_validation_error(tmp_path, text):
    path = tmp_path / "mutated.toml"
    path.write_text(text, encoding="utf-8")
    read(path)


@st.composite
def damaged_bytes(draw) -> bytes:
    """The valid file with bytes flipped, inserted, deleted, or the file cut short."""
    raw = bytearray(toml_text(valid_data()).encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw) - 1))
        action = draw(st.sampled_from(["flip", "insert", "delete", "cut", "duplicate-line"]))
        if action == "flip":
            raw[at] = draw(st.integers(0, 255))
        elif action == "insert":
            raw[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del raw[at : at + draw(st.integers(1, 20))]
        elif action == "cut":
            del raw[at:]
        else:
            start = raw.rfind(b"\n", 0, at) + 1
            end = raw.find(b"\n", at)
            end = len(raw) if end < 0 else end + 1
            raw[end:end] = raw[start:end]
        if not raw:
            break
    return bytes(raw)


@FAST
@given(raw=damaged_bytes())
def test_damaged_files_are_refused_with_a_validation_error(tmp_path, raw):
    path = tmp_path / "damaged.toml"
    path.write_bytes(raw)
    read(path)


# --- 2. every plan obeys the rules ---------------------------------------------------------------

ROLES = ["staff", "heads", "experts"]


@st.composite
def valid_scenarios(draw) -> str:
    """A small valid scenario drawn whole: which cities, venues, people and events exist."""
    cities = draw(st.lists(st.sampled_from(sorted(CITIES)), min_size=2, max_size=4, unique=True))
    venues = []
    for i, city in enumerate(draw(st.lists(st.sampled_from(cities), min_size=1, max_size=3))):
        fields: dict[str, Any] = {
            "capacity": draw(st.integers(3, 30)),
            "cost_per_day": draw(st.sampled_from([0, 120, 300.5])),
        }
        if draw(st.booleans()):
            first = dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 300)))
            fields["unavailable"] = [f"{first}/{first + dt.timedelta(days=draw(st.integers(0, 20)))}"]
        venues.append(venue(f"v{i}-{city}", city, **fields))
    people = []
    for i in range(draw(st.integers(1, 6))):
        city = draw(st.sampled_from(cities))
        fields = {
            "roles": draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True)),
            "funded": draw(st.sampled_from([True, True, False])),
        }
        if draw(st.booleans()):
            first = dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 330)))
            fields["unavailable"] = [f"{first}/{first + dt.timedelta(days=draw(st.integers(0, 14)))}"]
        people.append(person(f"p{i}-{city}", city, **fields))
    held = sorted({r for p in people for r in p["roles"]})
    events: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 4))):
        duration = draw(st.integers(1, 3))
        first = dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, 250)))
        last = min(dt.date(2024, 12, 31), first + dt.timedelta(days=draw(st.integers(duration + 6, 90))))
        fields = {
            "kind": draw(st.sampled_from(["conference", "study_visit", "workshop", "training", "meeting"])),
            "duration_days": duration,
            "window": f"{first}/{last}",
            "travel_days_before": draw(st.integers(0, 1)),
            "travel_days_after": draw(st.integers(0, 1)),
            "optional": draw(st.booleans()),
        }
        attendees = draw(st.lists(st.sampled_from([p["id"] for p in people]), max_size=2, unique=True))
        if draw(st.booleans()):
            attendees.append(f"role:{draw(st.sampled_from(held))}")
        fields["attendees"] = attendees
        free = [p for p in people if p["id"] not in attendees and not any(f"role:{r}" in attendees for r in p["roles"])]
        seat = draw(st.sampled_from(["none", "count", "per_country"])) if free else "none"
        if seat != "none":
            holder = draw(st.sampled_from(free))  # someone not invited anyway can fill the seat
            role = draw(st.sampled_from(holder["roles"]))
            if seat == "count":
                fields["seats"] = [{"role": role, "count": 1}]
            else:
                fields["seats"] = [{"role": role, "per_country": 1, "countries": [holder["country"]]}]
        if fields["optional"]:
            fields["priority"] = draw(st.integers(1, 5))
        if events and draw(st.booleans()):
            gap = {"event": draw(st.sampled_from([e["id"] for e in events])), "min_gap_days": draw(st.integers(0, 14))}
            if draw(st.booleans()):
                gap["max_gap_days"] = gap["min_gap_days"] + draw(st.integers(0, 90))
            fields["after"] = [gap]
        if draw(st.integers(0, 3)) == 0:
            fields["repeat"] = {
                "count": draw(st.integers(2, 3)),
                "every_months": draw(st.integers(1, 3)),
                "tolerance_days": draw(st.integers(3, 20)),
            }
            first = min(first, dt.date(2024, 3, 1))  # the series fits in the window
            last = dt.date(2024, 12, 31)
            fields["window"] = f"{first}/{last}"
        if draw(st.booleans()):
            fields["preferred"] = [f"{first}/{min(last, first + dt.timedelta(days=10))}"]
        if draw(st.booleans()):
            fields["costs"] = {"catering": draw(st.sampled_from([0, 99.99, 450]))}
        chosen = draw(st.lists(st.sampled_from([v["id"] for v in venues]), min_size=1, max_size=2, unique=True))
        events.append(event(f"e{i}", chosen, **fields))
    project: dict[str, Any] = {}
    if draw(st.booleans()):
        project["max_concurrent_events"] = 1
    if draw(st.booleans()):
        project["avoid_attendee_holidays"] = True
    if draw(st.booleans()):
        project["days_of_week"] = ["mon", "tue", "wed", "thu", "fri", "sat"]
    budget: dict[str, Any] = {"total": draw(st.integers(2000, 60000))}
    if draw(st.booleans()):
        budget["categories"] = {"per_diem": draw(st.integers(500, 8000))}
    if draw(st.booleans()):
        budget["years"] = {"2024": draw(st.integers(1000, 40000))}
    rates = None
    if draw(st.booleans()) and len(cities) >= 2:
        rates = {"fares": [{"from": cities[0], "to": cities[1], "amount": draw(st.sampled_from([0, 75.5, 640]))}]}
    return scenario(
        project=project, budget=budget, rates=rates, venues=venues, people=people, events=events, cities=cities
    )


@SOLVES
@given(text=valid_scenarios())
def test_every_plan_of_a_generated_scenario_obeys_the_rules(tmp_path, text):
    from scheduler import plan as plan_json
    from scheduler.solver import SolveOptions, solve

    path = tmp_path / "generated.toml"
    path.write_text(text, encoding="utf-8")
    instance = Instance(load(path))  # a generated scenario is valid: a ScenarioError here is a bug
    try:
        plan = plan_json.to_dict(solve(instance, SolveOptions(workers=1, time_limit=20)))
    except (InfeasibleError, NoPlanError) as error:
        count_as(f"no plan: {type(error).__name__}")  # --hypothesis-show-statistics counts them
        return  # a required event that cannot fit is an honest answer
    scheduled = sum(o["scheduled"] for o in plan["occurrences"])
    count_as(f"plan with {'all' if scheduled == len(plan['occurrences']) else 'some'} occurrences scheduled")
    violations = check_plan(path, plan)
    assert violations == [], "\n".join(violations) + "\n\n" + text


@pytest.mark.parametrize("seed_text", ["", "[project]\n", "[[events]]\nid = 1\n"])
def test_tiny_files_are_refused(tmp_path, seed_text):
    path = tmp_path / "tiny.toml"
    path.write_text(seed_text, encoding="utf-8")
    with pytest.raises(ScenarioError):
        load(path)


# --- 3. ids become file names: exactly the spec's pattern ----------------------------------------

SPEC_ID = r"[a-z0-9][a-z0-9_-]{0,62}"  # SPEC.md, "The scenario file"


@FAST
@given(
    value=st.one_of(
        st.from_regex(SPEC_ID, fullmatch=True),
        st.text(max_size=70),
        st.text(alphabet="abc-_/.\\:0Z \n\x00é", max_size=70),
    )
)
def test_an_id_is_accepted_exactly_when_it_matches_the_spec(value):
    """What becomes a file name (``calendar/people/<person>.ics``) can hold no separator, dot,
    space, capital or control character, and cannot be empty or longer than 63 characters."""
    import re

    from scheduler.scenario.fields import FieldError, ident

    allowed = all(ch in "abcdefghijklmnopqrstuvwxyz0123456789_-" for ch in value) and bool(
        re.fullmatch(SPEC_ID, value, flags=re.ASCII)
    )
    try:
        accepted = ident(value) == value
    except FieldError:
        accepted = False
    assert accepted == allowed, repr(value)
