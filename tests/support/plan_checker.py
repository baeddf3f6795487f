"""An independent checker of a plan against the spec (/work/shared/SPEC.md).

It reads the scenario TOML itself (``tomllib``, not ``scheduler.scenario.loader``), applies the spec's
defaults itself, and checks every rule of "What a valid plan is", every amount of "How money is
counted", the budget totals, the objective vector and the shape of ``plan.json``. From the
scheduler package it takes only data: the shipped default rate tables (``scheduler.scenario.rates``).
Public holidays come from the ``holidays`` package, busy calendars are expanded with
``recurring_ical_events``, series anchors come from ``pendulum``.

``check_plan(path, plan)`` returns human-readable violations, each tagged with the rule family it
breaks (``[event_days] w-1: ...``; the families are the names of ``scheduler.model.rules.RULES``,
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
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tests.support.checker_world import (
    DAY,
    WEEKDAYS,
    World,
    busy_days,
    cents,
    each_day,
    expected_costs,
    haversine_km,
    holiday,
    money_ok,
    parse_date,
    plan_costs,
    read_world,
    travel_cents,
)

__all__ = [
    "RULE_CHECKS",
    "broken_rules",
    "budget_violations",
    "check_plan",
    "expected_costs",
    "haversine_km",
    "money_ok",
    "objective_of",
    "read_world",
    "rule_violations",
    "travel_cents",
]

FORMAT = "scheduler-plan/1"
BASE_CATEGORIES = ("travel", "per_diem", "accommodation", "venue")

# --- the checks ---------------------------------------------------------------------------------


def check_plan(scenario_path: str | Path, plan: dict[str, Any], previous_changes: int = 0) -> list[str]:
    """Every way ``plan`` breaks the spec for the scenario at ``scenario_path``; [] if none.

    ``previous_changes`` is the objective's second entry the plan should carry (0 without
    ``--previous``)."""
    world = read_world(scenario_path)
    out = _check_structure(world, plan)
    if out:
        return out  # the rules cannot be read off a malformed plan
    return out + rule_violations(world, plan) + _check_money(world, plan, previous_changes)


def rule_violations(world: World, plan: dict[str, Any]) -> list[str]:
    """The ten rules only, on a plan's decisions (start, end, venue, attendees with away days);
    money is recomputed, so a candidate plan needs no cost or budget entries."""
    occurrences = {o["id"]: o for o in plan["occurrences"]}
    scheduled = {oid: o for oid, o in occurrences.items() if o["scheduled"]}
    out = []
    for check in RULE_CHECKS.values():
        out += check(world, scheduled, occurrences)
    return out + budget_violations(world, plan_costs(world, plan))


def objective_of(world: World, plan: dict[str, Any], previous_changes: int = 0) -> list[int]:
    """[priority of scheduled optional occurrences, previous_changes, cost in cents, days outside
    preferred], from the plan's decisions."""
    priority = outside = 0
    for item in plan["occurrences"]:
        if not item["scheduled"]:
            continue
        event = world.events[item["event"]]
        if event["optional"]:
            priority += event["priority"]
        if event["preferred"]:
            outside += sum(1 for day in each_day(*_span(item)) if not any(a <= day <= b for a, b in event["preferred"]))
    return [priority, previous_changes, plan_costs(world, plan)["total"], outside]


def _span(o: dict[str, Any]) -> tuple[dt.date, dt.date]:
    return parse_date(o["start"]), parse_date(o["end"])


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
            if (parse_date(away[0]), parse_date(away[1])) != (first, last):
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
        for day in each_day(start, end):
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
            first, last = parse_date(a["away"][0]), parse_date(a["away"][1])
            away_by_person[pid].append((first, last, oid))
            busy = (
                busy_days(person["busy"], world.locations[person["home"]]["timezone"], first, last)
                if person["busy"]
                else frozenset()
            )
            for day in each_day(first, last):
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
        for day in each_day(*_span(o)):
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
        for day in each_day(*_span(o)):
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
                    gap = (parse_date(o["start"]) - parse_date(b["end"])).days - 1
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
            s = parse_date(prev["start"])
            anchor = pendulum.Date(s.year, s.month, s.day).add(months=event["every_months"])
            anchor = dt.date(anchor.year, anchor.month, anchor.day)
            off = abs((parse_date(nxt["start"]) - anchor).days)
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
    expected = plan_costs(world, plan)
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
    want = objective_of(world, plan, previous_changes)
    if plan["solver"]["objective"] != want:
        out.append(f"[objective] the objective is {plan['solver']['objective']}, expected {want}")
    return out


def budget_violations(world: World, expected: dict[str, Any]) -> list[str]:
    """Rule 10, on the recomputed amounts (``plan_costs``)."""
    out = []
    if expected["total"] > world.budget_total:
        out.append(f"[budget] the plan costs {expected['total'] / 100:.2f}, above the total {world.budget_total / 100}")
    for category, cap in world.category_caps.items():
        if expected["categories"].get(category, 0) > cap:
            out.append(f"[budget] {category} costs {expected['categories'][category] / 100:.2f}, above {cap / 100}")
    for year, cap in world.year_caps.items():
        if expected["years"].get(year, 0) > cap:
            out.append(f"[budget] {year} costs {expected['years'][year] / 100:.2f}, above its cap {cap / 100}")
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


RULE_CHECKS = {
    "horizon_and_window": _check_window,
    "event_days": _check_event_days,
    "attendance_days": _check_attendance_days,
    "attendees": _check_attendees,
    "venue": _check_venue,
    "team_load": _check_team_load,
    "order": _check_order,
    "series": _check_series,
    "required": _check_required,
}  # rule 10 (budget) needs the costs: ``budget_violations``


def broken_rules(violations: list[str]) -> set[str]:
    """The rule families named by ``check_plan``'s violations."""
    return {v[1 : v.index("]")] for v in violations if v.startswith("[")}
