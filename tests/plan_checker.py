"""An independent checker of a plan against the spec (/work/shared/SPEC.md).

It reads the scenario TOML itself (``tomllib``, not ``scheduler.loader``), applies the spec's
defaults itself, and checks every rule of "What a valid plan is", every amount of "How money is
counted", the budget totals, the objective vector and the shape of ``plan.json``. From the
scheduler package it takes only data: the shipped default rate tables (``scheduler.rates``).
Public holidays come from the ``holidays`` package, busy calendars are expanded with
``recurring_ical_events``, series anchors come from ``pendulum``.

``check_plan(path, plan)`` returns human-readable violations, each tagged with the rule family it
breaks (``[event_days] w-1: ...``; the families are the names of ``scheduler.solver.rules.RULES``,
plus ``structure``, ``costs``, ``objective``); an empty list means the plan is valid.
``expected_costs(path, plan)`` is the checker's own cost model, for benchmarks and tests.

Readings where the spec leaves room (kept in step with the spec, not with the model's code):
- rule 7: every pair (occurrence of E, occurrence of O) that are both scheduled obeys the gaps,
  and an occurrence of E is scheduled only if O has at least one scheduled occurrence;
- busy calendars: TRANSP:TRANSPARENT and STATUS:CANCELLED events do not block; floating times are
  read in the person's home zone; timed events' overlaps count once;
- days outside ``preferred`` are counted only for events that have ``preferred`` ranges.

This module must not import pytest: benchmarks import it.
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

from scheduler import rates as shipped_rates

FORMAT = "scheduler-plan/1"
EARTH_RADIUS_KM = 6371.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BASE_CATEGORIES = ("travel", "per_diem", "accommodation", "venue")
DAY = dt.timedelta(days=1)


# --- the scenario, read with tomllib ----------------------------------------------------------


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return dt.date.fromisoformat(value)


def _range(value: Any) -> tuple[dt.date, dt.date]:
    if isinstance(value, str) and "/" in value:
        first, last = value.split("/")
        return _date(first), _date(last)
    return _date(value), _date(value)


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
        "start": _date(p["start"]),
        "end": _date(p["end"]),
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
            "unavailable": [_range(r) for r in closed if not str(r).lower().endswith(".ics")],
            "calendars": [path.parent / r for r in closed if isinstance(r, str) and r.lower().endswith(".ics")],
        }
    people = {}
    for person in data.get("people", []):
        people[person["id"]] = {
            "home": person["home"],
            "country": person["country"],
            "roles": set(person.get("roles", [])),
            "funded": person.get("funded", True),
            "unavailable": [_range(r) for r in person.get("unavailable", [])],
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
            "window": _range(e["window"]) if "window" in e else (project["start"], project["end"]),
            "preferred": [_range(r) for r in e.get("preferred", [])],
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


def _days(first: dt.date, last: dt.date):
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
    return _expected_costs(read_world(scenario_path), plan)


def _expected_costs(world: World, plan: dict[str, Any]) -> dict[str, Any]:
    per_occurrence, categories, years = {}, Counter(), Counter()
    for item in plan["occurrences"]:
        if not item.get("scheduled"):
            continue
        people = [a["person"] for a in item["attendees"]]
        cost = occurrence_cost(world, item["event"], item["venue"], people)
        per_occurrence[item["id"]] = cost
        categories.update(cost)
        years[_date(item["start"]).year] += sum(cost.values())
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


# --- the checks ---------------------------------------------------------------------------------


def check_plan(scenario_path: str | Path, plan: dict[str, Any], previous_changes: int = 0) -> list[str]:
    """Every way ``plan`` breaks the spec for the scenario at ``scenario_path``; [] if none.

    ``previous_changes`` is the objective's second entry the plan should carry (0 without
    ``--previous``)."""
    world = read_world(scenario_path)
    out = _check_structure(world, plan)
    if out:
        return out  # the rules cannot be read off a malformed plan
    occurrences = {o["id"]: o for o in plan["occurrences"]}
    scheduled = {oid: o for oid, o in occurrences.items() if o["scheduled"]}
    for check in (
        _check_window,
        _check_event_days,
        _check_attendance_days,
        _check_attendees,
        _check_venue,
        _check_team_load,
        _check_order,
        _check_series,
        _check_required,
    ):
        out += check(world, scheduled, occurrences)
    out += _check_money(world, plan, previous_changes)
    return out


def _span(o: dict[str, Any]) -> tuple[dt.date, dt.date]:
    return _date(o["start"]), _date(o["end"])


def _check_structure(world: World, plan: dict[str, Any]) -> list[str]:
    out = []

    def bad(message: str) -> None:
        out.append(f"[structure] {message}")

    if plan.get("format") != FORMAT:
        bad(f"format is {plan.get('format')!r}, expected {FORMAT!r}")
    project = world.project
    expected_project = {"id": project["id"], "name": project["name"], "currency": project["currency"]}
    if plan.get("project") != expected_project:
        bad(f"project is {plan.get('project')!r}, expected {expected_project!r}")
    solver = plan.get("solver", {})
    if solver.get("status") not in ("OPTIMAL", "FEASIBLE"):
        bad(f"solver.status is {solver.get('status')!r}")
    objective = solver.get("objective")
    if not (isinstance(objective, list) and len(objective) == 4 and all(type(x) is int for x in objective)):
        bad(f"solver.objective {objective!r} is not four integers")
    for key in ("wall_seconds", "seed", "workers"):
        if isinstance(solver.get(key), bool) or not isinstance(solver.get(key), int | float):
            bad(f"solver.{key} is missing or not a number")
    items = plan.get("occurrences")
    if not isinstance(items, list):
        return out + ["[structure] occurrences is not a list"]
    ids = [o.get("id") for o in items]
    if ids != world.occurrence_ids():
        bad(f"occurrences are {ids}, expected {world.occurrence_ids()} (every occurrence once, in order)")
    for o in items:
        out += _check_item_shape(world, o)
    budget = plan.get("budget")
    if not isinstance(budget, dict) or not {"limit", "total", "categories", "years"} <= set(budget):
        bad("budget lacks limit, total, categories or years")
        return out
    lines = [("budget.limit", budget["limit"]), ("budget.total", budget["total"])]
    for group in ("categories", "years"):
        for key, line in budget[group].items():
            if "total" not in line or set(line) - {"total", "limit"}:
                bad(f"budget.{group}.{key} should have total (and limit): {line!r}")
            lines += [(f"budget.{group}.{key}.{k}", v) for k, v in line.items()]
    for where, value in lines:
        if not money_ok(value):
            bad(f"{where} = {value!r} is not an amount with at most two decimals")
    return out


def _check_item_shape(world: World, o: dict[str, Any]) -> list[str]:
    out = []
    oid = o.get("id")
    event_id, _, index = str(oid).rpartition("-")
    if o.get("event") != event_id or not index.isdigit() or o.get("index") != int(index):
        out.append(f"[structure] {oid}: event {o.get('event')!r} / index {o.get('index')!r} do not match the id")
    if not isinstance(o.get("scheduled"), bool):
        return out + [f"[structure] {oid}: scheduled is not true or false"]
    if not o["scheduled"]:
        if not isinstance(o.get("reason"), str) or not o["reason"]:
            out.append(f"[structure] {oid}: left out without a reason")
        return out
    keys = {"start", "end", "venue", "location", "country", "attendees", "cost", "sequence"}
    missing = keys - set(o)
    if missing:
        return out + [f"[structure] {oid}: missing {sorted(missing)}"]
    event = world.events.get(o["event"])
    start, end = _span(o)
    if event and (end - start).days + 1 != event["duration"]:
        out.append(f"[structure] {oid}: {start}..{end} is not {event['duration']} days")
    venue = world.venues.get(o["venue"])
    if event and o["venue"] not in event["venues"]:
        out.append(f"[structure] {oid}: venue {o['venue']} is not one of {event['venues']}")
    if venue and o["location"] != venue["location"]:
        out.append(f"[structure] {oid}: location {o['location']} is not the venue's {venue['location']}")
    if venue and o["country"] != world.locations[venue["location"]]["country"]:
        out.append(f"[structure] {oid}: country {o['country']} is not the venue's")
    if type(o["sequence"]) is not int or o["sequence"] < 0:
        out.append(f"[structure] {oid}: sequence {o['sequence']!r} is not a whole number >= 0")
    people = [a.get("person") for a in o["attendees"]]
    if len(set(people)) != len(people):
        out.append(f"[structure] {oid}: a person is listed twice in {people}")
    for a in o["attendees"]:
        if a.get("person") not in world.people:
            out.append(f"[structure] {oid}: unknown person {a.get('person')!r}")
            continue
        away = a.get("away")
        if not (isinstance(away, list) and len(away) == 2):
            out.append(f"[structure] {oid}: {a['person']}'s away is not [first, last]")
            continue
        if venue and event:
            local = world.people[a["person"]]["home"] == venue["location"]
            first = start if local else start - event["before"] * DAY
            last = end if local else end + event["after_days"] * DAY
            if (_date(away[0]), _date(away[1])) != (first, last):
                out.append(f"[structure] {oid}: {a['person']} is away {away}, expected {first}..{last}")
    cost = o["cost"]
    if not isinstance(cost, dict) or not set(BASE_CATEGORIES) | {"total"} <= set(cost):
        out.append(f"[structure] {oid}: cost lacks one of {BASE_CATEGORIES} or total: {cost!r}")
    else:
        for category, value in cost.items():
            if not money_ok(value):
                out.append(f"[structure] {oid}: cost.{category} = {value!r} is not an amount with two decimals")
    return out


def _check_window(world: World, scheduled, _all) -> list[str]:
    out = []
    for oid, o in scheduled.items():
        start, end = _span(o)
        first, last = world.events[o["event"]]["window"]
        if start < world.project["start"] or end > world.project["end"]:
            out.append(f"[horizon_and_window] {oid}: {start}..{end} leaves the project's horizon")
        if start < first or end > last:
            out.append(f"[horizon_and_window] {oid}: {start}..{end} leaves the window {first}/{last}")
    return out


def _check_event_days(world: World, scheduled, _all) -> list[str]:
    out = []
    for oid, o in scheduled.items():
        venue = world.venues[o["venue"]]
        location = world.locations[venue["location"]]
        start, end = _span(o)
        booked = set()
        for ics in venue["calendars"]:
            booked |= busy_days(ics, location["timezone"], start, end)
        for day in _days(start, end):
            if day.weekday() not in world.project["days"]:
                out.append(f"[event_days] {oid}: {day} is a {WEEKDAYS[day.weekday()]}, not a working day")
            name = holiday(location["country"], day)
            if name:
                out.append(f"[event_days] {oid}: {day} is a public holiday in {location['country']} ({name})")
            if any(a <= day <= b for a, b in venue["unavailable"]) or day in booked:
                out.append(f"[event_days] {oid}: venue {o['venue']} is unavailable on {day}")
    return out


def _check_attendance_days(world: World, scheduled, _all) -> list[str]:
    out = []
    away_by_person: dict[str, list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
    for oid, o in scheduled.items():
        for a in o["attendees"]:
            pid = a["person"]
            person = world.people[pid]
            first, last = _date(a["away"][0]), _date(a["away"][1])
            away_by_person[pid].append((first, last, oid))
            busy = (
                busy_days(person["busy"], world.locations[person["home"]]["timezone"], first, last)
                if person["busy"]
                else frozenset()
            )
            for day in _days(first, last):
                if any(x <= day <= y for x, y in person["unavailable"]):
                    out.append(f"[attendance_days] {oid}: {pid} is unavailable on {day}")
                if day in busy:
                    out.append(f"[attendance_days] {oid}: {pid} is busy in their calendar on {day}")
                if world.project["avoid_holidays"]:
                    name = holiday(person["country"], day)
                    if name:
                        out.append(f"[attendance_days] {oid}: {day} is {name}, a holiday at {pid}'s home")
    for pid, spans in away_by_person.items():
        spans.sort()
        for (_first1, b1, o1), (a2, _last2, o2) in zip(spans, spans[1:], strict=False):
            if a2 <= b1:
                out.append(f"[attendance_days] {pid} is away for {o1} and {o2} on the same day {a2}")
    return out


def _fixed_attendees(world: World, event: dict[str, Any]) -> list[str]:
    fixed: dict[str, None] = {}
    for who in event["attendees"]:
        if who.startswith("role:"):
            fixed.update((pid, None) for pid, p in world.people.items() if who[5:] in p["roles"])
        else:
            fixed[who] = None
    return list(fixed)


def _seat_slots(world: World, event: dict[str, Any], fixed: set[str]) -> list[tuple[str, set[str]]]:
    """One slot per seat to fill: (description, the people who may fill it)."""
    slots = []
    for i, seat in enumerate(event["seats"]):
        holders = {pid for pid, p in world.people.items() if seat["role"] in p["roles"] and pid not in fixed}
        if "per_country" in seat:
            for country in seat["countries"]:
                pool = {pid for pid in holders if world.people[pid]["country"] == country}
                slots += [(f"seats[{i}] {seat['role']} from {country}", pool)] * seat["per_country"]
        else:
            countries = seat.get("countries")
            pool = {pid for pid in holders if not countries or world.people[pid]["country"] in countries}
            slots += [(f"seats[{i}] {seat['role']}", pool)] * seat["count"]
    return slots


def _matching(people: list[str], slots: list[tuple[str, set[str]]]) -> int:
    """The largest number of people seated, one per slot (augmenting paths)."""
    holder: dict[int, str] = {}

    def place(pid: str, seen: set[int]) -> bool:
        for s, (_, pool) in enumerate(slots):
            if pid in pool and s not in seen:
                seen.add(s)
                if s not in holder or place(holder[s], seen):
                    holder[s] = pid
                    return True
        return False

    return sum(place(pid, set()) for pid in people)


def _check_attendees(world: World, scheduled, _all) -> list[str]:
    out = []
    for oid, o in scheduled.items():
        event = world.events[o["event"]]
        fixed = _fixed_attendees(world, event)
        present = [a["person"] for a in o["attendees"]]
        for pid in fixed:
            if pid not in present:
                out.append(f"[attendees] {oid}: {pid} must attend but is not listed")
        extra = [pid for pid in present if pid not in fixed]
        slots = _seat_slots(world, event, set(fixed))
        seated = _matching(extra, slots)
        if seated != len(slots) or seated != len(extra):
            wanted = Counter(name for name, _ in slots)
            out.append(
                f"[attendees] {oid}: the seats {dict(wanted)} are not filled exactly by {sorted(extra)} "
                f"({seated} seated of {len(slots)} seats, {len(extra)} people beyond the named attendees)"
            )
    return out


def _check_venue(world: World, scheduled, _all) -> list[str]:
    out = []
    used: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
    for oid, o in scheduled.items():
        capacity = world.venues[o["venue"]]["capacity"]
        if len(o["attendees"]) > capacity:
            out.append(f"[venue] {oid}: {len(o['attendees'])} attendees at {o['venue']}, which seats {capacity}")
        for day in _days(*_span(o)):
            used[(o["venue"], day)].append(oid)
    for (venue, day), oids in sorted(used.items()):
        if len(oids) > 1:
            out.append(f"[venue] {venue} holds {oids} on the same day {day}")
    return out


def _check_team_load(world: World, scheduled, _all) -> list[str]:
    limit = world.project["max_concurrent"]
    if limit is None:
        return []
    per_day: dict[dt.date, list[str]] = defaultdict(list)
    for oid, o in scheduled.items():
        for day in _days(*_span(o)):
            per_day[day].append(oid)
    return [
        f"[team_load] {len(oids)} occurrences on {day} ({oids}), at most {limit}"
        for day, oids in sorted(per_day.items())
        if len(oids) > limit
    ]


def _check_order(world: World, scheduled, _all) -> list[str]:
    out = []
    for eid, event in world.events.items():
        mine = [o for o in scheduled.values() if o["event"] == eid]
        for other, low, high in event["order"]:
            before = [o for o in scheduled.values() if o["event"] == other]
            for o in mine:
                if not before:
                    out.append(f"[order] {o['id']} is scheduled but {other}, which it comes after, is not")
                for b in before:
                    gap = (_date(o["start"]) - _date(b["end"])).days - 1
                    if gap < low or (high is not None and gap > high):
                        out.append(
                            f"[order] {o['id']} starts {gap} days after {b['id']} ends; "
                            f"the gap must be {low}..{'' if high is None else high}"
                        )
    return out


def _check_series(world: World, scheduled, every) -> list[str]:
    import pendulum

    out = []
    for eid, event in world.events.items():
        for k in range(1, event["count"]):
            prev, nxt = every.get(f"{eid}-{k}"), every.get(f"{eid}-{k + 1}")
            if prev is None or nxt is None or not nxt["scheduled"]:
                continue
            if not prev["scheduled"]:
                out.append(f"[series] {eid}-{k + 1} is scheduled but {eid}-{k} is not")
                continue
            s = _date(prev["start"])
            anchor = pendulum.Date(s.year, s.month, s.day).add(months=event["every_months"])
            anchor = dt.date(anchor.year, anchor.month, anchor.day)
            off = abs((_date(nxt["start"]) - anchor).days)
            if off > event["tolerance"]:
                out.append(
                    f"[series] {eid}-{k + 1} starts {nxt['start']}, {off} days from {anchor} "
                    f"({event['every_months']} months after {eid}-{k}); tolerance {event['tolerance']}"
                )
    return out


def _check_required(world: World, _scheduled, every) -> list[str]:
    return [
        f"[required] {oid} is not scheduled, but {o['event']} is not optional"
        for oid, o in every.items()
        if not o["scheduled"] and not world.events[o["event"]]["optional"]
    ]


def _check_money(world: World, plan: dict[str, Any], previous_changes: int) -> list[str]:
    out = []
    expected = _expected_costs(world, plan)
    for item in plan["occurrences"]:
        if not item["scheduled"]:
            continue
        want = expected["occurrences"][item["id"]]
        got = {c: cents(v) for c, v in item["cost"].items() if c != "total"}
        for category in sorted(set(want) | set(got)):
            if got.get(category, 0) != want.get(category, 0):
                out.append(
                    f"[costs] {item['id']}: {category} is {got.get(category, 0) / 100:.2f}, "
                    f"expected {want.get(category, 0) / 100:.2f}"
                )
        for category in world.events[item["event"]]["costs"]:
            if category not in got:
                out.append(f"[costs] {item['id']}: the extra cost {category} is not listed")
        if cents(item["cost"]["total"]) != sum(want.values()):
            out.append(f"[costs] {item['id']}: total is {item['cost']['total']}, expected {sum(want.values()) / 100}")
    budget = plan["budget"]
    if cents(budget["limit"]) != world.budget_total:
        out.append(f"[costs] budget.limit is {budget['limit']}, expected {world.budget_total / 100}")
    if cents(budget["total"]) != expected["total"]:
        out.append(f"[costs] budget.total is {budget['total']}, expected {expected['total'] / 100}")
    out += _check_lines("categories", budget["categories"], expected["categories"], world.category_caps)
    years = {int(y): line for y, line in budget["years"].items()}
    out += _check_lines("years", years, expected["years"], world.year_caps)
    # Rule 10, on the recomputed amounts.
    if expected["total"] > world.budget_total:
        out.append(f"[budget] the plan costs {expected['total'] / 100:.2f}, above the total {world.budget_total / 100}")
    for category, cap in world.category_caps.items():
        if expected["categories"].get(category, 0) > cap:
            out.append(f"[budget] {category} costs {expected['categories'][category] / 100:.2f}, above {cap / 100}")
    for year, cap in world.year_caps.items():
        if expected["years"].get(year, 0) > cap:
            out.append(f"[budget] {year} costs {expected['years'][year] / 100:.2f}, above its cap {cap / 100}")
    out += _check_objective(world, plan, expected["total"], previous_changes)
    return out


def _check_lines(group: str, lines: dict, totals: Counter, caps: dict) -> list[str]:
    out = []
    for key in sorted(set(caps) | {k for k, v in totals.items() if v}, key=str):
        if key not in lines:
            out.append(f"[costs] budget.{group} lacks {key}")
    for key, line in lines.items():
        if cents(line["total"]) != totals.get(key, 0):
            out.append(f"[costs] budget.{group}.{key}.total is {line['total']}, expected {totals.get(key, 0) / 100}")
        want_limit = caps.get(key)
        got_limit = cents(line["limit"]) if "limit" in line else None
        if got_limit != want_limit:
            out.append(f"[costs] budget.{group}.{key}.limit is {line.get('limit')}, expected {want_limit}")
    return out


def _check_objective(world: World, plan: dict[str, Any], total: int, previous_changes: int) -> list[str]:
    priority = outside = 0
    for item in plan["occurrences"]:
        if not item["scheduled"]:
            continue
        event = world.events[item["event"]]
        if event["optional"]:
            priority += event["priority"]
        if event["preferred"]:
            outside += sum(1 for day in _days(*_span(item)) if not any(a <= day <= b for a, b in event["preferred"]))
    want = [priority, previous_changes, total, outside]
    got = plan["solver"]["objective"]
    return [] if got == want else [f"[objective] the objective is {got}, expected {want}"]


def broken_rules(violations: list[str]) -> set[str]:
    """The rule families named by ``check_plan``'s violations."""
    return {v[1 : v.index("]")] for v in violations if v.startswith("[")}
