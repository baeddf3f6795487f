"""Generate a realistic scenario of a chosen size, reproducibly from a seed.

The shape follows the programmes in the seeds (ATHENA 2, the ILECU network, I-FORCE): an
implementing organisation in Vienna runs, for a set of partner countries over some years, a
kick-off and a final conference, a steering-committee series, a needs-assessment workshop per
crime theme, and then the bulk of the work: joint operations, cross-border observations,
workshops, trainings, study visits to Europol or INTERPOL and bilateral meetings, many of them as
series. Officers belong to one country and one or two crime themes; most live in the capital,
some in a second city (so who fills a seat changes the fare). People take summer and other leave,
some have busy calendars (.ics files written beside the scenario), venues close for August or
for works, trainings and study visits are often optional with a priority, and the budget is set
at a chosen tightness against an estimate of the plan's cost.

    python -m benchmarks.generate --size M -o /tmp/m            # a named size
    python -m benchmarks.generate --occurrences 300 --people 600 --countries 10 --years 3 -o DIR

Writes DIR/scenario.toml and DIR/calendars/*.ics.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.budget import BudgetEstimate  # noqa: E402
from benchmarks.toml_writer import toml_text  # noqa: E402
from benchmarks.world import AGENCIES, FIRST_NAMES, HUB, LAST_NAMES, PARTNERS, THEMES, per_diem_euros  # noqa: E402

LANGUAGES = {
    "RO": "ro", "BG": "bg", "IT": "it", "SI": "sl", "LV": "lv", "MT": "mt", "MD": "ro", "HU": "hu", "RS": "sr",
    "MK": "mk", "GE": "ka", "UA": "uk", "HR": "hr", "GR": "el", "AL": "sq", "BA": "bs", "ME": "sr", "PL": "pl",
    "SK": "sk", "LT": "lt", "CZ": "cs", "EE": "et", "DE": "de",
}  # fmt: skip


@dataclass(frozen=True)
class Size:
    occurrences: int
    people: int
    countries: int
    years: int
    tightness: float = 1.0  # budget = required + tightness * (optional), at estimated average prices
    seed: int = 0


SIZES = {
    "M": Size(140, 300, 8, 2),
    "L": Size(500, 1000, 12, 3),
    "XL": Size(2000, 3000, 16, 4),
}


@dataclass
class Scenario:
    """The generated data, as TOML tables, plus the busy calendars to write beside it."""

    tables: dict = field(default_factory=dict)
    calendars: dict[str, str] = field(default_factory=dict)  # file name -> .ics text

    @property
    def occurrence_count(self) -> int:
        return sum(e.get("repeat", {}).get("count", 1) for e in self.tables["events"])


class Generator:
    def __init__(self, size: Size, start_year: int = 2026):
        if not 2 <= size.countries <= len(PARTNERS):
            raise ValueError(f"countries must be between 2 and {len(PARTNERS)}")
        self.size = size
        self.rng = random.Random(size.seed)
        self.start = dt.date(start_year, 1, 1)
        self.end = dt.date(start_year + size.years - 1, 12, 31)
        self.countries = list(PARTNERS)[: size.countries]
        self.themes = list(THEMES[: max(2, min(len(THEMES), round(size.people / (size.countries * 15))))])
        self.out = Scenario()
        self.locations: dict[str, dict] = {}
        self.venues: dict[str, dict] = {}
        self.people: list[dict] = []
        self.events: list[dict] = []
        self.team_size = max(3, size.occurrences // 40)

    # -- the whole scenario -------------------------------------------------------------------------

    def build(self) -> Scenario:
        self._places()
        self._people()
        self._programme_events()
        self._activities()
        s = self.size
        self.out.tables = {
            "project": {
                "id": f"bench-{s.occurrences}-{s.people}-{s.countries}-{s.years}-{s.seed}",
                "name": f"Generated programme: {s.occurrences} occurrences, {s.people} people, "
                f"{s.countries} countries, {s.years} years (seed {s.seed})",
                "start": self.start,
                "end": self.end,
                "currency": "EUR",
                "timezone": "Europe/Vienna",
                "organizer": {"name": "Programme team", "email": "programme@example.org"},
                "days_of_week": ["mon", "tue", "wed", "thu", "fri"],
                "max_concurrent_events": self._team_load(),
            },
            "budget": {},
            "rates": {"per_diem": {c: per_diem_euros(c) for c in sorted(self._venue_countries())}},
            "locations": list(self.locations.values()),
            "venues": list(self.venues.values()),
            "people": self.people,
            "events": self.events,
        }
        self.out.tables["budget"] = BudgetEstimate(self).budget(s.tightness)
        return self.out

    # -- places -------------------------------------------------------------------------------------

    def _location(self, lid: str, city: str, zone: str, lat: float, lon: float, country: str) -> None:
        self.locations[lid] = {"id": lid, "city": city, "country": country, "timezone": zone, "lat": lat, "lon": lon}

    def _places(self) -> None:
        rng = self.rng
        lid, city, zone, lat, lon, country = HUB
        self._location(lid, city, zone, lat, lon, country)
        self._location("brussels", "Brussels", "Europe/Brussels", 50.8503, 4.3517, "BE")
        self._venue("at-hq", "Programme headquarters", lid, 30, 0, [])
        for lid, city, zone, lat, lon, country, vid, name in AGENCIES:
            self._location(lid, city, zone, lat, lon, country)
            christmas = [f"{y}-12-20/{y + 1}-01-06" for y in range(self.start.year, self.end.year)]
            self._venue(vid, name, lid, 30, 0, christmas)
        for country in self.countries:
            (capital, *_), (second, *_) = PARTNERS[country]
            for lid, city, zone, lat, lon in PARTNERS[country]:
                self._location(lid, city, zone, lat, lon, country)
            cc = country.lower()
            august = [f"{y}-08-01/{y}-08-31" for y in self._years() if rng.random() < 0.5]
            self._venue(f"{cc}-ministry", "Ministry of Interior, international cooperation", capital, 40,
                        rng.choice((0, 0, 200, 300)), august)  # fmt: skip
            works = []
            for y in self._years():
                if rng.random() < 0.5:
                    first = dt.date(y, 1, 1) + dt.timedelta(days=rng.randrange(330))
                    works.append(f"{first}/{first + dt.timedelta(days=13)}")
            self._venue(f"{cc}-academy", "Police academy", second, 60, rng.randrange(300, 650, 50), works)
            self._venue(f"{cc}-hotel", "Conference hotel", capital, 150, rng.randrange(1500, 2700, 100), [])

    def _venue(self, vid: str, name: str, location: str, capacity: int, euros: int, closed: list[str]) -> None:
        city = self.locations[location]["city"]
        venue = {"id": vid, "name": f"{name}, {city}", "location": location, "address": f"Main street 1, {city}"}
        venue.update(capacity=capacity, cost_per_day=euros)
        if closed:
            venue["unavailable"] = closed
        self.venues[vid] = venue

    def _venue_countries(self) -> set[str]:
        return {self.locations[v["location"]]["country"] for v in self.venues.values()}

    def _years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    # -- people -------------------------------------------------------------------------------------

    def _person(self, pid: str, country: str, home: str, roles: list[str], funded: bool = True) -> dict:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        person = {
            "id": pid,
            "name": f"{first} {last}",
            "email": f"{pid}@example.org",
            "organisation": f"{country} law enforcement" if country != "AT" else "Programme team",
            "country": country,
            "home": home,
            "language": LANGUAGES.get(country, "en"),
            "roles": roles,
        }
        if not funded:
            person["funded"] = False
        leave = []
        for y in self._years():
            if rng.random() < 0.7:  # summer leave
                first_day = dt.date(y, 7, 1) + dt.timedelta(days=rng.randrange(50))
                leave.append(f"{first_day}/{first_day + dt.timedelta(days=rng.randrange(13, 21))}")
            if rng.random() < 0.3:  # another week or two
                first_day = dt.date(y, 1, 5) + dt.timedelta(days=rng.randrange(340))
                leave.append(f"{first_day}/{first_day + dt.timedelta(days=rng.randrange(4, 10))}")
        if leave:
            person["unavailable"] = leave
        if rng.random() < 0.04:
            person["busy"] = f"calendars/{pid}.ics"
            self.out.calendars[f"{pid}.ics"] = self._busy_calendar(pid)
        self.people.append(person)
        return person

    def _busy_calendar(self, pid: str) -> str:
        """Court hearings and duty days, as an all-day opaque event each (what Outlook exports)."""
        rng = self.rng
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//scheduler benchmarks//EN"]
        for y in self._years():
            for n in range(rng.randrange(8, 16)):
                day = dt.date(y, 1, 1) + dt.timedelta(days=rng.randrange(365))
                lines += [
                    "BEGIN:VEVENT",
                    f"UID:{pid}-{y}-{n}@bench.example.org",
                    "DTSTAMP:20250101T000000Z",
                    f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                    f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
                    "SUMMARY:Court hearing",
                    "END:VEVENT",
                ]
        lines.append("END:VCALENDAR")
        return "\r\n".join(lines) + "\r\n"

    def _people(self) -> None:
        rng, size = self.rng, self.size
        for n in range(1, self.team_size + 1):
            roles = ["project-team", "project-lead"] if n <= 2 else ["project-team"]
            self._person(f"pt-{n}", "AT", "vienna", roles)
        self._person("donor-1", "BE", "brussels", ["donor"], funded=False)
        partners = size.people - self.team_size - 1
        per_country = [partners // len(self.countries)] * len(self.countries)
        for i in range(partners % len(self.countries)):
            per_country[i] += 1
        for country, count in zip(self.countries, per_country, strict=True):
            (capital, *_), (second, *_) = PARTNERS[country]
            liaison = max(2, count // 12)
            for n in range(1, count + 1):
                home = capital if rng.random() < 0.75 else second
                if n == 1:
                    roles = ["heads"]
                    home = capital
                elif n <= 1 + liaison:
                    roles = ["liaison"]
                else:
                    theme = self.themes[(n - 2 - liaison) % len(self.themes)]
                    roles = [theme]
                    if rng.random() < 0.25:
                        other = rng.choice(self.themes)
                        if other != theme:
                            roles.append(other)
                self._person(f"{country.lower()}-{n}", country, home, roles)

    # -- events -------------------------------------------------------------------------------------

    def _month(self, offset: int) -> dt.date:
        """The first day of the month ``offset`` months after the project's start."""
        year, month = divmod(self.start.month - 1 + offset, 12)
        return dt.date(self.start.year + year, month + 1, 1)

    def _window(self, first_month: int, months: int) -> str:
        first = self._month(first_month)
        last = min(self.end, self._month(first_month + months) - dt.timedelta(days=1))
        return f"{first}/{last}"

    @property
    def _months(self) -> int:
        return self.size.years * 12

    def _add(self, event: dict, count: int = 1, every: int = 6, tolerance: int = 21) -> None:
        if count > 1:
            event["repeat"] = {"count": count, "every_months": every, "tolerance_days": tolerance}
        self.events.append(event)

    def _programme_events(self) -> None:
        c = self.countries
        heads = [f"{country.lower()}-1" for country in c[:3]]
        self._add(
            {
                "id": "kickoff", "kind": "conference", "title": "Kick-off conference", "duration_days": 2,
                "venues": [f"{c[0].lower()}-hotel", f"{c[1].lower()}-hotel"], "window": self._window(1, 4),
                "preferred": [f"{self._month(2)}/{self._month(3) - dt.timedelta(days=1)}"],
                "attendees": ["role:project-lead", "role:heads", "donor-1"],
                "seats": [{"role": "liaison", "per_country": 1, "countries": c}],
                "costs": {"interpretation": 3200, "catering": 1800},
            }
        )  # fmt: skip
        self._add(
            {
                "id": "sc", "kind": "steering_committee", "title": "Steering committee", "duration_days": 1,
                "venues": ["at-hq", f"{c[0].lower()}-ministry", f"{c[1].lower()}-ministry"],
                "window": self._window(3, self._months - 3),
                "attendees": ["role:project-lead", "donor-1", *heads],
                "after": [{"event": "kickoff", "min_gap_days": 14}],
            },
            count=2 * self.size.years - 1,
            every=6,
            tolerance=21,
        )  # fmt: skip
        self._add(
            {
                "id": "final-conference", "kind": "conference", "title": "Final conference", "duration_days": 2,
                "venues": [f"{c[0].lower()}-hotel", f"{c[2 % len(c)].lower()}-hotel"],
                "window": f"{self._month(self._months - 3)}/{self.end - dt.timedelta(days=16)}",
                "attendees": ["role:project-lead", "role:heads", "donor-1"],
                "seats": [{"role": "liaison", "per_country": 1, "countries": c}],
                "costs": {"interpretation": 3200, "catering": 2000},
            }
        )  # fmt: skip
        for theme in self.themes:
            hosts = self.rng.sample(c, 2)
            self._add(
                {
                    "id": f"na-{theme}", "kind": "workshop", "title": f"Needs assessment: {theme}",
                    "duration_days": 3, "venues": ["at-hq", *(f"{h.lower()}-ministry" for h in hosts)],
                    "window": self._window(2, 7),
                    "seats": [{"role": "project-team", "count": 1},
                              {"role": theme, "per_country": 1, "countries": sorted(self.rng.sample(c, min(6, len(c))))}],
                    "after": [{"event": "kickoff", "min_gap_days": 14, "max_gap_days": 180}],
                }
            )  # fmt: skip

    def _activities(self) -> None:
        """Activities per theme in turn until the occurrence count is reached."""
        kinds = (
            (0.34, self._joint_operation),
            (0.15, self._observation),
            (0.18, self._workshop),
            (0.15, self._training),
            (0.10, self._study_visit),
            (0.08, self._bilateral),
        )
        weights = [w for w, _ in kinds]
        serial = 0
        while True:
            left = self.size.occurrences - sum(e.get("repeat", {}).get("count", 1) for e in self.events)
            if left <= 0:
                break
            serial += 1
            theme = self.themes[serial % len(self.themes)]
            make = self.rng.choices([k for _, k in kinds], weights)[0]
            make(serial, theme, left)

    def _neighbours(self, n: int) -> list[str]:
        """``n`` partner countries next to each other in the list (neighbours work together)."""
        first = self.rng.randrange(len(self.countries))
        return [self.countries[(first + i) % len(self.countries)] for i in range(n)]

    def _series(self, left: int, count: int, every: int, earliest: int = 3) -> tuple[int, str]:
        """A count that fits ``left`` and the horizon, and a window with slack around the series."""
        count = min(count, left, max(1, (self._months - earliest - 3) // every + 1))
        months = (count - 1) * every + self.rng.randrange(3, 9)
        months = min(months, self._months - earliest)
        first = earliest + self.rng.randrange(max(1, self._months - earliest - months + 1))
        return count, self._window(first, months)

    def _after_assessment(self, event: dict, theme: str, probability: float) -> None:
        if self.rng.random() < probability:
            event["after"] = [{"event": f"na-{theme}", "min_gap_days": self.rng.randrange(14, 46)}]

    def _joint_operation(self, serial: int, theme: str, left: int) -> None:
        rng = self.rng
        countries = self._neighbours(rng.choice((2, 2, 3)))
        every = rng.choice((2, 3, 4, 6))
        count, window = self._series(left, rng.randrange(2, 7), every)
        event = {
            "id": f"jo-{serial}", "kind": "meeting", "title": f"Joint operation {serial} ({theme})",
            "duration_days": rng.randrange(3, 6), "travel_days_after": rng.choice((0, 1)),
            "venues": [f"{x.lower()}-{k}" for x in countries for k in ("ministry", "academy")], "window": window,
            "seats": [{"role": theme, "per_country": 2, "countries": countries}],
        }  # fmt: skip
        self._after_assessment(event, theme, 0.4)
        self._add(event, count, every, rng.randrange(14, 31))

    def _observation(self, serial: int, theme: str, left: int) -> None:
        rng = self.rng
        countries = self._neighbours(2)
        count, window = self._series(left, rng.randrange(2, 5), 3)
        event = {
            "id": f"cbo-{serial}", "kind": "meeting", "title": f"Cross-border observation {serial} ({theme})",
            "duration_days": 2, "venues": [f"{x.lower()}-ministry" for x in countries], "window": window,
            "seats": [{"role": theme, "per_country": 1, "countries": countries}],
        }  # fmt: skip
        self._add(event, count, 3, 21)

    def _workshop(self, serial: int, theme: str, left: int) -> None:
        rng = self.rng
        hosts = rng.sample(self.countries, 2)
        count, window = self._series(left, rng.choice((1, 1, 2, 3)), 12)
        event = {
            "id": f"ws-{serial}", "kind": "workshop", "title": f"Workshop {serial} ({theme})",
            "duration_days": rng.choice((2, 3)),
            "venues": [*(f"{h.lower()}-ministry" for h in hosts), f"{hosts[0].lower()}-hotel"], "window": window,
            "seats": [{"role": "project-team", "count": 1},
                      {"role": theme, "per_country": 1,
                       "countries": sorted(rng.sample(self.countries, min(len(self.countries), rng.randrange(4, 7))))}],
            "costs": {"interpretation": rng.randrange(1800, 3200, 100)},
        }  # fmt: skip
        if rng.random() < 0.4:
            event["preferred"] = _spring_and_autumn(window)
        if rng.random() < 0.2:
            event.update(optional=True, priority=rng.randrange(1, 3))
        self._after_assessment(event, theme, 0.5)
        self._add(event, count, 12, 30)

    def _training(self, serial: int, theme: str, left: int) -> None:
        rng = self.rng
        hosts = rng.sample(self.countries, min(len(self.countries), rng.choice((2, 3))))
        count, window = self._series(left, rng.choice((1, 2, 2)), 6)
        event = {
            "id": f"tr-{serial}", "kind": "training", "title": f"Training {serial} ({theme})", "duration_days": 5,
            "venues": [f"{h.lower()}-academy" for h in hosts], "window": window,
            "seats": [{"role": "project-team", "count": 1},
                      {"role": theme, "per_country": 2,
                       "countries": sorted(rng.sample(self.countries, min(len(self.countries), rng.randrange(3, 6))))}],
            "costs": {"interpretation": rng.randrange(2000, 4600, 100), "training_materials": rng.randrange(800, 1600, 100)},
        }  # fmt: skip
        if rng.random() < 0.5:
            event.update(optional=True, priority=rng.randrange(1, 4))
        self._after_assessment(event, theme, 0.7)
        self._add(event, count, 6, 30)

    def _study_visit(self, serial: int, theme: str, left: int) -> None:
        rng = self.rng
        host = rng.choice([a[6] for a in AGENCIES] + [f"{rng.choice(self.countries).lower()}-ministry"])
        count, window = self._series(left, 1, 12)
        event = {
            "id": f"sv-{serial}", "kind": "study_visit", "title": f"Study visit {serial} ({theme})",
            "duration_days": 3, "venues": [host], "window": window,
            "seats": [{"role": "project-team", "count": 1},
                      {"role": theme, "per_country": 1,
                       "countries": sorted(rng.sample(self.countries, min(len(self.countries), rng.randrange(3, 5))))}],
        }  # fmt: skip
        if rng.random() < 0.3:
            event.update(optional=True, priority=rng.randrange(1, 4))
        self._after_assessment(event, theme, 0.8)
        self._add(event, count)

    def _bilateral(self, serial: int, theme: str, left: int) -> None:
        rng = self.rng
        pair = self._neighbours(2)
        count, window = self._series(left, rng.randrange(1, 5), 6)
        event = {
            "id": f"bm-{serial}", "kind": "meeting", "title": f"Bilateral meeting {serial} ({pair[0]}-{pair[1]})",
            "duration_days": rng.choice((1, 2)), "venues": [f"{x.lower()}-ministry" for x in pair], "window": window,
            "seats": [{"role": "liaison", "per_country": 1, "countries": pair}],
        }  # fmt: skip
        self._add(event, count, 6, 21)

    def _team_load(self) -> int:
        """Twice the average number of occurrences on a working day, at least 2."""
        days = sum(e["duration_days"] * e.get("repeat", {}).get("count", 1) for e in self.events)
        working_days = self.size.years * 250
        return max(2, math.ceil(2 * days / working_days))


def _spring_and_autumn(window: str) -> list[str]:
    """April and October inside the window (the months ministries prefer for workshops)."""
    first, last = (dt.date.fromisoformat(x) for x in window.split("/"))
    out = []
    for year in range(first.year, last.year + 1):
        for month in (4, 10):
            a, b = max(first, dt.date(year, month, 1)), min(last, dt.date(year, month, 30))
            if a <= b:
                out.append(f"{a}/{b}")
    return out


def generate(size: Size) -> Scenario:
    return Generator(size).build()


def write(size: Size, folder: Path) -> Path:
    """Write the scenario and its calendars into ``folder``; returns the scenario's path."""
    scenario = generate(size)
    folder.mkdir(parents=True, exist_ok=True)
    if scenario.calendars:
        (folder / "calendars").mkdir(exist_ok=True)
        for name, text in scenario.calendars.items():
            (folder / "calendars" / name).write_text(text, encoding="utf-8", newline="")
    s = size
    header = (
        f"# Generated by benchmarks/generate.py: {s.occurrences} occurrences, {s.people} people, {s.countries} countries,\n"
        f"# {s.years} years, seed {s.seed}, budget tightness {s.tightness}. People and venues are fictional; per diem\n"
        "# figures of countries outside the shipped table are illustrative.\n\n"
    )
    path = folder / "scenario.toml"
    path.write_text(header + toml_text(scenario.tables), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), help="a named size (overridden by the numbers below)")
    parser.add_argument("--occurrences", type=int)
    parser.add_argument("--people", type=int)
    parser.add_argument("--countries", type=int)
    parser.add_argument("--years", type=int)
    parser.add_argument(
        "--tightness", type=float, default=1.0, help="budget tightness (1.0: all fits at average prices)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder for scenario.toml and calendars/")
    args = parser.parse_args(argv)
    base = SIZES[args.size] if args.size else Size(140, 300, 8, 2)
    size = Size(
        args.occurrences or base.occurrences,
        args.people or base.people,
        args.countries or base.countries,
        args.years or base.years,
        args.tightness,
        args.seed,
    )
    path = write(size, args.output)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
