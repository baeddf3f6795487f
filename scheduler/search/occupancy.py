"""Who holds what on each day of a plan (venues, the team's load, people), and so which
occurrences stand in the way of holding another one somewhere: shared by the ejection moves and
the focused neighbourhoods."""

from __future__ import annotations

from scheduler.model.instance import Instance, Occurrence


class Occupancy:
    def __init__(self, instance: Instance):
        self.inst = instance
        self.venue_at: dict[tuple[str, int], str] = {}
        self.day_at: dict[int, list[str]] = {}
        self.person_at: dict[tuple[str, int], str] = {}

    def occupy(self, oid: str, start: int, venue: str, people) -> None:
        o = self.inst.by_id[oid]
        for d in range(start, start + o.duration):
            self.venue_at[(venue, d)] = oid
            self.day_at.setdefault(d, []).append(oid)
        for p in people:
            lo, hi = self.inst.away_offsets(o, p, venue)
            for d in range(start + lo, start + hi + 1):
                self.person_at[(p, d)] = oid

    def vacate(self, oid: str, start: int, venue: str, people) -> None:
        o = self.inst.by_id[oid]
        for d in range(start, start + o.duration):
            del self.venue_at[(venue, d)]
            self.day_at[d].remove(oid)
        for p in people:
            lo, hi = self.inst.away_offsets(o, p, venue)
            for d in range(start + lo, start + hi + 1):
                del self.person_at[(p, d)]

    def blocking(self, o: Occurrence, day: int, venue: str, people: list[str], whole_load: bool = True) -> list[str]:
        """The occurrences of other events in the way of holding ``o`` at ``venue`` from ``day``
        with ``people``: the venue's occupant, the occurrences filling the team's load on those
        days (all of them, or with ``whole_load=False`` the last placed, one being enough to
        make room), and the occurrences that keep those people away."""
        inst = self.inst
        limit = inst.project.max_concurrent_events
        out: list[str] = []

        def add(qid: str | None) -> None:
            if qid is not None and inst.by_id[qid].event.id != o.event.id and qid not in out:
                out.append(qid)

        for d in range(day, day + o.duration):
            add(self.venue_at.get((venue, d)))
            held = [q for q in self.day_at.get(d, ()) if inst.by_id[q].event.id != o.event.id]
            if limit is not None and len(held) >= limit:
                for q in held if whole_load else held[-1:]:
                    add(q)
        for p in people:
            lo, hi = inst.away_offsets(o, p, venue)
            for d in range(day + lo, day + hi + 1):
                add(self.person_at.get((p, d)))
        return out
