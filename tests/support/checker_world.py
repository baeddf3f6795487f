"""The independent checker's own reading of a scenario: the TOML read with ``tomllib`` and the
spec's defaults applied here (not by ``scheduler.scenario.loader``), public holidays from ``holidays``, busy
days from ``.ics`` files with ``recurring_ical_events``, and the spec's cost model in cents.

From the scheduler package only the shipped default rate tables are used (data, not logic).
See ``plan_checker`` for the checks; this module must not import pytest (benchmarks use it).
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.scenario import rates as shipped_rates

EARTH_RADIUS_KM = 6371.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = dt.timedelta(days=1)

# --- the scenario, read with tomllib ----------------------------------------------------------


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return dt.date.fromisoformat(value)


def parse_range(value: Any) -> tuple[dt.date, dt.date]:
    if isinstance(value, str) and "/" in value:
        first, last = value.split("/")
        return parse_date(first), parse_date(last)
    return parse_date(value), parse_date(value)


def cents(value: Any) -> int:
    """A TOML or JSON amount as integer cents, exactly (a float through its shortest repr)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    scaled = amount * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value!r} has more than two decimals")
    return int(scaled)


@dataclass
class World:
    """The scenario as this checker reads it: defaults applied, money in cents."""

    path: Path
    project: dict[str, Any]
    budget_total: int
    category_caps: dict[str, int]
    year_caps: dict[int, int]
    per_diem: dict[str, int]
    accommodation: dict[str, int] | None
    bands: list[tuple[int, int]]
    fares: dict[frozenset, int]
    locations: dict[str, dict[str, Any]]
    venues: dict[str, dict[str, Any]]
    people: dict[str, dict[str, Any]]
    events: dict[str, dict[str, Any]] = field(default_factory=dict)

    def occurrence_ids(self) -> list[str]:
        return [f"{eid}-{k}" for eid, e in self.events.items() for k in range(1, e["count"] + 1)]


def read_world(path: str | Path) -> World:
    path = Path(path)
    data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    p = data["project"]
    project = {
        "id": p["id"],
        "name": p["name"],
        "currency": p.get("currency", "EUR"),
        "start": parse_date(p["start"]),
        "end": parse_date(p["end"]),
        "days": {WEEKDAYS.index(d.lower()) for d in p.get("days_of_week", WEEKDAYS[:5])},
        "max_concurrent": p.get("max_concurrent_events"),
        "avoid_holidays": p.get("avoid_attendee_holidays", False),
    }
    budget = data["budget"]
    rates = data.get("rates", {})
    per_diem = rates.get("per_diem")
    per_diem = (
        {c: cents(v) for c, v in per_diem.items()}
        if per_diem is not None
        else {c: euros * 100 for c, euros in shipped_rates.EU_PER_DIEM_2024.items()}
    )
    accommodation = rates.get("accommodation")
    if accommodation is not None:
        accommodation = {c: cents(v) for c, v in accommodation.items()}
    bands_raw = rates.get("distance_bands", "standard")
    if isinstance(bands_raw, str):
        bands_raw = shipped_rates.ERASMUS_2025_BANDS[bands_raw]
    bands = [(int(km), cents(amount)) for km, amount in bands_raw]
    fares = {frozenset((f["from"], f["to"])): cents(f["amount"]) for f in rates.get("fares", [])}
    locations = {loc["id"]: loc for loc in data["locations"]}
    venues = {}
    for v in data["venues"]:
        closed = v.get("unavailable", [])
        venues[v["id"]] = {
            "location": v["location"],
            "capacity": v["capacity"],
            "cost_per_day": cents(v["cost_per_day"]),
            "unavailable": [parse_range(r) for r in closed if not str(r).lower().endswith(".ics")],
            "calendars": [path.parent / r for r in closed if isinstance(r, str) and r.lower().endswith(".ics")],
        }
    people = {}
    for person in data.get("people", []):
        people[person["id"]] = {
            "home": person["home"],
            "country": person["country"],
            "roles": set(person.get("roles", [])),
            "funded": person.get("funded", True),
            "unavailable": [parse_range(r) for r in person.get("unavailable", [])],
            "busy": path.parent / person["busy"] if "busy" in person else None,
        }
    events = {}
    for e in data["events"]:
        repeat = e.get("repeat")
        events[e["id"]] = {
            "duration": e["duration_days"],
            "before": e.get("travel_days_before", 1),
            "after_days": e.get("travel_days_after", 0),
            "venues": list(e["venues"]),
            "window": parse_range(e["window"]) if "window" in e else (project["start"], project["end"]),
            "preferred": [parse_range(r) for r in e.get("preferred", [])],
            "attendees": list(e.get("attendees", [])),
            "seats": list(e.get("seats", [])),
            "order": [(a["event"], a.get("min_gap_days", 0), a.get("max_gap_days")) for a in e.get("after", [])],
            "optional": e.get("optional", False),
            "priority": e.get("priority", 1),
            "count": repeat["count"] if repeat else 1,
            "every_months": repeat["every_months"] if repeat else None,
            "tolerance": repeat.get("tolerance_days", 14) if repeat else None,
            "costs": {k: cents(v) for k, v in e.get("costs", {}).items()},
        }
    return World(
        path,
        project,
        cents(budget["total"]),
        {k: cents(v) for k, v in budget.get("categories", {}).items()},
        {int(k): cents(v) for k, v in budget.get("years", {}).items()},
        per_diem,
        accommodation,
        bands,
        fares,
        locations,
        venues,
        people,
        events,
    )


