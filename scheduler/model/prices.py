"""What an occurrence costs, in cents, read from the cost model once per instance.

Every part of the product that weighs money asks here: the model's cost expressions and seat
floors, the search's placements and bounds, the reasons a plan gives for what it left out. So an
occurrence's cheapest cost (its cheapest venue and seat holders, the calendar aside) is defined
once, and the floor the search aims at is the bound the model proves.

Costs depend only on a person's home and funding, the event and the venue, so they are cached
under those keys: thousands of officers share a handful of homes. The ``Counter``\\ s returned are
shared; callers copy before changing them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from scheduler.scenario.costs import CostTable


class Prices:
    def __init__(self, instance):
        self.instance = instance
        self.people = instance.scenario.people
        self.table = CostTable(instance.scenario)
        self._attendee: dict[tuple, Counter] = {}
        self._fixed: dict[tuple[str, str], Counter] = {}
        self._least: dict[tuple, int] = {}

    def categories(self) -> list[str]:
        return self.table.categories()

    def attendee(self, o, person: str, venue: str) -> Counter:
        """What the project pays for ``person`` at ``o`` held at ``venue``, by category."""
        p = self.people[person]
        key = (p.home, p.funded, o.event.id, venue)
        cost = self._attendee.get(key)
        if cost is None:
            cost = self._attendee[key] = self.table.attendee(p, o.event, venue)
        return cost

    def attendee_total(self, o, person: str, venue: str) -> int:
        return sum(self.attendee(o, person, venue).values())

    def fixed(self, o, venue: str) -> Counter:
        """What ``o`` held at ``venue`` costs before any seat is filled: the venue, the event's
        extra costs and its named attendees."""
        key = (o.event.id, venue)
        cost = self._fixed.get(key)
        if cost is None:
            cost = self.table.occurrence_fixed(o.event, venue)
            for p in o.fixed:
                cost.update(self.attendee(o, p, venue))
            self._fixed[key] = cost
        return cost

    def held(self, o, venue: str, seated: Iterable[str]) -> Counter:
        """What ``o`` costs held at ``venue`` with these seat holders (besides its named attendees)."""
        cost = Counter(self.fixed(o, venue))
        for p in seated:
            cost.update(self.attendee(o, p, venue))
        return cost

    def least_at(self, o, venue: str, category: str | None = None) -> int:
        """The least ``o`` can cost at ``venue`` (in one category, or in all): its fixed costs and,
        per seat group, its ``need`` cheapest candidates there."""
        key = (o.event.id, venue, category)
        amount = self._least.get(key)
        if amount is None:
            amount = _amount(self.fixed(o, venue), category)
            for group in o.seat_groups:
                amount += self.seat_floor(o, group, venue, category)
            self._least[key] = amount
        return amount

    def cheapest(self, o, category: str | None = None) -> int:
        """The least ``o`` can cost (in one category, or in all), over its venues."""
        return min((self.least_at(o, v, category) for v in o.event.venues), default=0)

    def seat_floor(self, o, group, venue: str, category: str | None = None) -> int:
        """The least a seat group can cost at ``venue``: its ``need`` cheapest candidates."""
        costs = sorted(_amount(self.attendee(o, p, venue), category) for p in group.candidates)
        return sum(costs[: group.need])


def _amount(cost: Counter, category: str | None) -> int:
    return cost.get(category, 0) if category else sum(cost.values())
