"""The solver's view of a scenario: days as integers, occurrences expanded, blocked days known.

Day ``0`` is ``project.start``. Everything the rules need that does not depend on a decision is
computed here once: who attends for sure, who may fill which seat, which days each venue and each
person cannot use and why (the reason is kept for explanations and reports).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate

from scheduler.errors import Problem, ScenarioError
from scheduler.model.prices import Prices
from scheduler.scenario.domain import Event, Person, Scenario

TRAVEL_PAD = 14  # the largest travel_days_before / _after the loader accepts


@dataclass(frozen=True)
class SeatGroup:
    """``need`` people to be chosen among ``candidates`` for seat entry ``seat_index``."""

    seat_index: int
    country: str | None
    need: int
    candidates: tuple[str, ...]


@dataclass
class Occurrence:
    id: str
    event: Event
    index: int  # 1-based
    fixed: tuple[str, ...]  # person ids who attend whenever it is scheduled
    seat_groups: tuple[SeatGroup, ...]

    @property
    def size(self) -> int:
        return len(self.fixed) + sum(g.need for g in self.seat_groups)

    @cached_property
    def seat_candidates(self) -> tuple[str, ...]:
        return tuple(sorted({p for g in self.seat_groups for p in g.candidates}))

    @property
    def duration(self) -> int:
        return self.event.duration_days


@dataclass
class Blocked:
    """Days that cannot be used, by day index, with the reason for each (first reason wins)."""

    reasons: dict[int, str] = field(default_factory=dict)
    # Every cause of every day under a structured key such as ("holiday", "RO", date) or
    # ("leave", person, "2023-03-06/2023-03-24"), so that an explanation can switch one cause off.
    causes: dict[tuple, dict[int, str]] = field(default_factory=dict)

    def add(self, day: int, reason: str, cause: tuple = ("other",)) -> None:
        self.reasons.setdefault(day, reason)
        self.causes.setdefault(cause, {})[day] = reason


class Instance:
    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.project = scenario.project
        self.prices = Prices(self)
        self.horizon = (self.project.end - self.project.start).days + 1
        self.occurrences = self._expand()
        self.by_id = {o.id: o for o in self.occurrences}
        self.by_event: dict[str, list[Occurrence]] = {}
        for occurrence in self.occurrences:
            self.by_event.setdefault(occurrence.event.id, []).append(occurrence)
        # event -> [(event that must follow it, its ``after`` entry)]
        self.followers: dict[str, list] = {}
        for event in scenario.events.values():
            for order in event.after:
                self.followers.setdefault(order.event, []).append((event.id, order))
        self.venue_blocked = {vid: self._venue_blocked(vid) for vid in sorted(self._used_venues())}
        self.person_blocked = {
            pid: self._person_blocked(scenario.people[pid]) for pid in sorted(self._involved_people())
        }
        self._start_cache: dict[tuple, tuple[int, ...]] = {}
        self._preferred: dict[str, tuple[list[tuple[int, int]], frozenset[int]]] = {}

    # -- days -------------------------------------------------------------------------------------

    def date(self, day: int) -> dt.date:
        return self.project.start + dt.timedelta(days=day)

    def day(self, date: dt.date) -> int:
        return (date - self.project.start).days

    # -- occurrences ------------------------------------------------------------------------------

    def _expand(self) -> list[Occurrence]:
        s = self.scenario
        out = []
        for event in s.events.values():
            fixed: dict[str, None] = {}
            for who in event.attendees:
                if who.startswith("role:"):
                    for person in s.people_with_role(who[5:]):
                        fixed[person.id] = None
                else:
                    fixed[who] = None
            groups = []
            for i, seat in enumerate(event.seats):
                holders = [p for p in s.people_with_role(seat.role) if p.id not in fixed]
                if seat.per_country is not None:
                    for country in seat.countries:
                        pool = tuple(sorted(p.id for p in holders if p.country == country))
                        groups.append(SeatGroup(i, country, seat.per_country, pool))
                else:
                    pool = tuple(sorted(p.id for p in holders if not seat.countries or p.country in seat.countries))
                    groups.append(SeatGroup(i, None, seat.count, pool))
            for index in range(1, event.occurrence_count + 1):
                out.append(
                    Occurrence(
                        event.occurrence_id(index),
                        event,
                        index,
                        tuple(sorted(fixed)),
                        tuple(groups),
                    )
                )
        return out

    def _used_venues(self) -> set[str]:
        return {v for e in self.scenario.events.values() for v in e.venues}

    def _involved_people(self) -> set[str]:
        return {p for o in self.occurrences for p in (*o.fixed, *o.seat_candidates)}

    def is_local(self, person_id: str, venue_id: str) -> bool:
        return self.scenario.people[person_id].home == self.scenario.venues[venue_id].location

    def away_offsets(self, occurrence: Occurrence, person_id: str, venue_id: str) -> tuple[int, int]:
        """First and last away day relative to the start day."""
        event = occurrence.event
        if self.is_local(person_id, venue_id):
            return 0, event.duration_days - 1
        return -event.travel_days_before, event.duration_days - 1 + event.travel_days_after

    # -- blocked days -----------------------------------------------------------------------------

    def _venue_blocked(self, venue_id: str) -> Blocked:
        from scheduler.calendars.busy import CalendarFileError, busy_days
        from scheduler.calendars.holidays import UnknownCountryCalendar, public_holidays
        from scheduler.scenario.domain import WEEKDAYS

        s = self.scenario
        venue = s.venues[venue_id]
        location = s.locations[venue.location]
        blocked = Blocked()
        for day in range(self.horizon):
            weekday = self.date(day).weekday()
            if weekday not in self.project.days_of_week:
                blocked.add(
                    day,
                    f"a {WEEKDAYS[weekday].capitalize()}, not one of the project's working days",
                    ("days_of_week",),
                )
        try:
            for date, name in public_holidays(location.country, self.project.start, self.project.end).items():
                blocked.add(
                    self.day(date), f"{name}, public holiday in {location.country}", ("holiday", location.country, date)
                )
        except UnknownCountryCalendar:
            print(
                f"warning: the holidays package has no calendar for {location.country}; no public holidays are assumed at {venue_id}",
                file=sys.stderr,
            )
        for closed in venue.unavailable:
            for date in closed.days():
                if self.project.start <= date <= self.project.end:
                    blocked.add(
                        self.day(date), f"venue {venue_id} unavailable {closed}", ("closure", venue_id, str(closed))
                    )
        for path in venue.busy:
            try:
                days = busy_days(path, location.timezone, self.project.start, self.project.end).days
            except CalendarFileError as error:
                raise ScenarioError(
                    str(s.path),
                    [
                        Problem(
                            f"venues[{list(s.venues).index(venue_id)}].unavailable",
                            str(error),
                            venue_id,
                        )
                    ],
                ) from None
            for date, summary in days.items():
                blocked.add(self.day(date), f"venue {venue_id} booked ({summary})", ("booked", venue_id, path.name))
        return blocked

    def _person_blocked(self, person: Person) -> Blocked:
        from scheduler.calendars.busy import CalendarFileError, busy_days
        from scheduler.calendars.holidays import UnknownCountryCalendar, public_holidays

        s = self.scenario
        first = self.project.start - dt.timedelta(days=TRAVEL_PAD)
        last = self.project.end + dt.timedelta(days=TRAVEL_PAD)
        blocked = Blocked()
        for leave in person.unavailable:
            for date in leave.days():
                if first <= date <= last:
                    blocked.add(self.day(date), f"{person.name} unavailable {leave}", ("leave", person.id, str(leave)))
        if person.busy is not None:
            zone = s.locations[person.home].timezone
            try:
                days = busy_days(person.busy, zone, first, last).days
            except CalendarFileError as error:
                raise ScenarioError(
                    str(s.path),
                    [Problem(f"people[{list(s.people).index(person.id)}].busy", str(error), person.id)],
                ) from None
            for date, summary in days.items():
                blocked.add(self.day(date), f"{person.name} busy ({summary})", ("busy", person.id))
        if self.project.avoid_attendee_holidays:
            try:
                for date, name in public_holidays(person.country, first, last).items():
                    blocked.add(
                        self.day(date),
                        f"{name}, public holiday in {person.country} (home of {person.name})",
                        ("home_holiday", person.id, person.country, date),
                    )
            except UnknownCountryCalendar:
                print(
                    f"warning: the holidays package has no calendar for {person.country}; no public holidays are assumed for {person.id}",
                    file=sys.stderr,
                )
        return blocked

    # -- start domains ----------------------------------------------------------------------------

    def window_starts(self, occurrence: Occurrence) -> tuple[int, int]:
        """Rule 1: the first and last start day that keep the occurrence inside horizon and window
        (last < first where none does)."""
        window = occurrence.event.window
        first = max(0, self.day(window.first))
        last = min(self.horizon - 1, self.day(window.last)) - occurrence.duration + 1
        return first, last

    def event_day_starts(self, occurrence: Occurrence, venue_id: str) -> tuple[int, ...]:
        """Rule 2: the start days in the horizon whose event days are all usable at the venue."""
        key = ("venue", venue_id, occurrence.duration)
        if key not in self._start_cache:
            bad = self.venue_blocked[venue_id].reasons
            self._start_cache[key] = _clear_starts(bad, 0, self.horizon - 1, 0, occurrence.duration - 1)
        return self._start_cache[key]

    def attendance_starts(self, occurrence: Occurrence, person_id: str, venue_id: str) -> tuple[int, ...]:
        """Rule 3: the start days whose away days are all free for the person."""
        lo, hi = self.away_offsets(occurrence, person_id, venue_id)
        key = ("person", person_id, lo, hi)
        if key not in self._start_cache:
            bad = self.person_blocked[person_id].reasons
            self._start_cache[key] = _clear_starts(bad, 0, self.horizon - 1, lo, hi)
        return self._start_cache[key]

    def preferred_ranges(self, occurrence: Occurrence) -> list[tuple[int, int]]:
        """The event's preferred ranges as day indexes, overlapping or touching ones merged."""
        return self._preferred_of(occurrence.event)[0]

    def preferred_days(self, occurrence: Occurrence) -> frozenset[int]:
        """The day indexes inside the event's preferred ranges."""
        return self._preferred_of(occurrence.event)[1]

    def _preferred_of(self, event: Event) -> tuple[list[tuple[int, int]], frozenset[int]]:
        found = self._preferred.get(event.id)
        if found is None:
            merged: list[list[int]] = []
            for a, b in sorted((self.day(r.first), self.day(r.last)) for r in event.preferred):
                if merged and a <= merged[-1][1] + 1:
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
            ranges = [(a, b) for a, b in merged]
            found = self._preferred[event.id] = (
                ranges,
                frozenset(d for a, b in ranges for d in range(max(a, 0), min(b, self.horizon + 366) + 1)),
            )
        return found


def _clear_starts(bad: dict[int, str], first: int, last: int, lo: int, hi: int) -> tuple[int, ...]:
    """Start days ``s`` in [first, last] such that no day of [s+lo, s+hi] is in ``bad``."""
    if not bad:
        return tuple(range(first, last + 1))
    base = first + lo
    span = last + hi - base + 1
    marks = [0] * span
    for day in bad:
        if 0 <= day - base < span:
            marks[day - base] = 1
    prefix = [0, *accumulate(marks)]
    width = hi - lo + 1
    return tuple(s for s in range(first, last + 1) if prefix[s - first + width] - prefix[s - first] == 0)
