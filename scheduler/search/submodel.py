"""Small models for focused neighbourhoods: the freed occurrences' part of the model, the rest constant.

A neighbourhood frees a few occurrences of the current plan and keeps everything else where it is.
Doing that on a clone of the whole model (every other decision fixed) leaves CP-SAT to load and
presolve the whole model each time, which on the largest models costs far more than the few dozen
occurrences freed are worth. Here the model of a neighbourhood holds only what can change:

- the variables that belong to a freed occurrence, with their domains; a variable of another
  occurrence only where a constraint needs it as a literal, fixed to its value in the current plan;
- the constraints that belong to a freed occurrence (each constraint is tagged, when the rules make
  it, with every occurrence whose variables it uses: ``PlanModel.owned``);
- the shared constraints: a no-overlap or cumulative (a venue's days, a person's days, the team's
  load) where one of its intervals belongs to a freed occurrence, with the intervals of freed
  occurrences and those present in the plan on days a freed one can reach; the budget caps always.
  The intervals that stay are constants: in the team's load, one interval per step of their load.

The rules make linear, Boolean, ``lin_max``, interval, no-overlap and cumulative constraints; a
constraint of another kind stops a neighbourhood with ``NotImplementedError`` (the tests build
models with every rule and read every constraint back: tests/support/ownership.py).

In linear constraints and expressions (the budget caps, interval bounds, demands) the variables of
occurrences that are not freed are replaced by their values; a constraint whose literals make it
inactive in the current plan, or whose terms all became constants, is left out (it holds, since the
current plan is a plan). A constraint left out because none of its owners is freed uses only
variables that keep their values, so a solution of the small model, with every other variable at its
current value, is a plan of the whole model.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from ortools.sat.python import cp_model, cp_model_helper

from scheduler.search.assemble import Builder, SharedSum, decode, evaluate, is_true


class Neighbourhood:
    """The small model of one neighbourhood and where its variables come from."""

    def __init__(
        self, model: cp_model.CpModel, originals: list[int] | None, index: dict[int, int] | None, freed: int = 0
    ):
        self.model = model
        self.originals = originals  # the whole model's index of each variable here (None: the same)
        self.index = index  # and back
        self.freed = freed  # the first ``freed`` variables here are the freed ones (the rest are fixed)

    def minimize(self, flat: tuple[list[int], list[int], int]) -> None:
        """Minimise a linear expression of the whole model (flattened: ``flatten``); its terms on
        variables that are not here are constants."""
        objective = self.model.proto.objective
        for v, c in zip(*flat[:2], strict=True):
            if self.index is None or v in self.index:
                objective.vars.append(v if self.index is None else self.index[v])
                objective.coeffs.append(c)

    def hint(self, values: list[int]) -> None:
        """The current plan as a complete hint (the model has none yet)."""
        here = values if self.originals is None else [values[v] for v in self.originals]
        hint = self.model.proto.solution_hint
        hint.vars.extend(range(len(here)))
        hint.values.extend(here)

    def merged(self, values: list[int], solution) -> list[int]:
        """The whole model's values: the current plan's, with this model's solution in its part
        (its freed variables: the fixed ones keep the values of ``values``, which may be a plan
        changed elsewhere since this model was made)."""
        if self.originals is None:
            return list(solution)
        out = list(values)
        for n in range(self.freed):
            out[self.originals[n]] = solution[n]
        return out


def whole(pm, values: list[int], free: list[str]) -> Neighbourhood:
    """The neighbourhood as the whole model with the decisions of every other occurrence (held,
    start, venue, seat holders) fixed: up to ``LARGE`` variables CP-SAT's presolve removes the rest
    sooner than a small model is put together here in Python."""
    model = pm.model.clone()
    model.clear_objective()
    model.clear_hints()
    variables = model.proto.variables
    freed = set(free)
    for o in pm.instance.occurrences:
        if o.id in freed:
            continue
        decisions = [pm.scheduled[o.id], pm.start[o.id], *pm.at[o.id].values(), *pm.pick[o.id].values()]
        for var in decisions:
            domain = variables[var.index].domain
            domain.clear()
            domain.extend([values[var.index], values[var.index]])
    return Neighbourhood(model, None, None)


def flatten(expr) -> tuple[list[int], list[int], int]:
    """A linear expression (or a constant) as variable indexes, coefficients and offset."""
    if isinstance(expr, int):
        return [], [], expr
    flat = cp_model_helper.FlatIntExpr(expr)
    return [v.index for v in flat.vars], list(flat.coeffs), flat.offset


class Pieces:
    """The model's variables and constraints sorted by the occurrences they belong to, with the
    current plan's values; ``model(free)`` makes the small model of a neighbourhood."""

    def __init__(self, pm, values: list[int]):
        proto = pm.model.proto
        self.proto, self.instance = proto, pm.instance
        self.variables: dict[str, list[int]] = defaultdict(list)
        self.constraints: dict[str, list[int]] = defaultdict(list)
        self.owners: list[tuple[str, ...]] = [()] * len(proto.variables)
        constraint_owners: list[tuple[str, ...]] = [()] * len(proto.constraints)
        self.links: dict[str, set[str]] = defaultdict(set)  # occurrence -> those it shares a constraint with
        for v0, v1, c0, c1, owners in pm.spans:
            for oid in owners:
                self.variables[oid].extend(range(v0, v1))
                self.constraints[oid].extend(range(c0, c1))
                if len(owners) > 1:
                    self.links[oid].update(o for o in owners if o != oid)
            self.owners[v0:v1] = [owners] * (v1 - v0)
            constraint_owners[c0:c1] = [owners] * (c1 - c0)
        self.always: list[int] = []
        self.scheduling: dict[str, list[int]] = defaultdict(list)  # occurrence -> shared no-overlaps
        self._listed: dict[int, list[int]] = {}  # shared no-overlap or cumulative -> its intervals
        self._no_overlaps: set[int] = set()  # those of them that are no-overlaps
        for c, owners in enumerate(constraint_owners):
            if owners:
                continue
            ct = proto.constraints[c]
            if ct.has_interval():
                continue  # an unowned interval (blocked days) is kept where a kept no-overlap lists it
            if ct.has_no_overlap() or ct.has_cumulative():
                if ct.has_no_overlap():
                    self._no_overlaps.add(c)
                    intervals = self._listed[c] = list(ct.no_overlap.intervals)
                else:
                    intervals = self._listed[c] = list(ct.cumulative.intervals)
                for oid in sorted({o for i in intervals for o in constraint_owners[i]}):
                    self.scheduling[oid].append(c)
            else:
                self.always.append(c)
        self._decoded: dict[int, tuple] = {}  # constraint -> ``decoded``
        # interval -> (literal, start's terms, offset, size): as the rules made them, where known
        self._shapes: dict[int, tuple | None] = dict(pm.interval_shapes)
        self._sums: dict[int, SharedSum] = {
            c: SharedSum(proto.constraints[c].linear, self.owners)
            for c in self.always
            if proto.constraints[c].has_linear()
        }
        self.values: list[int] = []
        self.update([], values)

    def update(self, occurrences: list[str], values: list[int]) -> None:
        """The plan is now ``values``, changed only in these occurrences' variables."""
        old, self.values = self.values, values
        if not old:
            self._days: dict[int, object] = {}  # interval -> its days in the plan (``_now``)
            self._present: dict[int, tuple] = {}  # no-overlap or cumulative -> ``_present_in``
        for oid in occurrences:
            for c in self.constraints.get(oid, ()):
                self._days.pop(c, None)
            for c in self.scheduling.get(oid, ()):
                self._present.pop(c, None)
        for shared in self._sums.values():
            shared.update(occurrences, old, values)

    def model(self, free: list[str], zero: set[int] = frozenset()) -> Neighbourhood:
        """The model of the neighbourhood where ``free`` are the freed occurrences (their variables
        in ``zero`` held at 0)."""
        builder = Builder(self, {v for oid in free for v in self.variables.get(oid, ())}, zero)
        for v in sorted(builder.freed):
            builder.variable(v)
        kept: set[int] = set()
        scheduling: set[int] = set()
        for oid in free:
            kept.update(self.constraints.get(oid, ()))
            scheduling.update(self.scheduling.get(oid, ()))
        # A no-overlap keeps the intervals of freed occurrences, and the intervals present in the
        # plan on days a freed one can reach: the others constrain nothing a freed one can do.
        reach = self._reach(free)
        listed = {c: self._near(c, kept, reach) for c in scheduling}
        for i in sorted({i for entries in listed.values() for _k, i in entries}):
            if i in kept or self._now(i) is OTHER:
                builder.interval(i)
        for c in sorted(kept):
            builder.constraint(c)
        for c in self.always:
            if c in self._sums:
                builder.shared_sum(self._sums[c], free)
            else:
                builder.constraint(c)
        for c in sorted(scheduling):
            builder.scheduling(c, [(k, i, None if i in builder.intervals else self._now(i)) for k, i in listed[c]])
        return Neighbourhood(builder.model, builder.originals, builder.index, len(builder.freed))

    # -- neighbourhoods solved at the same time ---------------------------------------------------

    def no_overlaps(self, oid: str) -> set[int]:
        """The shared no-overlaps (a venue's, a person's days) an occurrence takes part in."""
        return {c for c in self.scheduling.get(oid, ()) if c in self._no_overlaps}

    def compatible(self, free: list[str], values: list[int]) -> bool:
        """Whether ``values``, the current plan with a neighbourhood's solution for ``free`` put in,
        keeps the constraints that neighbourhood could share with one solved beside it from the
        same plan and already put in: the cumulatives (the team's load) and the constraints on the
        whole plan (the budget caps). Two neighbourhoods solved together share no occurrence, no
        constraint tag and no no-overlap (``Neighbourhoods._gather``), so nothing else can clash."""
        cumulatives = {c for oid in free for c in self.scheduling.get(oid, ()) if c not in self._no_overlaps}
        if not all(self._fits(c, values) for c in sorted(cumulatives)):
            return False
        for c in self.always:
            shared = self._sums.get(c)
            if shared is None:
                return False  # no rule makes such a constraint: never put two solutions together
            total = shared.total + sum(
                shared.group_sum(key, values) - shared.group_sum(key, self.values) for key in shared.freed(free)
            )
            if not any(lo <= total <= hi for lo, hi in zip(shared.domain[::2], shared.domain[1::2], strict=True)):
                return False
        return True

    def _fits(self, c: int, values: list[int]) -> bool:
        """A cumulative holds in ``values``: on no day do the present intervals' demands pass its capacity."""
        ct = self.proto.constraints[c].cumulative
        capacity = evaluate(ct.capacity, values)
        steps: dict[int, int] = defaultdict(int)
        for k, i in enumerate(self._intervals(c)):
            shape = self.shape(i)
            if shape is None:
                return False  # another shape than the rules make: not checked here, so not allowed
            if shape[0] is not None and not is_true(shape[0], values):
                continue
            first, last = self._span(i, values)
            demand = evaluate(ct.demands[k], values)
            steps[first] += demand
            steps[last + 1] -= demand
        load = 0
        for day in sorted(steps):
            load += steps[day]
            if load > capacity:
                return False
        return True

    def _intervals(self, c: int) -> list[int]:
        """The intervals of a shared no-overlap or cumulative, in its order."""
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

    def decoded(self, c: int) -> tuple:
        """Constraint ``c`` of the whole model as plain values (``assemble.decode``), read once."""
        out = self._decoded.get(c)
        if out is None:
            out = self._decoded[c] = decode(self.proto.constraints[c])
        return out

    def shape(self, interval: int) -> tuple | None:
        """(presence literal or None, start's variables, their coefficients, start's offset, size)
        of an interval as the rules make them (a constant size, at most one literal); else None."""
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
        return self._shapes[interval]

    def _span(self, interval: int, values: list[int] | None = None) -> tuple[int, int] | None:
        """The first and last day of an interval present in the current plan (or in ``values``;
        None: another shape)."""
        shape = self.shape(interval)
        if shape is None:
            return None
        _literal, variables, coefficients, offset, size = shape
        values = self.values if values is None else values
        first = offset + sum(c * values[v] for v, c in zip(variables, coefficients, strict=True))
        return first, first + size - 1

    def _now(self, interval: int):
        """The first and last day of an interval in the current plan: None where it is absent,
        ``OTHER`` where it has another shape than the rules make (remembered until its
        occurrence changes)."""
        days = self._days.get(interval, _UNKNOWN)
        if days is _UNKNOWN:
            shape = self.shape(interval)
            if shape is None:
                days = OTHER
            elif shape[0] is not None and not is_true(shape[0], self.values):
                days = None
            else:
                days = self._span(interval)
            self._days[interval] = days
        return days

    def _near(self, c: int, kept: set[int], reach: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """(position, interval) of the intervals of a no-overlap or cumulative that a neighbourhood
        keeps: those of freed occurrences (in ``kept``), those present in the current plan (a fixed
        one always is) on a day in ``reach``, and any of another shape than the rules make."""
        intervals = self._intervals(c)
        firsts, rows, longest, other = self._present_in(c)
        positions = {k for k, i in enumerate(intervals) if i in kept}
        positions.update(other)
        for lo, hi in reach:
            # Present from ``first`` to ``last``: it meets [lo, hi] when first <= hi and last >= lo,
            # so first >= lo - longest.
            for _first, last, k in rows[bisect.bisect_left(firsts, lo - longest) : bisect.bisect_right(firsts, hi)]:
                if last >= lo:
                    positions.add(k)
        return [(k, intervals[k]) for k in sorted(positions)]

    def _present_in(self, c: int) -> tuple:
        """A no-overlap's or cumulative's intervals present in the current plan, by first day:
        (their first days, (first, last, position) each, the longest's length - 1, the positions of
        those of another shape); remembered until one of its occurrences changes."""
        present = self._present.get(c)
        if present is None:
            rows, other = [], []
            for k, i in enumerate(self._intervals(c)):
                days = self._now(i)
                if days is OTHER:
                    other.append(k)
                elif days is not None:
                    rows.append((*days, k))
            rows.sort()
            longest = max((last - first for first, last, _k in rows), default=0)
            present = self._present[c] = ([row[0] for row in rows], rows, longest, other)
        return present


OTHER = object()  # an interval of another shape (``Pieces._now``)
_UNKNOWN = object()
