"""First fit: place occurrences one at a time, each on its earliest feasible day, never undoing.

This is how a coordinator plans in a spreadsheet, first come first served: events in the order of
their windows (an event after its predecessors), each occurrence of a series after the one
before, on the earliest day where the venue is open and free, the team is not overloaded, every
attendee is free and enough seat candidates are free, within the budget and its caps. An optional
occurrence is taken only if the money left still covers the cheapest way to hold every required
occurrence not yet placed.

Two uses: ``benchmarks/greedy.py`` runs it with the choices a coordinator makes by hand (the
venue with the lowest hire cost, the first free people in the scenario's order) as the baseline
the solver must beat; the solver runs it with cost-aware choices to give CP-SAT a first plan as
a hint. It checks every rule of the spec itself, so what it returns is a valid plan whenever it
places every required occurrence.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass

import pendulum

from scheduler.instance import Instance, Occurrence


@dataclass(frozen=True)
class Placement:
    start: int  # day index
    venue: str
    picks: tuple[tuple[int, str], ...]  # (seat group index, person) for every seat filled
    cost: Counter  # cents by category

    def people(self, o: Occurrence) -> list[str]:
        return [*o.fixed, *(p for _g, p in self.picks)]


@dataclass(frozen=True)
class Policy:
    """``venue``: "hire" (lowest hire cost) or "total" (lowest cost of the whole occurrence);
    ``people``: "first" (the scenario's order) or "cheapest" (lowest travel and per diem)."""

    venue: str = "hire"
    people: str = "first"


class FirstFit:
    def __init__(self, instance: Instance, policy: Policy | None = None):
        self.inst = instance
        self.policy = policy or Policy()
        s = instance.scenario
        self.order_of_person = {pid: i for i, pid in enumerate(s.people)}
        self.busy: dict[str, set[int]] = defaultdict(set)  # person -> away days taken
        self.venue_days: dict[str, set[int]] = defaultdict(set)
        self.load: Counter = Counter()
        self.limit = instance.project.max_concurrent_events
        self.totals: Counter = Counter()  # category -> cents
        self.years: Counter = Counter()  # year -> cents
        self.placed: dict[str, Placement] = {}
        self.reasons: dict[str, str] = {}
        self._starts: dict[tuple, frozenset[int]] = {}
        self._cost_cache: dict[tuple, Counter] = {}

    # -- the plan ---------------------------------------------------------------------------------

    def run(self) -> dict[str, Placement]:
        inst = self.inst
        least = {o.id: self.cheapest(o) for o in inst.occurrences}
        required_left = sum(least[o.id] for o in inst.occurrences if not o.event.optional)
        for event_id in self._event_order():
            for o in inst.by_event[event_id]:
                reserve = 0
                if o.event.optional:
                    reserve = required_left
                else:
                    required_left -= least[o.id]
                placement = self._place(o, reserve)
                if placement is not None:
                    self._commit(o, placement)
        return self.placed

    def _event_order(self) -> list[str]:
        """Events by window start, each after the events it must follow."""
        events = self.inst.scenario.events
        position = {eid: i for i, eid in enumerate(events)}
        waiting = {eid: {a.event for a in e.after if a.event in events} for eid, e in events.items()}
        followers = defaultdict(list)
        for eid, before in waiting.items():
            for b in before:
                followers[b].append(eid)
        key = {eid: (e.window.first, position[eid]) for eid, e in events.items()}
        ready = [(key[eid], eid) for eid, before in waiting.items() if not before]
        heapq.heapify(ready)
        out = []
        while ready:
            _, eid = heapq.heappop(ready)
            out.append(eid)
            for f in followers[eid]:
                waiting[f].discard(eid)
                if not waiting[f]:
                    heapq.heappush(ready, (key[f], f))
        return out

    def _commit(self, o: Occurrence, placement: Placement) -> None:
        inst = self.inst
        self.placed[o.id] = placement
        for p in placement.people(o):
            lo, hi = inst.away_offsets(o, p, placement.venue)
            self.busy[p].update(range(placement.start + lo, placement.start + hi + 1))
        days = range(placement.start, placement.start + o.duration)
        self.venue_days[placement.venue].update(days)
        self.load.update(days)
        self.totals.update(placement.cost)
        self.years[inst.date(placement.start).year] += sum(placement.cost.values())

    # -- one occurrence ---------------------------------------------------------------------------

    def _place(self, o: Occurrence, reserve: int) -> Placement | None:
        first, last = self._start_range(o)
        if first is None:
            return None
        venues = [v for v in o.event.venues if o.size <= self.inst.scenario.venues[v].capacity]
        budget_short = False
        for day in range(first, last + 1):
            options = []
            for v in venues:
                if day not in self._venue_starts(o, v) or not self._venue_free(o, v, day):
                    continue
                picks = self._people_free(o, v, day)
                if picks is not None:
                    options.append((v, picks))
            if not options:
                continue
            ranked = sorted(
                ((self._rank(o, v, picks), i, v, picks) for i, (v, picks) in enumerate(options)),
                key=lambda item: (item[0], item[1]),
            )
            for _rank, _i, v, picks in ranked:
                cost = self._cost(o, v, picks)
                if self._affordable(cost, self.inst.date(day).year, reserve):
                    return Placement(day, v, picks, cost)
                budget_short = True
        self.reasons[o.id] = "budget" if budget_short else "calendar"
        return None

    def _start_range(self, o: Occurrence) -> tuple[int | None, int]:
        """The window's start days, narrowed by the series and the order rules."""
        inst = self.inst
        first, last = inst.window_starts(o)
        if o.index > 1:
            prev = self.placed.get(f"{o.event.id}-{o.index - 1}")
            if prev is None:
                self.reasons[o.id] = "series"
                return None, 0
            repeat = o.event.repeat
            date = inst.date(prev.start)
            target = inst.day(pendulum.Date(date.year, date.month, date.day).add(months=repeat.every_months))
            first, last = max(first, target - repeat.tolerance_days), min(last, target + repeat.tolerance_days)
        for order in o.event.after:
            before = [self.placed.get(b.id) for b in inst.by_event[order.event]]
            if before[0] is None:
                self.reasons[o.id] = "order"
                return None, 0
            for b, placement in zip(inst.by_event[order.event], before, strict=True):
                if placement is None:
                    continue
                end = placement.start + b.duration - 1
                first = max(first, end + 1 + order.min_gap_days)
                if order.max_gap_days is not None:
                    last = min(last, end + 1 + order.max_gap_days)
        if last < first:
            self.reasons[o.id] = "calendar"
            return None, 0
        return first, last

    def _venue_starts(self, o: Occurrence, venue: str) -> frozenset[int]:
        key = (venue, o.duration)
        if key not in self._starts:
            self._starts[key] = frozenset(self.inst.event_day_starts(o, venue))
        return self._starts[key]

    def _venue_free(self, o: Occurrence, venue: str, day: int) -> bool:
        taken = self.venue_days[venue]
        days = range(day, day + o.duration)
        if any(d in taken for d in days):
            return False
        return self.limit is None or all(self.load[d] < self.limit for d in days)

    def _person_free(self, o: Occurrence, person: str, venue: str, day: int) -> bool:
        lo, hi = self.inst.away_offsets(o, person, venue)
        blocked = self.inst.person_blocked[person].reasons
        taken = self.busy[person]
        return not any(d in blocked or d in taken for d in range(day + lo, day + hi + 1))

    def _people_free(self, o: Occurrence, venue: str, day: int) -> tuple[tuple[int, str], ...] | None:
        """The seat picks on this day (every fixed attendee free, every seat filled), or None."""
        if not all(self._person_free(o, p, venue, day) for p in o.fixed):
            return None
        chosen: set[str] = set()
        picks = []
        for g, group in enumerate(o.seat_groups):
            found = 0
            for p in self._candidates(o, g, venue):
                if found == group.need:
                    break
                if p not in chosen and self._person_free(o, p, venue, day):
                    chosen.add(p)
                    picks.append((g, p))
                    found += 1
            if found < group.need:
                return None
        return tuple(picks)

    def _candidates(self, o: Occurrence, g: int, venue: str) -> list[str]:
        pool = o.seat_groups[g].candidates
        if self.policy.people == "cheapest":
            return sorted(pool, key=lambda p: (self._person_cost(o, p, venue), self.order_of_person[p]))
        return sorted(pool, key=self.order_of_person.__getitem__)

    # -- money ------------------------------------------------------------------------------------

    def _person_cost(self, o: Occurrence, person: str, venue: str) -> int:
        key = (o.event.id, person, venue)
        if key not in self._cost_cache:
            self._cost_cache[key] = self.inst.costs.attendee(self.inst.scenario.people[person], o.event, venue)
        return sum(self._cost_cache[key].values())

    def _fixed_cost(self, o: Occurrence, venue: str) -> Counter:
        key = (o.event.id, venue)
        if key not in self._cost_cache:
            inst = self.inst
            cost = inst.costs.occurrence_fixed(o.event, venue)
            for p in o.fixed:
                cost.update(inst.costs.attendee(inst.scenario.people[p], o.event, venue))
            self._cost_cache[key] = cost
        return self._cost_cache[key]

    def _cost(self, o: Occurrence, venue: str, picks) -> Counter:
        cost = Counter(self._fixed_cost(o, venue))
        for _g, p in picks:
            self._person_cost(o, p, venue)
            cost.update(self._cost_cache[(o.event.id, p, venue)])
        return cost

    def _rank(self, o: Occurrence, venue: str, picks) -> int:
        if self.policy.venue == "total":
            return sum(self._cost(o, venue, picks).values())
        return self.inst.scenario.venues[venue].cost_per_day

    def _affordable(self, cost: Counter, year: int, reserve: int) -> bool:
        budget = self.inst.scenario.budget
        amount = sum(cost.values())
        if sum(self.totals.values()) + amount + reserve > budget.total:
            return False
        for category, cap in budget.categories.items():
            if self.totals[category] + cost.get(category, 0) > cap:
                return False
        cap = budget.years.get(year)
        return cap is None or self.years[year] + amount <= cap

    def cheapest(self, o: Occurrence) -> int:
        """The least the occurrence can cost, over its venues and its cheapest seat candidates."""
        best = None
        for v in o.event.venues:
            amount = sum(self._fixed_cost(o, v).values())
            for group in o.seat_groups:
                costs = sorted(self._person_cost(o, p, v) for p in group.candidates)
                amount += sum(costs[: group.need])
            best = amount if best is None else min(best, amount)
        return best or 0
