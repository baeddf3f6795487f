"""Small models for focused neighbourhoods: the freed occurrences' constraints, the rest fixed.

A neighbourhood frees a few occurrences of the current plan and keeps everything else where it is.
Doing that on a clone of the whole model (every other decision fixed) leaves CP-SAT to presolve
the whole model each time: about 30 s at 300,000 variables, for a problem of a few dozen
occurrences. Here the model of a neighbourhood is put together from the pieces that matter:

- every variable, at the same index, fixed to its value in the current plan, except the variables
  that belong to a freed occurrence, which keep their domains;
- the constraints that belong to a freed occurrence (each constraint is tagged, when the rules make
  it, with every occurrence whose variables it uses: ``PlanModel.owned``);
- the shared constraints: a no-overlap or cumulative (a venue's days, a person's days, the team's
  load) where one of its intervals belongs to a freed occurrence, with every interval it lists
  (renumbered); any other shared constraint (the budget caps) always.

A constraint left out belongs only to occurrences that are not freed: every variable it uses keeps
its value from the current plan, which satisfies it, so a solution of the small model, with every
other variable at its current value, is a plan of the whole model.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.solver.model import PlanModel


class Pieces:
    """The model's variables and constraints sorted by the occurrences they belong to, and a copy
    of its variables fixed to the current plan's values."""

    def __init__(self, pm: PlanModel, values: list[int]):
        proto = pm.model.proto
        self.proto, self.instance = proto, pm.instance
        self.variables: dict[str, list[int]] = defaultdict(list)
        self.constraints: dict[str, list[int]] = defaultdict(list)
        owned = [False] * len(proto.constraints)
        interval_owners: dict[int, tuple[str, ...]] = {}
        for v0, v1, c0, c1, owners in pm.spans:
            for oid in owners:
                self.variables[oid].extend(range(v0, v1))
                self.constraints[oid].extend(range(c0, c1))
            for c in range(c0, c1):
                owned[c] = True
                interval_owners[c] = owners
        self.always: list[int] = []
        self.scheduling: dict[str, list[int]] = defaultdict(list)  # occurrence -> shared no-overlaps
        for c, is_owned in enumerate(owned):
            if is_owned:
                continue
            ct = proto.constraints[c]
            if ct.has_interval():
                continue  # a fixed interval (blocked days): kept where a kept no-overlap lists it
            if ct.has_no_overlap() or ct.has_cumulative():
                intervals = ct.no_overlap.intervals if ct.has_no_overlap() else ct.cumulative.intervals
                for oid in sorted({o for i in intervals for o in interval_owners.get(i, ())}):
                    self.scheduling[oid].append(c)
            else:
                self.always.append(c)
        self._listed: dict[int, list[int]] = {}
        self._shapes: dict[int, tuple | None] = {}  # interval -> (literal, start's terms, offset, size)
        self.values = values
        # A copy of the variables, each fixed to its value in the current plan.
        self.fixed = cp_model.CpModel()
        self.fixed.proto.variables.extend(proto.variables)
        for index, variable in enumerate(self.fixed.proto.variables):
            _fix(variable.domain, values[index])

    def update(self, occurrences: list[str], values: list[int]) -> None:
        """The plan changed for these occurrences: fix their variables to the new values."""
        self.values = values
        variables = self.fixed.proto.variables
        for oid in occurrences:
            for index in self.variables.get(oid, ()):
                _fix(variables[index].domain, values[index])

    def model(self, free: list[str]) -> cp_model.CpModel:
        """The model of the neighbourhood where ``free`` are the freed occurrences."""
        sub = cp_model.CpModel()
        sub.proto.copy_from(self.fixed.proto)
        variables, original = sub.proto.variables, self.proto.variables
        kept: set[int] = set(self.always)
        scheduling: set[int] = set()
        for oid in free:
            for index in self.variables.get(oid, ()):
                domain = variables[index].domain
                domain.clear()
                domain.extend(original[index].domain)
            kept.update(self.constraints.get(oid, ()))
            scheduling.update(self.scheduling.get(oid, ()))
        # A no-overlap keeps the intervals of freed occurrences, and the intervals present in the
        # plan on days a freed one can reach: the others constrain nothing a freed one can do.
        reach = self._reach(free)
        listed = {
            c: [(k, i) for k, i in enumerate(self._intervals(c)) if i in kept or self._meets(i, reach)]
            for c in scheduling
        }
        for c in sorted(scheduling):
            kept.update(i for _k, i in listed[c])
        order = sorted(kept | scheduling)
        renumbered = {c: n for n, c in enumerate(order)}
        constraints = sub.proto.constraints
        for c in order:
            ct = constraints.add()
            if c not in listed:
                ct.copy_from(self.proto.constraints[c])
            elif self.proto.constraints[c].has_no_overlap():
                ct.no_overlap.intervals.extend([renumbered[i] for _k, i in listed[c]])
            else:
                ct.copy_from(self.proto.constraints[c])
                demands = self.proto.constraints[c].cumulative.demands  # the original's: kept as is
                ct.cumulative.intervals.clear()
                ct.cumulative.demands.clear()
                for k, i in listed[c]:
                    ct.cumulative.intervals.append(renumbered[i])
                    ct.cumulative.demands.append(demands[k])
        return sub

    def _intervals(self, c: int) -> list[int]:
        if c not in self._listed:
            ct = self.proto.constraints[c]
            self._listed[c] = list(ct.no_overlap.intervals if ct.has_no_overlap() else ct.cumulative.intervals)
        return self._listed[c]

    def _reach(self, free: list[str]) -> list[tuple[int, int]]:
        """The days a freed occurrence can be away on (its window, with travel days), merged."""
        inst = self.instance
        spans = []
        for oid in free:
            o = inst.by_id[oid]
            first, last = inst.window_starts(o)
            spans.append((first - o.event.travel_days_before, last + o.duration - 1 + o.event.travel_days_after))
        merged: list[tuple[int, int]] = []
        for lo, hi in sorted(spans):
            if merged and lo <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        return merged

    def _meets(self, interval: int, reach: list[tuple[int, int]]) -> bool:
        """The interval is present in the current plan (a fixed one always is) on a day in
        ``reach``; an interval of another shape than the rules make is always kept."""
        if interval not in self._shapes:
            ct = self.proto.constraints[interval]
            literals, start, size = list(ct.enforcement_literal), ct.interval.start, ct.interval.size
            shape = None
            if len(literals) <= 1 and not list(size.vars):
                shape = (
                    literals[0] if literals else None,
                    list(start.vars),
                    list(start.coeffs),
                    start.offset,
                    size.offset,
                )
            self._shapes[interval] = shape
        shape = self._shapes[interval]
        if shape is None:
            return True
        literal, variables, coefficients, offset, size = shape
        values = self.values
        if literal is not None and not (values[literal] if literal >= 0 else not values[-literal - 1]):
            return False
        first = offset + sum(c * values[v] for v, c in zip(variables, coefficients, strict=True))
        last = first + size - 1
        at = bisect.bisect_right(reach, (last, math.inf)) - 1
        return at >= 0 and reach[at][1] >= first


def _fix(domain, value: int) -> None:
    domain.clear()
    domain.extend([value, value])
