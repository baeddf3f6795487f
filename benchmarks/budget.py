"""The budget of a generated scenario, from an estimate of its plan's cost at average prices."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from benchmarks.world import per_diem_euros
from scheduler.scenario.costs import distance_km
from scheduler.scenario.domain import Location
from scheduler.scenario.rates import distance_bands_cents

if TYPE_CHECKING:
    from generate import Generator


class BudgetEstimate:
    """The plan's cost at average prices: each occurrence at the mean of its venues, each seat at
    the mean of its candidates. The budget is the required occurrences' estimate plus
    ``tightness`` times the optional ones' (1.0: everything fits at average prices; lower: some
    optional occurrences must go or cheaper choices be found). Year caps and a travel cap sit
    25 % above their share of the whole estimate."""

    def __init__(self, gen: Generator):
        self.gen = gen
        self.locations = {
            lid: Location(lid, loc["city"], loc["country"], loc["timezone"], loc["lat"], loc["lon"])
            for lid, loc in gen.locations.items()
        }
        self.bands = distance_bands_cents("standard")
        self.people = {p["id"]: p for p in gen.people}

    def _person_cost(self, pid: str, venue: dict, nights: int) -> tuple[int, int]:
        """(travel, per diem) in cents."""
        person = self.people[pid]
        if person.get("funded") is False or person["home"] == venue["location"]:
            return 0, 0
        km = distance_km(self.locations[person["home"]], self.locations[venue["location"]])
        travel = next(amount for max_km, amount in self.bands if max_km >= km)
        country = self.locations[venue["location"]].country
        return travel, per_diem_euros(country) * 100 * nights

    def _holders(self, role: str, country: str | None) -> list[str]:
        return [p["id"] for p in self.gen.people if role in p["roles"] and (country is None or p["country"] == country)]

    def occurrence(self, event: dict) -> tuple[int, int]:
        """(total, travel) in cents for one occurrence at average prices."""
        nights = event.get("travel_days_before", 1) + event["duration_days"] + event.get("travel_days_after", 0) - 1
        totals, travels = [], []
        for vid in event["venues"]:
            venue = self.gen.venues[vid]
            total = venue["cost_per_day"] * 100 * event["duration_days"] + sum(event.get("costs", {}).values()) * 100
            travel = 0
            fixed = []
            for who in event.get("attendees", []):
                fixed += self._holders(who[5:], None) if who.startswith("role:") else [who]
            for pid in fixed:
                t, d = self._person_cost(pid, venue, nights)
                total, travel = total + t + d, travel + t
            for seat in event.get("seats", []):
                groups = (
                    [(c, seat["per_country"]) for c in seat["countries"]]
                    if "countries" in seat
                    else [(None, seat["count"])]
                )
                for country, need in groups:
                    pool = [self._person_cost(p, venue, nights) for p in self._holders(seat["role"], country)]
                    if pool:
                        total += need * sum(t + d for t, d in pool) // len(pool)
                        travel += need * sum(t for t, _ in pool) // len(pool)
            totals.append(total)
            travels.append(travel)
        return sum(totals) // len(totals), sum(travels) // len(travels)

    def budget(self, tightness: float) -> dict:
        required = optional = travel = 0
        per_year: dict[int, int] = {}
        for event in self.gen.events:
            count = event.get("repeat", {}).get("count", 1)
            total, trips = self.occurrence(event)
            if event.get("optional"):
                optional += count * total
            else:
                required += count * total
            travel += count * trips
            first, last = (dt.date.fromisoformat(x) for x in event["window"].split("/"))
            years = list(range(first.year, last.year + 1))
            for y in years:
                per_year[y] = per_year.get(y, 0) + count * total // len(years)
        whole = required + optional
        out = {"total": _euros(required + tightness * optional)}
        out["categories"] = {"travel": _euros(travel * 1.25)}
        out["years"] = {
            str(y): _euros(max(amount * 1.25, whole / len(per_year))) for y, amount in sorted(per_year.items())
        }
        return out


def _euros(cents: float) -> float:
    return round(cents) / 100
