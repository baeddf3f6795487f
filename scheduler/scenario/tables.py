"""Readers of a scenario's tables, one method per table or entry: project, venue (with its
availability and booking calendars), location, person, event, budget and rates.

A mixin of ``scheduler.scenario.loader._Loader``: the methods read one ``Table`` each, report what is
wrong through it (or ``self.problem``), and return the domain value or None where the entry is
unusable; references between tables are checked afterwards (``scheduler.scenario.crossrefs``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from scheduler.errors import Problem
from scheduler.scenario import composites as c
from scheduler.scenario import fields as f
from scheduler.scenario import rates as default_rates
from scheduler.scenario.domain import (
    COST_CATEGORIES,
    Budget,
    Contact,
    DateRange,
    Event,
    Location,
    Person,
    Project,
    Rates,
    Venue,
)
from scheduler.scenario.fields import FieldError, Table, show, suggest

MAX_HORIZON_DAYS = 10 * 366


class TableReaders:
    path: Path  # the scenario file: calendars are named relative to its folder
    problems: list[Problem]
    problem: Callable[..., None]  # problem(place, message, ident=None): the loader's

    def project(self, t: Table | None) -> Project | None:
        if t is None:
            return None
        pid = t.take("id", f.ident)
        name = t.take("name", f.text)
        start = t.take("start", f.date)
        end = t.take("end", f.date)
        currency = t.take("currency", c.currency, "EUR")
        zone = t.take("timezone", f.timezone)
        organizer = None
        org = t.table("organizer", required=True)
        if org is not None:
            oname, oemail = org.take("name", f.text), org.take("email", f.email)
            org.finish()
            if oname and oemail:
                organizer = Contact(oname, oemail)
        days = t.take("days_of_week", c.weekdays, frozenset(range(5)))
        concurrent = t.take("max_concurrent_events", f.integer(1, 1000), None)
        avoid = t.take("avoid_attendee_holidays", f.boolean, False)
        t.finish()
        if start and end:
            if end < start:
                t.problem("end", f"{end.isoformat()} is before start {start.isoformat()}")
                return None
            if (end - start).days + 1 > MAX_HORIZON_DAYS:
                t.problem("end", f"the horizon {start}/{end} is longer than ten years")
                return None
        if None in (pid, name, start, end, zone, organizer, days, currency):
            return None
        return Project(pid, name, start, end, currency, zone, organizer, days, concurrent, bool(avoid))

    def location(self, t: Table) -> Location | None:
        values = (
            t.take("id", f.ident),
            t.take("city", f.text),
            t.take("country", f.country),
            t.take("timezone", f.timezone),
            t.take("lat", f.number(-90, 90)),
            t.take("lon", f.number(-180, 180)),
        )
        return None if None in values else Location(*values)

    def venue(self, t: Table) -> Venue | None:
        vid = t.take("id", f.ident)
        name = t.take("name", f.text)
        location = t.take("location", f.ident)
        address = t.take("address", f.text)
        capacity = t.take("capacity", f.integer(1, 100_000))
        cost = t.take("cost_per_day", f.money)
        unavailable = t.take("unavailable", self.availability, ((), ()))
        if None in (vid, name, location, address, capacity, cost, unavailable):
            return None
        ranges, calendars = unavailable
        return Venue(vid, name, location, address, capacity, cost, ranges, calendars)

    def availability(self, value: Any) -> tuple[tuple[DateRange, ...], tuple[Path, ...]]:
        """A list of date ranges and, for booking calendars, paths of .ics files."""
        ranges, calendars, errors = [], [], []
        for i, item in enumerate(f.items(value, "date ranges")):
            if isinstance(item, str) and item.lower().endswith(".ics"):
                try:
                    calendars.append(self.ics_path(item))
                except FieldError as error:
                    errors.append(f"[{i}]: {error}")
                continue
            try:
                ranges.append(f.date_range(item))
            except FieldError as error:
                errors.append(f"[{i}]: {error}")
        if errors:
            raise FieldError("; ".join(errors))
        return tuple(ranges), tuple(calendars)

    def ics_path(self, value: Any) -> Path:
        if not isinstance(value, str) or not value.lower().endswith(".ics"):
            raise FieldError(f"{show(value)} should be the path of an .ics file, relative to the scenario file")
        path = (self.path.parent / value).resolve()
        if not path.is_file():
            raise FieldError(f"{show(value)}: no such file ({path})")
        return path

    def person(self, t: Table) -> Person | None:
        pid = t.take("id", f.ident)
        name = t.take("name", f.text)
        email = t.take("email", f.email)
        organisation = t.take("organisation", f.text, "")
        country = t.take("country", f.country)
        home = t.take("home", f.ident)
        language = t.take("language", c.language, "en")
        roles = t.take("roles", f.list_of(f.ident, "role names"), [])
        funded = t.take("funded", f.boolean, True)
        unavailable = t.take("unavailable", f.list_of(f.date_range, "date ranges"), [])
        busy = t.take("busy", self.ics_path, None)
        required = (pid, name, email, organisation, country, home, language, roles, funded, unavailable)
        if None in required:
            return None
        roles, unavailable = tuple(dict.fromkeys(roles)), tuple(unavailable)
        return Person(pid, name, email, organisation, country, home, language, roles, funded, unavailable, busy)

    def event(self, t: Table, project: Project | None) -> Event | None:
        eid = t.take("id", f.ident)
        kind = t.take("kind", c.kind)
        title = t.take("title", f.text)
        duration = t.take("duration_days", f.integer(1, 366))
        before = t.take("travel_days_before", f.integer(0, 14), 1)
        after_days = t.take("travel_days_after", f.integer(0, 14), 0)
        venues = t.take("venues", c.non_empty(f.list_of(f.ident, "venue ids")))
        horizon = project.horizon if project else None
        window = t.take("window", f.date_range, horizon)
        preferred = t.take("preferred", f.list_of(f.date_range, "date ranges"), [])
        attendees = t.take("attendees", f.list_of(c.attendee, 'person ids or "role:NAME"'), [])
        seats = t.take("seats", f.list_of(c.seat, "seat tables"), [])
        order = t.take("after", f.list_of(c.after, "tables { event = ..., min_gap_days = ... }"), [])
        optional = t.take("optional", f.boolean, False)
        priority = t.take("priority", f.integer(1, 1000), 1)
        repeat = t.take("repeat", c.repeat, None)
        costs = t.take("costs", c.costs, {})
        agenda = t.take("agenda", f.list_of(c.agenda_item, "agenda items"), [])
        description = t.take("description", f.long_text, "")
        if t.has("priority") and optional is False:
            t.problem("priority", "only optional events have a priority; add optional = true or remove it")
        if duration and agenda:
            for i, item in enumerate(agenda):
                if item.day > duration:
                    t.problem(
                        f"agenda[{i}].day",
                        f"day {item.day} is after the last day of a {duration}-day event",
                    )
        values = (
            eid,
            kind,
            title,
            duration,
            before,
            after_days,
            venues,
            window,
            preferred,
            attendees,
            seats,
            order,
            optional,
            priority,
            costs,
            agenda,
            description,
        )
        if None in values or (t.has("repeat") and repeat is None):
            return None
        if window is None:
            return None
        return Event(
            eid,
            kind,
            title,
            duration,
            before,
            after_days,
            tuple(dict.fromkeys(venues)),
            window,
            tuple(preferred),
            tuple(dict.fromkeys(attendees)),
            tuple(seats),
            tuple(order),
            optional,
            priority,
            repeat,
            costs,
            tuple(agenda),
            description,
        )

    def budget(self, t: Table | None, project: Project, events: dict[str, Event]) -> Budget | None:
        if t is None:
            return None
        total = t.take("total", f.money)
        categories = t.take("categories", c.money_table(f.ident), {})
        years = t.take("years", c.money_table(c.year_key), {})
        t.finish()
        known = set(COST_CATEGORIES) | {c for e in events.values() for c in e.costs}
        for category in sorted(categories or {}):
            if category not in known:
                t.problem(
                    f"categories.{category}",
                    f'no cost falls in category "{category}", so this cap would bind nothing; '
                    f"categories are {', '.join(sorted(known))}{suggest(category, known)}",
                )
        for year in sorted(years or {}):
            if not project.start.year <= year <= project.end.year:
                t.problem(
                    f"years.{year}",
                    f"{year} is outside the project's horizon {project.start.year}–{project.end.year}",
                )
        if None in (total, categories, years):
            return None
        return Budget(total, categories, years)

    def rates(self, t: Table | None, locations: dict[str, Location]) -> Rates | None:
        sources: dict[str, str] = {}
        if t is None:
            t = Table({}, "rates", self.problems)
        per_diem = t.take("per_diem", c.money_table(f.country), None)
        if per_diem is None and not t.has("per_diem"):
            per_diem = default_rates.default_per_diem_cents()
            sources["per_diem"] = default_rates.PER_DIEM_SOURCE
        accommodation = t.take("accommodation", c.money_table(f.country), None)
        bands = t.take("distance_bands", c.bands, None)
        if bands is None and not t.has("distance_bands"):
            bands = default_rates.distance_bands_cents("standard")
        if isinstance(t.data.get("distance_bands", "standard"), str) and bands is not None:
            variant = t.data.get("distance_bands", "standard")
            sources["distance_bands"] = default_rates.DISTANCE_BANDS_SOURCE.format(variant=variant)
        fares_raw = t.take("fares", f.list_of(c.fare, "tables { from = ..., to = ..., amount = ... }"), [])
        t.finish()
        if per_diem is None or bands is None or fares_raw is None or (t.has("accommodation") and accommodation is None):
            return None
        fares: dict[frozenset[str], int] = {}
        for i, (a, b, amount) in enumerate(fares_raw):
            for end in (a, b):
                if end not in locations:
                    self.problem(f"rates.fares[{i}]", f'unknown location "{end}"{suggest(end, locations)}')
            if a == b:
                self.problem(f"rates.fares[{i}]", f'"from" and "to" are both "{a}"')
            key = frozenset((a, b))
            if key in fares:
                self.problem(f"rates.fares[{i}]", f"a fare between {a} and {b} is already given")
            fares[key] = amount
        return Rates(per_diem, accommodation, bands, fares, sources)
