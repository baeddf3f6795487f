"""From a TOML file to a validated ``Scenario``; every problem is collected and reported at once."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from scheduler import fields as f
from scheduler import rates as default_rates
from scheduler.domain import (
    COST_CATEGORIES,
    EVENT_KINDS,
    WEEKDAYS,
    After,
    AgendaItem,
    Budget,
    Contact,
    DateRange,
    Event,
    Location,
    Person,
    Project,
    Rates,
    Repeat,
    Scenario,
    Seat,
    Venue,
)
from scheduler.errors import Problem, ScenarioError
from scheduler.fields import FieldError, Table, show, suggest
from scheduler.toml_errors import line_of_deepest_nesting, line_of_longest_number, syntax_problem

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_HORIZON_DAYS = 10 * 366
MAX_OCCURRENCES = 20_000
TOP_LEVEL = ("project", "budget", "rates", "locations", "venues", "people", "events")


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raises ``ScenarioError`` listing every problem."""
    path = Path(path)
    data = read_toml(path)
    problems: list[Problem] = []
    scenario = _Loader(path, data, problems).load()
    if problems or scenario is None:
        raise ScenarioError(str(path), problems or [Problem("", "the scenario could not be read")])
    return scenario


def read_toml(path: Path) -> dict[str, Any]:
    name = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ScenarioError(name, [Problem("", "is a folder; give the scenario's .toml file")])
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                name,
                [
                    Problem(
                        "",
                        f"is {size:,} bytes; a scenario file is at most {MAX_FILE_BYTES:,} bytes",
                    )
                ],
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(name, [Problem("", "no such file")]) from None
    except OSError as error:
        raise ScenarioError(name, [Problem("", f"cannot be read: {error.strerror}")]) from None
    if not raw.strip():
        raise ScenarioError(name, [Problem("", "is empty; `scheduler init DIR` writes a working example")])
    if b"\0" in raw:
        raise ScenarioError(name, [Problem("", "is a binary file, not a TOML text file")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ScenarioError(name, [Problem(f"line {line}", "is not UTF-8 text; save the file as UTF-8")]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(name, [syntax_problem(text, str(error))]) from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        line = line_of_deepest_nesting(text)
        raise ScenarioError(
            name, [Problem(f"line {line}", "nests arrays or tables too deeply to be a scenario")]
        ) from None
    except ValueError as error:
        # tomllib lets int() refuse numbers of thousands of digits (Python's own limit).
        line, digits = line_of_longest_number(text)
        if "digits" not in str(error):
            raise ScenarioError(name, [Problem("", f"is not valid TOML: {error}")]) from None
        raise ScenarioError(
            name, [Problem(f"line {line}", f"has a number of {digits:,} digits; no value of a scenario is that long")]
        ) from None


class _Loader:
    def __init__(self, path: Path, data: dict[str, Any], problems: list[Problem]):
        self.path = path
        self.data = data
        self.problems = problems
        self.root = Table(data, "", problems)
        # Ids (and roles) of entries that are present but have a problem of their own: references
        # to them are not reported again as "unknown".
        self.invalid: dict[str, set[str]] = {}
        self.invalid_roles: set[str] = set()
        # Where each accepted entry is in its array (events[3]), for the places of later problems.
        self.positions: dict[str, dict[str, int]] = {key: {} for key in ("locations", "venues", "people", "events")}

    def problem(self, place: str, message: str, ident: str | None = None) -> None:
        self.problems.append(Problem(place, message, ident))

    # -- tables ---------------------------------------------------------------------------------

    def load(self) -> Scenario | None:
        root = self.root
        project = self.project(root.table("project", required=True))
        budget_table = root.table("budget", required=True)
        rates_table = root.table("rates")
        locations = self.entries("locations", self.location)
        venues = self.entries("venues", self.venue)
        people = self.entries("people", self.person)
        events = self.entries("events", self.event, project=project)
        root.finish()
        if project is None:
            return None
        self.check_references(project, locations, venues, people, events)
        budget = self.budget(budget_table, project, events)
        rates = self.rates(rates_table, locations)
        if budget is None or rates is None:
            return None
        scenario = Scenario(self.path, project, budget, rates, locations, venues, people, events)
        if not self.problems:
            self.check_rates_cover(scenario)
        return scenario

    def entries(self, key: str, read, **extra) -> dict[str, Any]:
        self.root.seen.add(key)
        raw = self.data.get(key, [])
        if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
            self.problem(key, f"should be an array of tables ([[{key}]] entries)")
            return {}
        if not raw and key in ("locations", "venues", "events"):
            self.problem(key, f"is required: at least one [[{key}]] entry")
        out: dict[str, Any] = {}
        first_place: dict[str, str] = {}
        for i, entry in enumerate(raw):
            place = f"{key}[{i}]"
            raw_id = entry.get("id")
            table = Table(entry, place, self.problems, raw_id if isinstance(raw_id, str) else None)
            item = read(table, **extra)
            table.finish()
            if item is None:
                if isinstance(raw_id, str):
                    self.invalid.setdefault(key, set()).add(raw_id)
                roles = entry.get("roles") if key == "people" else None
                if isinstance(roles, list):
                    self.invalid_roles.update(r for r in roles if isinstance(r, str))
                continue
            if item.id in out:
                self.problem(
                    f"{place}.id",
                    f'"{item.id}" is used twice in {key}; the first is {first_place[item.id]}',
                    item.id,
                )
                continue
            out[item.id] = item
            first_place[item.id] = place
            self.positions[key][item.id] = i
        return out

    def project(self, t: Table | None) -> Project | None:
        if t is None:
            return None
        pid = t.take("id", f.ident)
        name = t.take("name", f.text)
        start = t.take("start", f.date)
        end = t.take("end", f.date)
        currency = t.take("currency", _currency, "EUR")
        zone = t.take("timezone", f.timezone)
        organizer = None
        org = t.table("organizer", required=True)
        if org is not None:
            oname, oemail = org.take("name", f.text), org.take("email", f.email)
            org.finish()
            if oname and oemail:
                organizer = Contact(oname, oemail)
        days = t.take("days_of_week", _weekdays, frozenset(range(5)))
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
        language = t.take("language", _language, "en")
        roles = t.take("roles", f.list_of(f.ident, "role names"), [])
        funded = t.take("funded", f.boolean, True)
        unavailable = t.take("unavailable", f.list_of(f.date_range, "date ranges"), [])
        busy = t.take("busy", self.ics_path, None)
        if None in (
            pid,
            name,
            email,
            organisation,
            country,
            home,
            language,
            roles,
            funded,
            unavailable,
        ):
            return None
        return Person(
            pid,
            name,
            email,
            organisation,
            country,
            home,
            language,
            tuple(dict.fromkeys(roles)),
            funded,
            tuple(unavailable),
            busy,
        )

    def event(self, t: Table, project: Project | None) -> Event | None:
        eid = t.take("id", f.ident)
        kind = t.take("kind", _kind)
        title = t.take("title", f.text)
        duration = t.take("duration_days", f.integer(1, 366))
        before = t.take("travel_days_before", f.integer(0, 14), 1)
        after_days = t.take("travel_days_after", f.integer(0, 14), 0)
        venues = t.take("venues", _non_empty(f.list_of(f.ident, "venue ids")))
        horizon = project.horizon if project else None
        window = t.take("window", f.date_range, horizon)
        preferred = t.take("preferred", f.list_of(f.date_range, "date ranges"), [])
        attendees = t.take("attendees", f.list_of(_attendee, 'person ids or "role:NAME"'), [])
        seats = t.take("seats", f.list_of(_seat, "seat tables"), [])
        order = t.take("after", f.list_of(_after, "tables { event = ..., min_gap_days = ... }"), [])
        optional = t.take("optional", f.boolean, False)
        priority = t.take("priority", f.integer(1, 1000), 1)
        repeat = t.take("repeat", _repeat, None)
        costs = t.take("costs", _costs, {})
        agenda = t.take("agenda", f.list_of(_agenda_item, "agenda items"), [])
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
        categories = t.take("categories", _money_table(f.ident), {})
        years = t.take("years", _money_table(_year_key), {})
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
        per_diem = t.take("per_diem", _money_table(f.country), None)
        if per_diem is None and not t.has("per_diem"):
            per_diem = default_rates.default_per_diem_cents()
            sources["per_diem"] = default_rates.PER_DIEM_SOURCE
        accommodation = t.take("accommodation", _money_table(f.country), None)
        bands = t.take("distance_bands", _bands, None)
        if bands is None and not t.has("distance_bands"):
            bands = default_rates.distance_bands_cents("standard")
        if isinstance(t.data.get("distance_bands", "standard"), str) and bands is not None:
            variant = t.data.get("distance_bands", "standard")
            sources["distance_bands"] = default_rates.DISTANCE_BANDS_SOURCE.format(variant=variant)
        fares_raw = t.take("fares", f.list_of(_fare, "tables { from = ..., to = ..., amount = ... }"), [])
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

    # -- cross-references ------------------------------------------------------------------------

    def check_references(self, project, locations, venues, people, events) -> None:
        index = self.positions  # an entry's place in the file, counting the invalid entries too
        invalid = self.invalid
        for vid, venue in venues.items():
            if venue.location not in locations and venue.location not in invalid.get("locations", ()):
                self.problem(
                    f"venues[{index['venues'][vid]}].location",
                    f'unknown location "{venue.location}"{suggest(venue.location, locations)}',
                    vid,
                )
        roles = {role for p in people.values() for role in p.roles}
        known_roles = roles | self.invalid_roles
        for pid, person in people.items():
            if person.home not in locations and person.home not in invalid.get("locations", ()):
                self.problem(
                    f"people[{index['people'][pid]}].home",
                    f'unknown location "{person.home}"{suggest(person.home, locations)}',
                    pid,
                )
        for eid, event in events.items():
            place = f"events[{index['events'][eid]}]"
            for i, vid in enumerate(event.venues):
                if vid not in venues and vid not in invalid.get("venues", ()):
                    self.problem(f"{place}.venues[{i}]", f'unknown venue "{vid}"{suggest(vid, venues)}', eid)
            for i, who in enumerate(event.attendees):
                if who.startswith("role:"):
                    role = who[5:]
                    if role not in known_roles:
                        self.problem(
                            f"{place}.attendees[{i}]",
                            f'no person has the role "{role}"{suggest(role, roles)}',
                            eid,
                        )
                elif who not in people and who not in invalid.get("people", ()):
                    self.problem(
                        f"{place}.attendees[{i}]",
                        f'unknown person "{who}"{suggest(who, people)}',
                        eid,
                    )
            for i, seat in enumerate(event.seats):
                if seat.role not in known_roles:
                    self.problem(
                        f"{place}.seats[{i}].role",
                        f'no person has the role "{seat.role}"{suggest(seat.role, roles)}',
                        eid,
                    )
            for i, order in enumerate(event.after):
                if order.event == eid:
                    self.problem(f"{place}.after[{i}].event", "an event cannot come after itself", eid)
                elif order.event not in events and order.event not in invalid.get("events", ()):
                    self.problem(
                        f"{place}.after[{i}].event",
                        f'unknown event "{order.event}"{suggest(order.event, events)}',
                        eid,
                    )
            for i, pref in enumerate(event.preferred):
                if pref.last < event.window.first or pref.first > event.window.last:
                    self.problem(
                        f"{place}.preferred[{i}]",
                        f"{pref} lies outside the window {event.window}",
                        eid,
                    )
        total = sum(e.occurrence_count for e in events.values())
        if total > MAX_OCCURRENCES:
            self.problem(
                "events",
                f"the events expand into {total:,} occurrences; at most {MAX_OCCURRENCES:,}",
            )
        self.check_cycles(events, index["events"])

    def check_cycles(self, events: dict[str, Event], index: dict[str, int]) -> None:
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(eid: str, trail: list[str]) -> None:
            state[eid] = 1
            for order in events[eid].after:
                other = order.event
                if other not in events or other == eid:
                    continue
                if state.get(other) == 1:
                    cycle = trail[trail.index(other) :] + [eid, other] if other in trail else [eid, other]
                    self.problem(
                        f"events[{index[eid]}].after",
                        "the order of events goes round in a circle: " + " → ".join(reversed(cycle)),
                        eid,
                    )
                elif other not in state:
                    visit(other, trail + [eid])
            state[eid] = 2

        for eid in events:
            if eid not in state:
                visit(eid, [])

    def check_rates_cover(self, s: Scenario) -> None:
        """No silent zero: every country an event could take place in has a per diem (and an
        accommodation rate where the scenario pays hotels apart), and every journey a funded
        person could make falls in a distance band or has an explicit fare."""
        from scheduler.costs import distance_km

        used_venues = {v for e in s.events.values() for v in e.venues}
        default_note = ""
        if "per_diem" in s.rates.sources:
            default_note = (
                f" (the shipped table, {s.rates.sources['per_diem']}, has only {', '.join(sorted(s.rates.per_diem))})"
            )
        for vid in sorted(used_venues):
            country = s.venue_location(vid).country
            if country not in s.rates.per_diem:
                self.problem(
                    "rates.per_diem",
                    f'no per diem for {country}, where venue "{vid}" is; add {country} = <EUR per night>{default_note}',
                )
                default_note = ""
            if s.rates.accommodation is not None and country not in s.rates.accommodation:
                self.problem(
                    "rates.accommodation",
                    f'no accommodation rate for {country}, where venue "{vid}" is; add {country} = <amount per night> (0 where the per diem covers hotels)',
                )
        homes = {p.home for p in s.people.values() if p.funded}
        venue_locations = {s.venues[v].location for v in used_venues}
        top = s.rates.distance_bands[-1][0]
        for home in sorted(homes):
            for loc in sorted(venue_locations):
                if home == loc or frozenset((home, loc)) in s.rates.fares:
                    continue
                km = distance_km(s.locations[home], s.locations[loc])
                if km > top:
                    self.problem(
                        "rates.distance_bands",
                        f"{home} to {loc} is {km:.0f} km, beyond the last band ({top} km); add a band or a fare",
                    )
        # A problem reported twice (same place and text) is said once.
        seen, unique = set(), []
        for p in self.problems:
            if (p.place, p.message) not in seen:
                seen.add((p.place, p.message))
                unique.append(p)
        self.problems[:] = unique


# --- small parsers for composite values ------------------------------------------------------


def _currency(value: Any) -> str:
    if isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper():
        return value
    raise FieldError(f'{show(value)} is not an ISO 4217 currency code such as "EUR"')


def _weekdays(value: Any) -> frozenset[int]:
    days = f.list_of(lambda v: _weekday(v), 'day names ("mon" … "sun")')(value)
    if not days:
        raise FieldError("should name at least one day")
    return frozenset(days)


def _weekday(value: Any) -> int:
    if isinstance(value, str) and value.lower() in WEEKDAYS:
        return WEEKDAYS.index(value.lower())
    raise FieldError(f'{show(value)} is not a day; use "mon", "tue", "wed", "thu", "fri", "sat" or "sun"')


def _language(value: Any) -> str:
    from babel import Locale, UnknownLocaleError

    if isinstance(value, str):
        try:
            Locale.parse(value.replace("-", "_"))
            return value
        except (UnknownLocaleError, ValueError, TypeError):
            pass
    raise FieldError(f'{show(value)} is not a language code such as "en", "ro" or "uk"')


def _kind(value: Any) -> str:
    if isinstance(value, str) and value in EVENT_KINDS:
        return value
    hint = suggest(value, EVENT_KINDS) if isinstance(value, str) else ""
    raise FieldError(f"{show(value)} is not a kind of event; use one of {', '.join(EVENT_KINDS)}{hint}")


def _non_empty(parse):
    def inner(value: Any) -> list:
        out = parse(value)
        if not out:
            raise FieldError("should name at least one")
        return out

    return inner


def _attendee(value: Any) -> str:
    if isinstance(value, str) and value.startswith("role:"):
        return "role:" + f.ident(value[5:])
    return f.ident(value)


def _sub_table(value: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FieldError(f"{show(value)} should be a table {{ {', '.join(k + ' = ...' for k in keys)} }}")
    for key in value:
        if key not in keys:
            raise FieldError(f'unknown key "{key}"{suggest(key, keys)}')
    return value


def _field(table: dict[str, Any], key: str, parse, default: Any = f.MISSING) -> Any:
    if key not in table:
        if default is f.MISSING:
            raise FieldError(f'"{key}" is required')
        return default
    try:
        return parse(table[key])
    except FieldError as error:
        raise FieldError(f"{key}: {error}") from None


def _seat(value: Any) -> Seat:
    t = _sub_table(value, ("role", "per_country", "countries", "count"))
    role = _field(t, "role", f.ident)
    per_country = _field(t, "per_country", f.integer(1, 1000), None)
    count = _field(t, "count", f.integer(1, 10_000), None)
    countries = _field(t, "countries", f.list_of(f.country, "country codes"), [])
    if (per_country is None) == (count is None):
        raise FieldError("give either per_country (with countries) or count")
    if per_country is not None and not countries:
        raise FieldError("per_country needs countries = [...]")
    if len(set(countries)) != len(countries):
        raise FieldError("a country is listed twice in countries")
    return Seat(role, per_country, tuple(countries), count)


def _after(value: Any) -> After:
    t = _sub_table(value, ("event", "min_gap_days", "max_gap_days"))
    event = _field(t, "event", f.ident)
    low = _field(t, "min_gap_days", f.integer(0, 3660), 0)
    high = _field(t, "max_gap_days", f.integer(0, 3660), None)
    if high is not None and high < low:
        raise FieldError(f"max_gap_days {high} is less than min_gap_days {low}")
    return After(event, low, high)


def _repeat(value: Any) -> Repeat:
    t = _sub_table(value, ("count", "every_months", "tolerance_days"))
    count = _field(t, "count", f.integer(1, 1000))
    every = _field(t, "every_months", f.integer(1, 120))
    tolerance = _field(t, "tolerance_days", f.integer(0, 366), 14)
    return Repeat(count, every, tolerance)


def _costs(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        raise FieldError(f"{show(value)} should be a table of category = amount, e.g. {{ interpretation = 2400 }}")
    out, errors = {}, []
    for key, amount in value.items():
        try:
            out[f.ident(key)] = f.money(amount)
        except FieldError as error:
            errors.append(f"{key}: {error}")
    if errors:
        raise FieldError("; ".join(errors))
    return out


def _year_key(value: str) -> int:
    if isinstance(value, str) and value.isdigit() and len(value) == 4:
        return int(value)
    raise FieldError(f"{show(value)} is not a year such as 2023")


def _money_table(parse_key):
    def parse(value: Any) -> dict:
        if not isinstance(value, dict):
            raise FieldError(f"{show(value)} should be a table of key = amount")
        out, errors = {}, []
        for key, amount in value.items():
            try:
                out[parse_key(key)] = f.money(amount)
            except FieldError as error:
                errors.append(f"{key}: {error}")
        if errors:
            raise FieldError("; ".join(errors))
        return out

    return parse


def _bands(value: Any) -> tuple[tuple[int, int], ...]:
    if isinstance(value, str):
        if value in default_rates.ERASMUS_2025_BANDS:
            return default_rates.distance_bands_cents(value)
        raise FieldError(f'{show(value)} is not a shipped table; use "standard", "green" or a list of [max km, amount]')
    bands, errors, last = [], [], -1
    for i, band in enumerate(f.items(value, "[max km, amount] pairs")):
        if not isinstance(band, list) or len(band) != 2 or isinstance(band[0], bool) or not isinstance(band[0], int):
            errors.append(f"[{i}]: {show(band)} should be [max km, amount], e.g. [499, 211]")
            continue
        try:
            amount = f.money(band[1])
        except FieldError as error:
            errors.append(f"[{i}]: {error}")
            continue
        if band[0] <= last:
            errors.append(f"[{i}]: max km {band[0]} is not above the previous band's {last}")
        last = band[0]
        bands.append((band[0], amount))
    if not bands and not errors:
        errors.append("should have at least one band")
    if errors:
        raise FieldError("; ".join(errors))
    return tuple(bands)


def _fare(value: Any) -> tuple[str, str, int]:
    t = _sub_table(value, ("from", "to", "amount"))
    return _field(t, "from", f.ident), _field(t, "to", f.ident), _field(t, "amount", f.money)


def _agenda_item(value: Any) -> AgendaItem:
    t = _sub_table(value, ("day", "time", "title"))
    day = _field(t, "day", f.integer(1, 366))
    span = _field(t, "time", _time_span)
    title = _field(t, "title", f.text)
    return AgendaItem(day, span[0], span[1], title)


def _time_span(value: Any) -> tuple[dt.time, dt.time]:
    if isinstance(value, str) and len(value) == 11 and value[5] == "-":
        try:
            start, end = dt.time.fromisoformat(value[:5]), dt.time.fromisoformat(value[6:])
        except ValueError:
            start = end = None
        if start and end:
            if end <= start:
                raise FieldError(f"{show(value)} ends before it starts")
            return start, end
    raise FieldError(f'{show(value)} is not a time span such as "09:00-10:30"')
