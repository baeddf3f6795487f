"""The cost model of the spec ("How money is counted"), in integer cents.

Per scheduled occurrence and per funded attendee whose home is not the venue's location: travel
(an explicit fare, else the distance band of the great-circle distance), per diem and, where the
scenario pays hotels apart, accommodation, both per night away. Per occurrence: the venue's daily
cost and the event's fixed extra costs, each in its own category.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from scheduler.scenario.domain import Event, Location, Person, Rates, Scenario

EARTH_RADIUS_KM = 6371.0


def distance_km(a: Location, b: Location) -> float:
    """Great-circle (haversine) distance."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def travel_cents(rates: Rates, home: Location, venue: Location) -> int:
    fare = rates.fares.get(frozenset((home.id, venue.id)))
    if fare is not None:
        return fare
    km = distance_km(home, venue)
    for max_km, amount in rates.distance_bands:
        if max_km >= km:
            return amount
    raise ValueError(f"{home.id} to {venue.id} is {km:.0f} km, beyond the last distance band")


def nights_away(event: Event) -> int:
    """EU external-action rule: one per diem per overnight stay, ``days_away - 1``."""
    return event.travel_days_before + event.duration_days + event.travel_days_after - 1


@dataclass(frozen=True)
class CostTable:
    """Costs precomputed for one scenario, so the model and the plan read the same numbers."""

    scenario: Scenario

    def attendee(self, person: Person, event: Event, venue_id: str) -> Counter:
        """What the project pays for one person at one occurrence of ``event`` at ``venue_id``."""
        s = self.scenario
        venue_location = s.venue_location(venue_id)
        cost: Counter = Counter()
        if not person.funded or person.home == venue_location.id:
            return cost
        nights = nights_away(event)
        country = venue_location.country
        cost["travel"] = travel_cents(s.rates, s.locations[person.home], venue_location)
        cost["per_diem"] = s.rates.per_diem[country] * nights
        if s.rates.accommodation is not None:
            cost["accommodation"] = s.rates.accommodation[country] * nights
        return cost

    def occurrence_fixed(self, event: Event, venue_id: str) -> Counter:
        """The venue and the event's extra costs, paid once per occurrence."""
        cost: Counter = Counter()
        cost["venue"] = self.scenario.venues[venue_id].cost_per_day * event.duration_days
        for category, amount in event.costs.items():
            cost[category] += amount
        return cost

    def categories(self) -> list[str]:
        """Every category a cost can fall in, in a stable order: the four of the spec first."""
        extra = sorted({c for e in self.scenario.events.values() for c in e.costs} - set(BASE_CATEGORIES))
        return list(BASE_CATEGORIES) + extra


BASE_CATEGORIES = ("travel", "per_diem", "accommodation", "venue")
