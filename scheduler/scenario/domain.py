"""The scenario as the coordinator wrote it: validated, typed, money in cents.

These objects are public input data; the solver's own representation of time (day indexes) and of
choices lives in ``scheduler.model.instance`` and ``scheduler.solver``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

EVENT_KINDS = ("conference", "study_visit", "workshop", "training", "steering_committee", "meeting")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
COST_CATEGORIES = ("travel", "per_diem", "accommodation", "venue")


@dataclass(frozen=True)
class DateRange:
    """Both days inclusive."""

    first: dt.date
    last: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    def days(self):
        day = self.first
        while day <= self.last:
            yield day
            day += dt.timedelta(days=1)

    def __str__(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()}/{self.last.isoformat()}"


@dataclass(frozen=True)
class Contact:
    name: str
    email: str


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    start: dt.date
    end: dt.date
    currency: str
    timezone: str
    organizer: Contact
    days_of_week: frozenset[int]  # 0 = Monday, as date.weekday()
    max_concurrent_events: int | None = None
    avoid_attendee_holidays: bool = False

    @property
    def horizon(self) -> DateRange:
        return DateRange(self.start, self.end)


@dataclass(frozen=True)
class Budget:
    total: int  # cents
    categories: dict[str, int] = field(default_factory=dict)
    years: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Rates:
    per_diem: dict[str, int]  # country -> cents per night away
    accommodation: dict[str, int] | None  # None: hotels are covered by the per diem
    distance_bands: tuple[tuple[int, int], ...]  # (max km, round-trip cents), ascending
    fares: dict[frozenset[str], int]  # {location, location} -> round-trip cents
    sources: dict[str, str] = field(default_factory=dict)  # table -> where its figures come from


@dataclass(frozen=True)
class Location:
    id: str
    city: str
    country: str
    timezone: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Venue:
    id: str
    name: str
    location: str
    address: str
    capacity: int
    cost_per_day: int  # cents
    unavailable: tuple[DateRange, ...] = ()
    busy: tuple[Path, ...] = ()  # booking calendars (.ics) named in `unavailable`


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    organisation: str
    country: str
    home: str
    language: str = "en"
    roles: tuple[str, ...] = ()
    funded: bool = True
    unavailable: tuple[DateRange, ...] = ()
    busy: Path | None = None


@dataclass(frozen=True)
class Seat:
    role: str
    per_country: int | None
    countries: tuple[str, ...]
    count: int | None


@dataclass(frozen=True)
class After:
    event: str
    min_gap_days: int = 0
    max_gap_days: int | None = None


@dataclass(frozen=True)
class Repeat:
    count: int
    every_months: int
    tolerance_days: int


@dataclass(frozen=True)
class AgendaItem:
    day: int
    start: dt.time
    end: dt.time
    title: str


@dataclass(frozen=True)
class Event:
    id: str
    kind: str
    title: str
    duration_days: int
    travel_days_before: int
    travel_days_after: int
    venues: tuple[str, ...]
    window: DateRange
    preferred: tuple[DateRange, ...] = ()
    attendees: tuple[str, ...] = ()  # person ids and "role:X"
    seats: tuple[Seat, ...] = ()
    after: tuple[After, ...] = ()
    optional: bool = False
    priority: int = 1
    repeat: Repeat | None = None
    costs: dict[str, int] = field(default_factory=dict)
    agenda: tuple[AgendaItem, ...] = ()
    description: str = ""

    @property
    def occurrence_count(self) -> int:
        return self.repeat.count if self.repeat else 1

    def occurrence_id(self, index: int) -> str:
        return f"{self.id}-{index}"


@dataclass
class Scenario:
    path: Path
    project: Project
    budget: Budget
    rates: Rates
    locations: dict[str, Location]
    venues: dict[str, Venue]
    people: dict[str, Person]
    events: dict[str, Event]  # in file order

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def people_with_role(self, role: str) -> list[Person]:
        return [p for p in self.people.values() if role in p.roles]

    def venue_location(self, venue_id: str) -> Location:
        return self.locations[self.venues[venue_id].location]
