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

from scheduler.model.instance import Instance, Occurrence


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
    ``people``: "first" (the scenario's order) or "cheapest" (lowest travel and per diem);
    ``day``: "earliest" (the first feasible day) or "cheapest" (scan the window for the day
    where the occurrence costs least, stopping early at its cheapest possible cost)."""

    venue: str = "hire"
    people: str = "first"
    day: str = "earliest"  # or "cheapest": the cheapest day in the window, the earliest of equals


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
        self.pinned: set[str] = set()  # placed as published (--previous): kept where they are
        self.reasons: dict[str, str] = {}
        self._starts: dict[tuple, frozenset[int]] = {}
        self._cost_cache: dict[tuple, object] = {}
        self._months_cache: dict[tuple[int, int], int] = {}
        self._latest_cache: dict[str, int] = {}
        self._followers: dict[str, list] = defaultdict(list)  # event -> [(follower event, After)]
        for eid, event in instance.scenario.events.items():
            for order in event.after:
                self._followers[order.event].append((eid, order))

    # -- the plan ---------------------------------------------------------------------------------

    def run(self) -> dict[str, Placement]:
        inst = self.inst
        least = {o.id: self.cheapest(o) for o in inst.occurrences}
        required_left = sum(least[o.id] for o in inst.occurrences if not o.event.optional)
        for event_id in self._event_order():
            occurrences = inst.by_event[event_id]
            if not occurrences[0].event.optional:
                required_left -= sum(least[o.id] for o in occurrences)
            reserve = required_left if occurrences[0].event.optional else 0
            self._place_event(occurrences, reserve, self.policy.day)
            if self.policy.day != "earliest":
                if any(o.id not in self.placed for o in occurrences):
                    # Cheap days chosen one by one can leave a later occurrence of the series no
                    # free day within its tolerance: plan this event again, each on its earliest day.
                    for o in occurrences:
                        if o.id in self.placed and o.id not in self.pinned:
                            self._uncommit(o, self.placed[o.id])
                    self._place_event(occurrences, reserve, "earliest")
        return self.placed

    def _place_event(self, occurrences: list[Occurrence], reserve: int, day_choice: str) -> None:
        for o in occurrences:
            if o.id in self.placed:
                continue
            placement = self._place(o, reserve, day_choice=day_choice)
            if placement is not None:
                self._commit(o, placement)

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

    def _place(
        self, o: Occurrence, reserve: int, best: Placement | None = None, day_choice: str | None = None
    ) -> Placement | None:
        """The placement the policy chooses, or ``best`` (the current one, when improving) if
        nothing is better."""
        first, last = self._start_range(o)
        if first is None:
            return best
        allowed = self._successors_allow(o)
        venues = [v for v in o.event.venues if o.size <= self.inst.scenario.venues[v].capacity]
        budget_short = False
        day_choice = day_choice or self.policy.day
        floor = self.cheapest(o) if day_choice == "cheapest" or best is not None else None
        for day in range(first, last + 1):
            if best is not None and self._worth(o, best) <= (floor, 0):
                break
            if allowed is not None and not allowed(day):
                continue
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
                    found = Placement(day, v, picks, cost)
                    if floor is None:
                        return found
                    if best is None or self._worth(o, found) < self._worth(o, best):
                        best = found
                    break
                budget_short = True
        if best is None:
            self.reasons[o.id] = "budget" if budget_short else "calendar"
        return best

    def _successors_allow(self, o: Occurrence):
        """A test of start days against what is already placed after ``o``: the series' next
        occurrence and the occurrences of events that must follow (None when nothing is)."""
        inst = self.inst
        checks = []
        nxt = self.placed.get(f"{o.event.id}-{o.index + 1}") if o.event.repeat else None
        if nxt is not None:
            months, tolerance = o.event.repeat.every_months, o.event.repeat.tolerance_days
            checks.append(lambda day: abs(nxt.start - self._plus_months(day, months)) <= tolerance)
        for follower, order in self._followers.get(o.event.id, ()):
            for f in inst.by_event[follower]:
                placed = self.placed.get(f.id)
                if placed is None:
                    continue
                lo = placed.start - 1 - order.max_gap_days if order.max_gap_days is not None else None
                hi = placed.start - 1 - order.min_gap_days
                checks.append(
                    lambda day, lo=lo, hi=hi: (lo is None or day + o.duration - 1 >= lo) and day + o.duration - 1 <= hi
                )
        if not checks:
            return None
        return lambda day: all(check(day) for check in checks)

    def _plus_months(self, day: int, months: int) -> int:
        key = (day, months)
        if key not in self._months_cache:
            date = self.inst.date(day)
            self._months_cache[key] = self.inst.day(pendulum.Date(date.year, date.month, date.day).add(months=months))
        return self._months_cache[key]

    # -- improving --------------------------------------------------------------------------------

    def improve(self, passes: int = 2) -> dict[str, Placement]:
        """Local improvement: take each occurrence out in turn and put it back where it costs
        least (then has fewest days outside ``preferred``), with everything else kept; left-out
        optional occurrences are tried again. Stops after ``passes`` or when nothing moves."""
        inst = self.inst
        for _ in range(passes):
            moved = False
            for o in inst.occurrences:
                current = self.placed.get(o.id)
                if current is None:
                    if o.event.optional and self._can_add(o):
                        found = self._place(o, 0)
                        if found is not None:
                            self._commit(o, found)
                            self.reasons.pop(o.id, None)
                            moved = True
                    continue
                if o.id in self.pinned:
                    continue
                self._uncommit(o, current)
                found = self._place(o, 0, best=current)
                self._commit(o, found)
                moved |= found is not current
            if not moved:
                break
        return self.placed

    def _can_add(self, o: Occurrence) -> bool:
        """An optional occurrence can come back only after its series' previous one, and only
        while the next one's place (if any) stays reachable (checked by ``_place``)."""
        return o.index == 1 or f"{o.event.id}-{o.index - 1}" in self.placed

    def _uncommit(self, o: Occurrence, placement: Placement) -> None:
        inst = self.inst
        del self.placed[o.id]
        for p in placement.people(o):
            lo, hi = inst.away_offsets(o, p, placement.venue)
            self.busy[p].difference_update(range(placement.start + lo, placement.start + hi + 1))
        days = range(placement.start, placement.start + o.duration)
        self.venue_days[placement.venue].difference_update(days)
        self.load.subtract(days)
        self.totals.subtract(placement.cost)
        self.years[inst.date(placement.start).year] -= sum(placement.cost.values())

    def _worth(self, o: Occurrence, placement: Placement) -> tuple[int, int]:
        """What the objective sees of one placement: its cost, then its days outside ``preferred``."""
        preferred = o.event.preferred
        outside = 0
        if preferred:
            for d in range(placement.start, placement.start + o.duration):
                date = self.inst.date(d)
                outside += not any(date in r for r in preferred)
        return sum(placement.cost.values()), outside

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
        last = min(last, self._latest(o))
        if last < first:
            self.reasons[o.id] = "calendar"
            return None, 0
        return first, last

    def _latest(self, o: Occurrence) -> int:
        """The latest start that leaves room for the rest of the series and for the first
        occurrence of every event that must follow (so that choosing a late, cheap day does not
        shut them out of their windows)."""
        if o.id in self._latest_cache:
            return self._latest_cache[o.id]
        inst = self.inst
        latest = inst.window_starts(o)[1]
        series = inst.by_event[o.event.id]
        if o.index < len(series):
            nxt = self._latest(series[o.index])  # occurrence index + 1 (ids are 1-based)
            repeat = o.event.repeat
            day = nxt + repeat.tolerance_days - repeat.every_months * 28
            while self._plus_months(day + 1, repeat.every_months) - repeat.tolerance_days <= nxt:
                day += 1
            latest = min(latest, day)
        for follower, order in self._followers.get(o.event.id, ()):
            latest = min(latest, self._latest(inst.by_event[follower][0]) - 1 - order.min_gap_days - o.duration + 1)
        self._latest_cache[o.id] = latest
        return latest

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
        key = ("pool", o.event.id, g, venue)
        if key not in self._cost_cache:
            pool = o.seat_groups[g].candidates
            if self.policy.people == "cheapest":
                ordered = sorted(pool, key=lambda p: (self._person_cost(o, p, venue), self.order_of_person[p]))
            else:
                ordered = sorted(pool, key=self.order_of_person.__getitem__)
            self._cost_cache[key] = ordered
        return self._cost_cache[key]

    # -- money ------------------------------------------------------------------------------------

    def _person_costs(self, o: Occurrence, person: str, venue: str) -> Counter:
        """One seat holder's costs by category (the same for everyone with their home and funding)."""
        p = self.inst.scenario.people[person]
        key = (p.home, p.funded, o.event.id, venue)
        if key not in self._cost_cache:
            self._cost_cache[key] = self.inst.costs.attendee(p, o.event, venue)
        return self._cost_cache[key]

    def _person_cost(self, o: Occurrence, person: str, venue: str) -> int:
        return sum(self._person_costs(o, person, venue).values())

    def _fixed_cost(self, o: Occurrence, venue: str) -> Counter:
        key = ("fixed", o.event.id, venue)
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
            cost.update(self._person_costs(o, p, venue))
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
        key = ("least", o.event.id)
        if key not in self._cost_cache:
            self._cost_cache[key] = self._cheapest(o)
        return self._cost_cache[key]

    def _cheapest(self, o: Occurrence) -> int:
        return min((self.least_at(o, v) for v in o.event.venues), default=0)

    def least_at(self, o: Occurrence, venue: str) -> int:
        """The least the occurrence can cost at ``venue``: its fixed costs and its cheapest seat
        candidates there, the calendar aside."""
        key = ("least", o.event.id, venue)
        if key not in self._cost_cache:
            amount = sum(self._fixed_cost(o, venue).values())
            for group in o.seat_groups:
                costs = sorted(self._person_cost(o, p, venue) for p in group.candidates)
                amount += sum(costs[: group.need])
            self._cost_cache[key] = amount
        return self._cost_cache[key]
