"""Guard keys in the coordinator's words: which event, which window, which person, which holiday."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from scheduler.model.instance import Instance
from scheduler.money import format_money
from scheduler.scenario.domain import WEEKDAYS


@dataclass(frozen=True)
class Fact:
    key: tuple  # the guard key, e.g. ("holiday", "RO", date(2024, 12, 25))
    text: str
    place: str = ""  # where in the scenario file it is set, e.g. "events[3].window"


@dataclass
class Conflict:
    """A smallest set of rules that cannot hold together, and changes that would resolve it."""

    facts: list[Fact]
    suggestions: list[str] = field(default_factory=list)

    @property
    def keys(self) -> set[tuple]:
        return {f.key for f in self.facts}


class Words:
    def __init__(self, instance: Instance):
        self.instance = instance
        self.s = instance.scenario
        self._index = {
            "events": {k: i for i, k in enumerate(self.s.events)},
            "venues": {k: i for i, k in enumerate(self.s.venues)},
            "people": {k: i for i, k in enumerate(self.s.people)},
        }

    # -- names -------------------------------------------------------------------------------------

    def event(self, eid: str) -> str:
        return f"“{self.s.events[eid].title}” ({eid})"

    def venue(self, vid: str) -> str:
        venue = self.s.venues[vid]
        return f"{venue.name} ({vid}, {self.s.locations[venue.location].city})"

    def person(self, pid: str) -> str:
        return f"{self.s.people[pid].name} ({pid})"

    def country(self, code: str | None) -> str:
        from scheduler.scenario.countries import country_name

        return country_name(code) if code else ""

    def date(self, day: dt.date) -> str:
        from babel.dates import format_date

        return format_date(day, "d MMMM y", locale="en")

    def money(self, cents: int) -> str:
        return format_money(cents, self.s.project.currency)

    def place(self, table: str, ident, key: str) -> str:
        index = self._index.get(table, {}).get(ident)
        return f"{table}[{index}].{key}" if index is not None else key

    def make_optional(self, eid: str) -> str:
        return f"make {eid} optional (optional = true): it would be left out rather than block the plan"

    # -- facts -------------------------------------------------------------------------------------

    def fact(self, key: tuple) -> Fact:
        kind, *rest = key
        s = self.s
        if kind == "required":
            return Fact(
                key,
                f"{self.event(rest[0])} must take place (it is not optional)",
                self.place("events", rest[0], "optional"),
            )
        if kind == "window":
            event = s.events[rest[0]]
            return Fact(
                key,
                f"{self.event(rest[0])} must lie within its window {event.window}",
                self.place("events", rest[0], "window"),
            )
        if kind == "days_of_week":
            days = ", ".join(WEEKDAYS[d].capitalize() for d in sorted(s.project.days_of_week))
            return Fact(key, f"events take place only on {days}", "project.days_of_week")
        if kind == "holiday":
            country, day = rest
            name = self._holiday_name(country, day)
            return Fact(
                key,
                f"{name}, {self.date(day)}, {self.country(country)}: a public holiday, so no event day at a venue there",
                "",
            )
        if kind == "home_holiday":
            pid, country, day = rest
            name = self._holiday_name(country, day)
            return Fact(
                key,
                f"{name}, {self.date(day)}, a public holiday in {self.country(country)}, home of {self.person(pid)} (project.avoid_attendee_holidays)",
                "project.avoid_attendee_holidays",
            )
        if kind == "closure":
            vid, span = rest
            return Fact(key, f"venue {self.venue(vid)} is unavailable {span}", self.place("venues", vid, "unavailable"))
        if kind == "booked":
            vid, name = rest
            return Fact(
                key,
                f"venue {self.venue(vid)} is booked on the days its calendar {name} blocks",
                self.place("venues", vid, "unavailable"),
            )
        if kind == "leave":
            pid, span = rest
            return Fact(key, f"{self.person(pid)} is unavailable {span}", self.place("people", pid, "unavailable"))
        if kind == "busy":
            pid = rest[0]
            person = s.people[pid]
            name = person.busy.name if person.busy else "calendar"
            return Fact(
                key,
                f"{self.person(pid)} is busy on the days their calendar {name} blocks",
                self.place("people", pid, "busy"),
            )
        if kind == "overlap":
            return Fact(key, f"{self.person(rest[0])} cannot be away for two occurrences on the same day", "")
        if kind == "venue_overlap":
            return Fact(key, f"venue {self.venue(rest[0])} hosts at most one occurrence a day", "")
        if kind == "capacity":
            eid, vid = rest
            size = self.instance.by_event[eid][0].size
            return Fact(
                key,
                f"venue {self.venue(vid)} seats {s.venues[vid].capacity}, but {self.event(eid)} has {size} attendees",
                self.place("venues", vid, "capacity"),
            )
        if kind == "seats":
            eid, index, country = rest
            seat = s.events[eid].seats[index]
            group = next(
                g for g in self.instance.by_event[eid][0].seat_groups if g.seat_index == index and g.country == country
            )
            where = f" from {self.country(country)}" if country else ""
            return Fact(
                key,
                f"{self.event(eid)} needs {group.need} {seat.role}{where} (candidates: {', '.join(group.candidates) or 'none'})",
                self.place("events", eid, f"seats[{index}]"),
            )
        if kind == "team_load":
            return Fact(
                key,
                f"the team runs at most {s.project.max_concurrent_events} events on any day",
                "project.max_concurrent_events",
            )
        if kind == "order":
            eid, other = rest
            order = next(a for a in s.events[eid].after if a.event == other)
            gap = f"at least {order.min_gap_days} days"
            if order.max_gap_days is not None:
                gap += f" and at most {order.max_gap_days} days"
            return Fact(
                key,
                f"{self.event(eid)} must start {gap} after {self.event(other)} ends",
                self.place("events", eid, "after"),
            )
        if kind == "series":
            eid = rest[0]
            repeat = s.events[eid].repeat
            return Fact(
                key,
                f"each of the {repeat.count} occurrences of {self.event(eid)} must start within {repeat.tolerance_days} days of {repeat.every_months} months after the previous one",
                self.place("events", eid, "repeat"),
            )
        if kind == "budget_total":
            return Fact(key, f"the total budget is {self.money(s.budget.total)}", "budget.total")
        if kind == "budget_category":
            return Fact(
                key,
                f"the {rest[0]} budget is capped at {self.money(s.budget.categories[rest[0]])}",
                f"budget.categories.{rest[0]}",
            )
        if kind == "budget_year":
            return Fact(
                key,
                f"the budget for {rest[0]} is capped at {self.money(s.budget.years[rest[0]])}",
                f"budget.years.{rest[0]}",
            )
        return Fact(key, " ".join(map(str, key)), "")

    def _holiday_name(self, country: str, day: dt.date) -> str:
        from scheduler.calendars.holidays import public_holidays

        return public_holidays(country, day, day).get(day, "public holiday")
