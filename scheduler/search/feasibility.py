"""The search's feasibility check: what each rule forbids the next placement, given a partial plan.

The search (first fit, its improvement, the ejection moves, keeping what was published) builds
plans one occurrence at a time, in plain Python, long before CP-SAT has a model. It must keep
every rule of ``scheduler.model.rules`` as the model does, so the rules are checked here, and only
here, against the plan built so far: ``CHECKS`` names, for each rule, the methods that check it.
A rule left out of the model (``skip``, as the tests that show a rule binds do) is left out here
too, so the search and the model always agree on what a plan is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import pendulum

from scheduler.model.instance import Instance, Occurrence
from scheduler.model.objectives import Held
from scheduler.model.rules import RULE_NAMES

# For each rule of the model, the methods of ``Feasibility`` that check it; a rule added to the
# model is added here (tests/search/test_feasibility.py holds the two lists to each other).
CHECKS = {
    "horizon_and_window": ("start_range",),
    "event_days": ("venue_starts",),
    "attendance_days": ("person_free",),
    "attendees": ("people_free",),
    "venue": ("fits_venue", "venue_free"),
    "team_load": ("venue_free",),
    "order": ("start_range", "successors_allow"),
    "series": ("start_range", "successors_allow"),
    "required": (),  # first fit is a plan only where it places every required occurrence
    "budget": ("affordable",),
}


@dataclass(frozen=True)
class Placement:
    start: int  # day index
    venue: str
    picks: tuple[tuple[int, str], ...]  # (seat group index, person) for every seat filled
    cost: Counter  # cents by category

    def people(self, o: Occurrence) -> list[str]:
        return [*o.fixed, *(p for _g, p in self.picks)]

    def held(self, o: Occurrence) -> Held:
        """What the objectives see of it (``scheduler.model.objectives``)."""
        return Held(self.start, self.venue, frozenset(self.people(o)), sum(self.cost.values()))


class Feasibility:
    """A partial plan (``placed``: occurrence -> ``Placement``) and who and what it holds on each
    day, with the rules' checks of a further placement against it."""

    def __init__(self, instance: Instance, skip: tuple[str, ...] = ()):
        unknown = set(skip) - set(RULE_NAMES)
        if unknown:
            raise ValueError(f"no such rule: {', '.join(sorted(unknown))}")
        self.inst = instance
        checked = set(RULE_NAMES) - set(skip)
        self.window, self.event_days, self.attendance = (
            r in checked for r in ("horizon_and_window", "event_days", "attendance_days")
        )
        self.seats, self.venue, self.team_load = (r in checked for r in ("attendees", "venue", "team_load"))
        self.order, self.series, self.budget = (r in checked for r in ("order", "series", "budget"))
        self.placed: dict[str, Placement] = {}
        self.busy: dict[str, set[int]] = defaultdict(set)  # person -> away days taken
        self.venue_days: dict[str, set[int]] = defaultdict(set)
        self.load: Counter = Counter()
        limit = instance.project.max_concurrent_events
        self.limit = limit if self.team_load else None
        self.totals: Counter = Counter()  # category -> cents
        self.years: Counter = Counter()  # year -> cents
        self.reasons: dict[str, str] = {}  # occurrence -> why it could not be placed (one word)
        self._starts: dict[tuple, frozenset[int]] = {}
        self._months: dict[tuple[int, int], int] = {}
        self._latest: dict[str, int] = {}

    # -- the partial plan -------------------------------------------------------------------------

    def commit(self, o: Occurrence, placement: Placement) -> None:
        self.placed[o.id] = placement
        self._hold(o, placement, 1)

    def uncommit(self, o: Occurrence, placement: Placement) -> None:
        del self.placed[o.id]
        self._hold(o, placement, -1)

    def _hold(self, o: Occurrence, placement: Placement, sign: int) -> None:
        """Take (``sign`` 1) or give back (-1) the days, venue, load and money of a placement."""
        inst, start = self.inst, placement.start
        spans = [(self.busy[p], inst.away_offsets(o, p, placement.venue)) for p in placement.people(o)]
        spans.append((self.venue_days[placement.venue], (0, o.duration - 1)))
        for taken, (lo, hi) in spans:
            days = range(start + lo, start + hi + 1)
            if sign > 0:
                taken.update(days)
            else:
                taken.difference_update(days)
        for day in range(start, start + o.duration):
            self.load[day] += sign
        for category, amount in placement.cost.items():
            self.totals[category] += sign * amount
        self.years[inst.date(start).year] += sign * sum(placement.cost.values())

    def placement_at(
        self, o: Occurrence, day: int, venue: str, picks=None, predecessors: bool = True
    ) -> Placement | None:
        """``o`` at ``venue`` from ``day`` (with these seat picks, else the first free candidates),
        if every rule allows it next to what is placed; with ``predecessors=False`` an occurrence
        whose predecessors (rules 7 and 8) are not placed yet is bound only by those that are."""
        span = self.start_range(o) if predecessors else self.placed_bounds(o)
        if span is None or not span[0] <= day <= span[1]:
            return None
        allowed = self.successors_allow(o)
        if allowed is not None and not allowed(day):
            return None
        if (
            not self.fits_venue(o, venue)
            or day not in self.venue_starts(o, venue)
            or not self.venue_free(o, venue, day)
        ):
            return None
        if picks is None:
            picks = self.people_free(o, venue, day)
            if picks is None:
                return None
        elif not all(self.person_free(o, p, venue, day) for p in (*o.fixed, *(p for _g, p in picks))):
            return None
        cost = self.inst.prices.held(o, venue, (p for _g, p in picks))
        if not self.affordable(cost, self.inst.date(day).year, 0):
            return None
        return Placement(day, venue, tuple(picks), cost)

    # -- rules 1, 7 and 8: when it may start ------------------------------------------------------

    def start_range(self, o: Occurrence) -> tuple[int, int] | None:
        """The start days the window allows, narrowed by the placed occurrences before it in its
        series and its order (None where there is none, or one it needs is not placed: the
        reason is kept in ``reasons``)."""
        inst = self.inst
        first, last = self._window(o)
        if o.index > 1 and self.series:
            prev = self.placed.get(f"{o.event.id}-{o.index - 1}")
            if prev is None:
                self.reasons[o.id] = "series"
                return None
            repeat = o.event.repeat
            target = self.plus_months(prev.start, repeat.every_months)
            first, last = max(first, target - repeat.tolerance_days), min(last, target + repeat.tolerance_days)
        for order in o.event.after if self.order else ():
            before = [self.placed.get(b.id) for b in inst.by_event[order.event]]
            if before[0] is None:
                self.reasons[o.id] = "order"
                return None
            first, last = self._after(o, order, before, first, last)
        last = min(last, self.latest(o))
        if last < first:
            self.reasons[o.id] = "calendar"
            return None
        return first, last

    def placed_bounds(self, o: Occurrence) -> tuple[int, int] | None:
        """``start_range`` against the placed occurrences only: a published occurrence may stay
        where it was while one before it must move and is placed around it later."""
        inst = self.inst
        first, last = self._window(o)
        repeat = o.event.repeat
        prev = self.placed.get(f"{o.event.id}-{o.index - 1}") if o.index > 1 and self.series else None
        if prev is not None:
            target = self.plus_months(prev.start, repeat.every_months)
            first, last = max(first, target - repeat.tolerance_days), min(last, target + repeat.tolerance_days)
        for order in o.event.after if self.order else ():
            before = [self.placed.get(b.id) for b in inst.by_event.get(order.event, ())]
            first, last = self._after(o, order, before, first, last)
        return (first, last) if first <= last else None

    def _window(self, o: Occurrence) -> tuple[int, int]:
        if self.window:
            return self.inst.window_starts(o)
        return 0, self.inst.horizon - o.duration

    def _after(self, o: Occurrence, order, before: list, first: int, last: int) -> tuple[int, int]:
        """The start days left by an ``after`` entry, given its event's placed occurrences."""
        for b, placement in zip(self.inst.by_event[order.event], before, strict=True):
            if placement is None:
                continue
            end = placement.start + b.duration - 1
            first = max(first, end + 1 + order.min_gap_days)
            if order.max_gap_days is not None:
                last = min(last, end + 1 + order.max_gap_days)
        return first, last

    def successors_allow(self, o: Occurrence):
        """A test of start days against what is already placed after ``o``: the series' next
        occurrence and the occurrences of events that must follow (None when nothing is)."""
        inst = self.inst
        checks = []
        nxt = self.placed.get(f"{o.event.id}-{o.index + 1}") if o.event.repeat and self.series else None
        if nxt is not None:
            months, tolerance = o.event.repeat.every_months, o.event.repeat.tolerance_days
            checks.append(lambda day: abs(nxt.start - self.plus_months(day, months)) <= tolerance)
        for follower, order in inst.followers.get(o.event.id, ()) if self.order else ():
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

    def latest(self, o: Occurrence) -> int:
        """The latest start that leaves room for the rest of the series and for the first
        occurrence of every event that must follow (so that choosing a late, cheap day does not
        shut them out of their windows)."""
        found = self._latest.get(o.id)
        if found is not None:
            return found
        inst = self.inst
        latest = self._window(o)[1]
        series = inst.by_event[o.event.id]
        if o.index < len(series) and self.series:
            nxt = self.latest(series[o.index])  # occurrence index + 1 (ids are 1-based)
            repeat = o.event.repeat
            day = nxt + repeat.tolerance_days - repeat.every_months * 28
            while self.plus_months(day + 1, repeat.every_months) - repeat.tolerance_days <= nxt:
                day += 1
            latest = min(latest, day)
        for follower, order in inst.followers.get(o.event.id, ()) if self.order else ():
            latest = min(latest, self.latest(inst.by_event[follower][0]) - 1 - order.min_gap_days - o.duration + 1)
        self._latest[o.id] = latest
        return latest

    def plus_months(self, day: int, months: int) -> int:
        """The day ``months`` calendar months after ``day`` (rule 8: pendulum's ``add``)."""
        key = (day, months)
        found = self._months.get(key)
        if found is None:
            date = self.inst.date(day)
            found = self._months[key] = self.inst.day(pendulum.Date(date.year, date.month, date.day).add(months=months))
        return found

    # -- rules 2, 5 and 6: where and on which days ------------------------------------------------

    def fits_venue(self, o: Occurrence, venue: str) -> bool:
        """Rule 5: the venue seats every attendee."""
        return not self.venue or o.size <= self.inst.scenario.venues[venue].capacity

    def venue_starts(self, o: Occurrence, venue: str) -> frozenset[int]:
        """Rule 2: the start days whose event days are all usable at the venue."""
        key = (venue, o.duration)
        found = self._starts.get(key)
        if found is None:
            days = self.inst.event_day_starts(o, venue) if self.event_days else range(self.inst.horizon)
            found = self._starts[key] = frozenset(days)
        return found

    def venue_free(self, o: Occurrence, venue: str, day: int) -> bool:
        """Rules 5 and 6: no other occurrence at the venue on those days, the team not overloaded."""
        days = range(day, day + o.duration)
        if self.venue:
            taken = self.venue_days[venue]
            if any(d in taken for d in days):
                return False
        return self.limit is None or all(self.load[d] < self.limit for d in days)

    # -- rules 3 and 4: who ------------------------------------------------------------------------

    def person_free(self, o: Occurrence, person: str, venue: str, day: int) -> bool:
        """Rule 3: none of the person's away days blocked, or taken by another occurrence."""
        if not self.attendance:
            return True
        lo, hi = self.inst.away_offsets(o, person, venue)
        blocked = self.inst.person_blocked[person].reasons
        taken = self.busy[person]
        return not any(d in blocked or d in taken for d in range(day + lo, day + hi + 1))

    def people_free(self, o: Occurrence, venue: str, day: int) -> tuple[tuple[int, str], ...] | None:
        """Rule 4: the seat picks on this day (every named attendee free, every seat filled by the
        first free candidates in ``candidates`` order), or None."""
        if not all(self.person_free(o, p, venue, day) for p in o.fixed):
            return None
        if not self.seats:
            return ()
        chosen: set[str] = set()
        picks = []
        for g, group in enumerate(o.seat_groups):
            found = 0
            for p in self.candidates(o, g, venue):
                if found == group.need:
                    break
                if p not in chosen and self.person_free(o, p, venue, day):
                    chosen.add(p)
                    picks.append((g, p))
                    found += 1
            if found < group.need:
                return None
        return tuple(picks)

    def candidates(self, o: Occurrence, g: int, venue: str) -> list[str]:
        """The seat group's candidates in the order they are asked (first fit orders them)."""
        return list(o.seat_groups[g].candidates)

    # -- rule 10: money ----------------------------------------------------------------------------

    def affordable(self, cost: Counter, year: int, reserve: int) -> bool:
        """Rule 10: within the total (keeping ``reserve`` for what must still be placed), each
        category's cap and the year's cap."""
        if not self.budget:
            return True
        budget = self.inst.scenario.budget
        amount = sum(cost.values())
        if sum(self.totals.values()) + amount + reserve > budget.total:
            return False
        for category, cap in budget.categories.items():
            if self.totals[category] + cost.get(category, 0) > cap:
                return False
        cap = budget.years.get(year)
        return cap is None or self.years[year] + amount <= cap
