"""Which occurrences a focused neighbourhood frees, and whom it may seat: the target, the rest
of its series, and what stands in the way of its better options (the occurrences holding the
venue, the team's load or the cheapest people on those days), nearest first. A mixin of
``neighbourhood.Neighbourhoods``, which reads the current plan."""

from __future__ import annotations

from collections import defaultdict

from scheduler.model.instance import Occurrence
from scheduler.search.occupancy import Occupancy

CANDIDATES = 4  # seat candidates per group a neighbourhood may newly pick (None: all)


class Choosing:
    def _neighbourhood(self, o: Occurrence, occupancy: Occupancy, nearest: int) -> list[str]:
        """The occurrence, its series, and what stands in the way of its better options: the
        occurrences that hold the venue, the team's load or the cheapest people on the days of
        the options nearest to where it is now (or, left out, to the middle of its window)."""
        inst = self.pm.instance
        series = [q.id for q in inst.by_event[o.event.id]]
        first, last = inst.window_starts(o)
        here = self.placed(o)
        centre = here.start if here is not None else (first + last) // 2
        now = self.value(self.pm.occurrence_cost[o.id]) if here is not None else None
        out = list(series)
        options = []
        wanted = {v: self._wanted_people(o, v) for v in o.event.venues}
        for distance, day, venue in self._options(o, first, last, centre, now):
            blockers = occupancy.blocking(o, day, venue, wanted[venue])
            blockers += [q for q in self._order_blockers(o, day) if q not in blockers]
            options.append((len(blockers), distance, day, venue, blockers))
        options.sort(key=lambda option: option[:4])
        for *_key, blockers in options:
            for q in blockers:
                # A blocker of a series moves only with its neighbours in the series.
                for sibling in inst.by_event[inst.by_id[q].event.id]:
                    if abs(sibling.index - inst.by_id[q].index) <= 1 and sibling.id not in out:
                        out.append(sibling.id)
            if len(out) >= len(series) + nearest:
                break
        return out

    def _order_blockers(self, o: Occurrence, day: int) -> list[str]:
        """The scheduled occurrences whose days an order rule (``after``) would not allow with
        ``o`` starting on ``day``: they must move with it."""
        inst = self.pm.instance
        out = []
        linked = [(order.event, order, True) for order in o.event.after]
        linked += [(follower, order, False) for follower, order in inst.followers.get(o.event.id, ())]
        for event_id, order, before in linked:
            for q in inst.by_event[event_id]:
                at = self.placed(q)
                if at is None:
                    continue
                if before:
                    gap = day - (at.start + q.duration - 1) - 1
                else:
                    gap = at.start - (day + o.duration - 1) - 1
                if gap < order.min_gap_days or (order.max_gap_days is not None and gap > order.max_gap_days):
                    out.append(q.id)
        return out

    def _options(self, o: Occurrence, first: int, last: int, centre: int, now: int | None):
        """(distance, start, venue) of the starts the venue and the named attendees allow, where
        the occurrence could cost no more than now, nearest first."""
        inst = self.pm.instance
        options = []
        for v in o.event.venues:
            if o.size > inst.scenario.venues[v].capacity:
                continue
            if now is not None and self._least_at(o, v) > now:
                continue  # dearer at best (an equal one may still have better days)
            starts = set(inst.event_day_starts(o, v))
            for p in o.fixed:
                starts &= set(inst.attendance_starts(o, p, v))
            options += [(abs(d - centre), d, v) for d in starts if first <= d <= last]
        options.sort()
        return options

    def _least_at(self, o: Occurrence, venue: str) -> int:
        key = (o.id, venue)
        if key not in self._least:
            self._least[key] = self.pm.instance.prices.least_at(o, venue)
        return self._least[key]

    def _wanted_people(self, o: Occurrence, venue: str) -> list[str]:
        """The people whose days stand in the way of holding ``o`` at ``venue``: the cheapest
        there (``_cheapest_people``), and on a model of its own only those its seat groups may pick
        (``_unpicked``): the occurrences holding the others would be freed for nothing."""
        wanted = self._cheapest_people(o, venue)
        if not self.own_models or CANDIDATES is None:
            return wanted
        allowed = set(o.fixed) | self._allowed(o)
        return [p for p in wanted if p in allowed]

    def _allowed(self, o: Occurrence) -> set[str]:
        """The seat candidates a small model lets ``o`` pick (``_unpicked``): those it has now and,
        per seat group, the ``CANDIDATES`` others cheapest where it is cheapest, the least busy
        first."""
        left_out = set(self._left_out(o, self._busy()))
        return {p for (_g, p), var in self.pm.pick[o.id].items() if var.index not in left_out}

    def _cheapest_people(self, o: Occurrence, venue: str) -> list[str]:
        """Per seat group, the candidates who cost no more at ``venue`` than the group's
        ``need``-th cheapest: the people a cheaper plan wants."""
        key = ("people", o.id, venue)
        if key not in self._least:
            pm = self.pm
            wanted = []
            for group in o.seat_groups:
                costs = {p: pm.instance.prices.attendee_total(o, p, venue) for p in group.candidates}
                ranked = sorted(costs.values())
                limit = ranked[min(group.need, len(ranked)) - 1] if ranked else 0
                wanted += [p for p in group.candidates if costs[p] <= limit]
            self._least[key] = [*o.fixed, *wanted]
        return self._least[key]

    def _unpicked(self, free: list[str]) -> set[int]:
        """The seat candidates a neighbourhood leaves out (their picks held at 0): per seat group of a
        freed occurrence, all but those it has now and the ``CANDIDATES`` others cheapest at its
        cheapest venue, the least busy in the plan first."""
        if CANDIDATES is None:
            return set()
        busy = self._busy()
        return {v for oid in free for v in self._left_out(self.pm.instance.by_id[oid], busy)}

    def _busy(self) -> dict[str, int]:
        """Seats held in the plan, per person (counted again after the plan changes)."""
        if self._seats is None:
            self._seats = defaultdict(int)
            for o in self.pm.instance.occurrences:
                at = self.placed(o)
                for p in at.picked if at is not None else ():
                    self._seats[p] += 1
        return self._seats

    def _left_out(self, o: Occurrence, busy: dict[str, int]) -> list[int]:
        """``_unpicked`` for one occurrence: the indexes of the pick variables held at 0."""
        pm, values = self.pm, self.values
        venue = min(o.event.venues, key=lambda v: (self._least_at(o, v), v))
        picks = pm.pick[o.id]
        out = []
        for g, group in enumerate(o.seat_groups):
            others = sorted(
                (p for p in group.candidates if not values[picks[(g, p)].index]),
                key=lambda p: (pm.instance.prices.attendee_total(o, p, venue), busy[p], p),
            )
            out += [picks[(g, p)].index for p in others[CANDIDATES:]]
        return out