# --- calendars ----------------------------------------------------------------------------------


@cache
def public_holidays(country: str, first_year: int, last_year: int) -> dict[dt.date, str]:
    import holidays

    try:
        calendar = holidays.country_holidays(country, years=range(first_year, last_year + 1))
    except NotImplementedError:
        return {}
    return dict(calendar.items())


def holiday(country: str, day: dt.date) -> str | None:
    return public_holidays(country, day.year, day.year).get(day)


@cache
def busy_days(ics: Path, zone: str, first: dt.date, last: dt.date) -> frozenset[dt.date]:
    """Days of [first, last] blocked by an opaque all-day event, or by opaque timed events that
    cover at least four hours of the day in ``zone``."""
    import recurring_ical_events
    from icalendar import Calendar

    tz = ZoneInfo(zone)
    calendar = Calendar.from_ical(Path(ics).read_bytes())
    begin = dt.datetime.combine(first - DAY, dt.time(), tz)
    end = dt.datetime.combine(last + 2 * DAY, dt.time(), tz)
    blocked: set[dt.date] = set()
    spans: dict[dt.date, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for component in recurring_ical_events.of(calendar).between(begin, end):
        if str(component.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
            continue
        if str(component.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start = component["DTSTART"].dt
        if not isinstance(start, dt.datetime):
            stop = component["DTEND"].dt if "DTEND" in component else start + DAY
            day = start
            while day < max(stop, start + DAY):
                blocked.add(day)
                day += DAY
            continue
        if "DTEND" in component:
            stop = component["DTEND"].dt
        else:
            stop = start + (component["DURATION"].dt if "DURATION" in component else dt.timedelta())
        start = start.replace(tzinfo=tz) if start.tzinfo is None else start.astimezone(tz)
        stop = stop.replace(tzinfo=tz) if stop.tzinfo is None else stop.astimezone(tz)
        day = start.date()
        while day <= stop.date():
            lo = max(start, dt.datetime.combine(day, dt.time(), tz))
            hi = min(stop, dt.datetime.combine(day + DAY, dt.time(), tz))
            if hi > lo:
                spans[day].append((lo.astimezone(dt.UTC), hi.astimezone(dt.UTC)))
            day += DAY
    for day, pieces in spans.items():
        covered, reach = dt.timedelta(), None
        for lo, hi in sorted(pieces):
            if reach is not None and lo < reach:
                lo = reach
            if hi > lo:
                covered += hi - lo
            reach = hi if reach is None else max(reach, hi)
        if covered >= dt.timedelta(hours=4):
            blocked.add(day)
    return frozenset(d for d in blocked if first <= d <= last)


def each_day(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += DAY


# --- money --------------------------------------------------------------------------------------


def haversine_km(a: dict[str, Any], b: dict[str, Any]) -> float:
    lat1, lon1, lat2, lon2 = (math.radians(x) for x in (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def travel_cents(world: World, home: str, place: str) -> int:
    fare = world.fares.get(frozenset((home, place)))
    if fare is not None:
        return fare
    km = haversine_km(world.locations[home], world.locations[place])
    for max_km, amount in world.bands:
        if max_km >= km:
            return amount
    raise ValueError(f"{home} to {place}: {km:.1f} km is beyond the last distance band")


def attendee_cost(world: World, person_id: str, event_id: str, venue_id: str) -> Counter:
    person, event = world.people[person_id], world.events[event_id]
    place = world.venues[venue_id]["location"]
    cost: Counter = Counter()
    if not person["funded"] or person["home"] == place:
        return cost
    country = world.locations[place]["country"]
    nights = event["before"] + event["duration"] + event["after_days"] - 1
    cost["travel"] = travel_cents(world, person["home"], place)
    cost["per_diem"] = world.per_diem[country] * nights
    if world.accommodation is not None:
        cost["accommodation"] = world.accommodation[country] * nights
    return cost


def occurrence_cost(world: World, event_id: str, venue_id: str, attendees: list[str]) -> Counter:
    event = world.events[event_id]
    cost: Counter = Counter()
    cost["venue"] = world.venues[venue_id]["cost_per_day"] * event["duration"]
    for category, amount in event["costs"].items():
        cost[category] += amount
    for person_id in attendees:
        cost.update(attendee_cost(world, person_id, event_id, venue_id))
    return cost


def expected_costs(scenario_path: str | Path, plan: dict[str, Any]) -> dict[str, Any]:
    """What the plan's decisions (venue, attendees, start) cost, by the checker's own model:
    ``{"occurrences": {id: Counter}, "categories": Counter, "years": Counter, "total": cents}``."""
    return plan_costs(read_world(scenario_path), plan)


def plan_costs(world: World, plan: dict[str, Any]) -> dict[str, Any]:
    per_occurrence, categories, years = {}, Counter(), Counter()
    for item in plan["occurrences"]:
        if not item.get("scheduled"):
            continue
        people = [a["person"] for a in item["attendees"]]
        cost = occurrence_cost(world, item["event"], item["venue"], people)
        per_occurrence[item["id"]] = cost
        categories.update(cost)
        years[parse_date(item["start"]).year] += sum(cost.values())
    return {
        "occurrences": per_occurrence,
        "categories": categories,
        "years": years,
        "total": sum(categories.values()),
    }


def money_ok(value: Any) -> bool:
    """A JSON number with at most two decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    try:
        return Decimal(repr(value)).as_tuple().exponent >= -2
    except InvalidOperation:
        return False
