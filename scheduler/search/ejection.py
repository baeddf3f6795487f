"""Ejection moves: improve a first-fit plan by moving what stands in the way, in plain Python.

First fit holds most occurrences at their cheapest; an occurrence that misses it does so because
its cheaper days and venues were taken by occurrences placed before it (the venue, the team's
load, the cheapest officers). A move takes such an occurrence out together with the occurrences
that block one of its cheaper options (the option with the fewest blockers first, then the one
nearest to where it is), puts it there, and puts the blockers back where each is cheapest now.
The move is kept if the plan is better in the objective's order (priority of optional events,
then cost, then days outside ``preferred``), else undone.

The same moves CP-SAT makes in ``neighbourhood.py``, without its exact search but without a
presolve of the whole model each: on the largest scenarios many more moves fit in the same time
(benchmarks/README.md). Deterministic.
"""

from __future__ import annotations

import time

from scheduler.model.instance import Occurrence
from scheduler.search.firstfit import FirstFit, Placement
from scheduler.search.occupancy import Occupancy

MAX_BLOCKERS = 6  # an option needing more occurrences moved is not tried
OPTIONS_PER_TARGET = 6  # options tried per occurrence and round


class Ejection:
    def __init__(self, fit: FirstFit):
        self.fit = fit
        self.inst = fit.inst
        self.moves = 0

    # -- the plan's worth -------------------------------------------------------------------------

    def worth(self, oid: str, placement: Placement | None) -> tuple[int, ...]:
        """What one occurrence adds to the objectives, each part to minimise."""
        return self.fit.worth(self.inst.by_id[oid], placement)

    def shortfall(self, o: Occurrence) -> tuple[int, ...]:
        """How far the occurrence is from its floor in each objective (left out: only the
        priority it loses counts)."""
        placement = self.fit.placed.get(o.id)
        now = self.worth(o.id, placement)
        if placement is None:
            return (now[0],) + (0,) * (len(now) - 1)
        return tuple(a - b for a, b in zip(now, self.fit.floor(o), strict=True))

    # -- occupancy --------------------------------------------------------------------------------

    def _occupancy(self) -> None:
        self.occupancy = Occupancy(self.inst)
        for oid, placement in self.fit.placed.items():
            self._occupy(oid, placement)

    def _occupy(self, oid: str, placement: Placement) -> None:
        people = placement.people(self.inst.by_id[oid])
        self.occupancy.occupy(oid, placement.start, placement.venue, people)

    def _vacate(self, oid: str, placement: Placement) -> None:
        people = placement.people(self.inst.by_id[oid])
        self.occupancy.vacate(oid, placement.start, placement.venue, people)

    def _wanted(self, o: Occurrence, venue: str) -> list[str]:
        """The named attendees and, per seat group, as many of the cheapest candidates as it needs."""
        fit = self.fit
        out = list(o.fixed)
        for g, group in enumerate(o.seat_groups):
            out += fit.candidates(o, g, venue)[: group.need]
        return out

    # -- moves ------------------------------------------------------------------------------------

    def run(self, rounds: int = 2, deadline: float | None = None) -> int:
        """Improve the plan in place; returns the number of moves kept."""
        inst = self.inst
        for _ in range(rounds):
            kept_before = self.moves
            self._occupancy()
            short = {o.id: self.shortfall(o) for o in inst.occurrences}
            targets = sorted(
                (o for o in inst.occurrences if any(short[o.id])),
                key=lambda o: (tuple(-x for x in short[o.id]), o.id),
            )
            for o in targets:
                if deadline is not None and time.monotonic() >= deadline:
                    return self.moves
                if o.id not in self.fit.pinned and any(self.shortfall(o)):
                    self._improve(o)
            if self.moves == kept_before:
                break
        return self.moves

    def _improve(self, o: Occurrence) -> bool:
        fit = self.fit
        current = fit.placed.get(o.id)
        if current is None and not fit.can_add(o):
            return False
        tried = 0
        for _count, _distance, day, venue, blockers in self._options(o, current):
            if tried >= OPTIONS_PER_TARGET:
                break
            tried += 1
            if self._move(o, day, venue, blockers):
                self.moves += 1
                return True
        return False

    def _options(self, o: Occurrence, current: Placement | None):
        inst, fit = self.inst, self.fit
        span = fit.start_range(o)  # the series and the order, with the others as they are
        if span is None:
            return []
        first, last = span
        allowed = fit.successors_allow(o) or (lambda _day: True)
        centre = current.start if current is not None else (first + last) // 2
        now = self.worth(o.id, current)
        options = []
        for v in o.event.venues:
            if o.size > inst.scenario.venues[v].capacity:
                continue
            if current is not None and fit.floor_at(o, v) >= now:
                continue
            for day in fit.venue_starts(o, v):
                if not first <= day <= last or (current is not None and (day, v) == (current.start, current.venue)):
                    continue
                if not allowed(day):
                    continue
                blockers = self.occupancy.blocking(o, day, v, self._wanted(o, v), whole_load=False)
                if len(blockers) <= MAX_BLOCKERS and fit.pinned.isdisjoint(blockers):
                    options.append((len(blockers), abs(day - centre), day, v, blockers))
        options.sort(key=lambda option: option[:4])
        return options

    def _move(self, o: Occurrence, day: int, venue: str, blockers: list[str]) -> bool:
        """Take ``o`` and ``blockers`` out, put ``o`` at (day, venue), the blockers back where
        each is cheapest; keep it if the plan is better, else restore it."""
        fit, inst = self.fit, self.inst
        moved = [o.id, *blockers]
        before = {oid: fit.placed.get(oid) for oid in moved}
        for oid in moved:
            if before[oid] is not None:
                fit.uncommit(inst.by_id[oid], before[oid])
        after: dict[str, Placement | None] = {oid: None for oid in moved}
        placement = self._place_at(o, day, venue)
        if placement is not None:
            fit.commit(o, placement)
            after[o.id] = placement
            for oid in blockers:
                b = inst.by_id[oid]
                if not fit.can_add(b):
                    continue
                found = fit.place(b, 0, day_choice="cheapest")
                if found is not None:
                    fit.commit(b, found)
                    after[oid] = found
        old = tuple(map(sum, zip(*(self.worth(oid, before[oid]) for oid in moved), strict=True)))
        new = tuple(map(sum, zip(*(self.worth(oid, after[oid]) for oid in moved), strict=True)))
        if placement is not None and new < old and self._series_whole(moved):
            for oid in moved:
                if before[oid] is not None:
                    self._vacate(oid, before[oid])
            for oid in moved:
                if after[oid] is not None:
                    self._occupy(oid, after[oid])
            return True
        for oid in moved:
            if after[oid] is not None:
                fit.uncommit(inst.by_id[oid], after[oid])
        for oid in moved:
            if before[oid] is not None:
                fit.commit(inst.by_id[oid], before[oid])
        return False

    def _series_whole(self, moved: list[str]) -> bool:
        """No occurrence of a series is held after one left out (rule 8)."""
        fit, inst = self.fit, self.inst
        for oid in moved:
            o = inst.by_id[oid]
            if oid in fit.placed:
                continue
            following = inst.by_event[o.event.id][o.index :]
            if any(f.id in fit.placed for f in following):
                return False
            for follower, _order in inst.followers.get(o.event.id, ()):
                if o.index == 1 and any(f.id in fit.placed for f in inst.by_event[follower]):
                    return False
        return True

    def _place_at(self, o: Occurrence, day: int, venue: str) -> Placement | None:
        """``o`` at ``venue`` from ``day``, if every rule allows it there now."""
        return self.fit.placement_at(o, day, venue)
