"""First fit: place occurrences one at a time, each on its earliest feasible day, never undoing.

This is how a coordinator plans in a spreadsheet, first come first served: events in the order of
their windows (an event after its predecessors), each occurrence of a series after the one
before, on the earliest day where every rule allows it (``feasibility``). An optional occurrence
is taken only if the money left still covers the cheapest way to hold every required occurrence
not yet placed.

Two uses: ``benchmarks/greedy.py`` runs it with the choices a coordinator makes by hand (the
venue with the lowest hire cost, the first free people in the scenario's order) as the baseline
the solver must beat; the search runs it with cost-aware choices for its first plan. What it
returns is a valid plan whenever it places every required occurrence.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from scheduler.model.instance import Instance, Occurrence
from scheduler.model.objectives import floor, worth
from scheduler.search.feasibility import Feasibility, Placement

__all__ = ["FirstFit", "Placement", "Policy"]


@dataclass(frozen=True)
class Policy:
    """``venue``: "hire" (lowest hire cost) or "total" (lowest cost of the whole occurrence);
    ``people``: "first" (the scenario's order) or "cheapest" (lowest travel and per diem);
    ``day``: "earliest" (the first feasible day) or "cheapest" (scan the window for the day
    where the occurrence costs least, stopping early at its cheapest possible cost)."""

    venue: str = "hire"
    people: str = "first"
    day: str = "earliest"


class FirstFit(Feasibility):
    def __init__(self, instance: Instance, policy: Policy | None = None, skip: tuple[str, ...] = (), previous=None):
        super().__init__(instance, skip)
        self.policy = policy or Policy()
        self.order_of_person = {pid: i for i, pid in enumerate(instance.scenario.people)}
        self.pinned: set[str] = set()  # placed as published (--previous): kept where they are
        self.published = {o.id: o for o in previous.scheduled} if previous is not None else {}
        self._ordered: dict[tuple, list[str]] = {}

    # -- the plan ---------------------------------------------------------------------------------

    def run(self) -> dict[str, Placement]:
        inst = self.inst
        least = {o.id: inst.prices.cheapest(o) for o in inst.occurrences}
        required_left = sum(least[o.id] for o in inst.occurrences if not o.event.optional)
        for event_id in self.event_order():
            occurrences = inst.by_event[event_id]
            if not occurrences[0].event.optional:
                required_left -= sum(least[o.id] for o in occurrences)
            reserve = required_left if occurrences[0].event.optional else 0
            self._place_event(occurrences, reserve, self.policy.day)
            if self.policy.day != "earliest" and any(o.id not in self.placed for o in occurrences):
                # Cheap days chosen one by one can leave a later occurrence of the series no free
                # day within its tolerance: plan this event again, each on its earliest day.
                for o in occurrences:
                    if o.id in self.placed and o.id not in self.pinned:
                        self.uncommit(o, self.placed[o.id])
                self._place_event(occurrences, reserve, "earliest")
        return self.placed

    def _place_event(self, occurrences: list[Occurrence], reserve: int, day_choice: str) -> None:
        for o in occurrences:
            if o.id in self.placed:
                continue
            placement = self.place(o, reserve, day_choice=day_choice)
            if placement is not None:
                self.commit(o, placement)

    def event_order(self) -> list[str]:
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

    # -- one occurrence ---------------------------------------------------------------------------

    def worth(self, o: Occurrence, placement: Placement | None) -> tuple[int, ...]:
        """What one placement adds to each objective, in order (``objectives.worth``)."""
        held = placement.held(o) if placement is not None else None
        return worth(self.inst, o, held, self.published.get(o.id))

    def floor(self, o: Occurrence) -> tuple[int, ...]:
        """No placement of ``o`` is worth less (``objectives.floor``)."""
        return floor(self.inst, o)

    def floor_at(self, o: Occurrence, venue: str) -> tuple[int, ...]:
        """No placement of ``o`` at ``venue`` is worth less."""
        return floor(self.inst, o, venue)

    def place(
        self, o: Occurrence, reserve: int, best: Placement | None = None, day_choice: str | None = None
    ) -> Placement | None:
        """The placement the policy chooses, or ``best`` (the current one, when improving) if
        nothing is better."""
        span = self.start_range(o)
        if span is None:
            return best
        first, last = span
        allowed = self.successors_allow(o)
        venues = [v for v in o.event.venues if self.fits_venue(o, v)]
        budget_short = False
        day_choice = day_choice or self.policy.day
        floor = self.floor(o) if day_choice == "cheapest" or best is not None else None
        for day in range(first, last + 1):
            if best is not None and self.worth(o, best) <= floor:
                break
            if allowed is not None and not allowed(day):
                continue
            options = []
            for v in venues:
                if day not in self.venue_starts(o, v) or not self.venue_free(o, v, day):
                    continue
                picks = self.people_free(o, v, day)
                if picks is not None:
                    options.append((v, picks))
            if not options:
                continue
            ranked = sorted(
                ((self._rank(o, v, picks), i, v, picks) for i, (v, picks) in enumerate(options)),
                key=lambda item: (item[0], item[1]),
            )
            for _rank, _i, v, picks in ranked:
                cost = self.inst.prices.held(o, v, (p for _g, p in picks))
                if self.affordable(cost, self.inst.date(day).year, reserve):
                    found = Placement(day, v, picks, cost)
                    if floor is None:
                        return found
                    if best is None or self.worth(o, found) < self.worth(o, best):
                        best = found
                    break
                budget_short = True
        if best is None:
            self.reasons[o.id] = "budget" if budget_short else "calendar"
        return best

    def candidates(self, o: Occurrence, g: int, venue: str) -> list[str]:
        """A seat group's candidates in the policy's order: the scenario's, or the cheapest first."""
        key = (o.event.id, g, venue)
        found = self._ordered.get(key)
        if found is None:
            pool = o.seat_groups[g].candidates
            if self.policy.people == "cheapest":
                prices = self.inst.prices
                found = sorted(pool, key=lambda p: (prices.attendee_total(o, p, venue), self.order_of_person[p]))
            else:
                found = sorted(pool, key=self.order_of_person.__getitem__)
            self._ordered[key] = found
        return found

    def _rank(self, o: Occurrence, venue: str, picks) -> int:
        if self.policy.venue == "total":
            return sum(self.inst.prices.held(o, venue, (p for _g, p in picks)).values())
        return self.inst.scenario.venues[venue].cost_per_day

    # -- improving --------------------------------------------------------------------------------

    def improve(self, passes: int = 2) -> dict[str, Placement]:
        """Local improvement: take each occurrence out in turn and put it back where it is worth
        least, with everything else kept; left-out optional occurrences are tried again. Stops
        after ``passes`` or when nothing moves."""
        inst = self.inst
        for _ in range(passes):
            moved = False
            for o in inst.occurrences:
                current = self.placed.get(o.id)
                if current is None:
                    if o.event.optional and self.can_add(o):
                        found = self.place(o, 0)
                        if found is not None:
                            self.commit(o, found)
                            self.reasons.pop(o.id, None)
                            moved = True
                    continue
                if o.id in self.pinned:
                    continue
                self.uncommit(o, current)
                found = self.place(o, 0, best=current)
                self.commit(o, found)
                moved |= found is not current
            if not moved:
                break
        return self.placed

    def can_add(self, o: Occurrence) -> bool:
        """An optional occurrence can come back only after its series' previous one, and only
        while the next one's place (if any) stays reachable (checked by ``place``)."""
        return o.index == 1 or f"{o.event.id}-{o.index - 1}" in self.placed
