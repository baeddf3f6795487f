"""Small models for focused neighbourhoods: the freed occurrences' part of the model, the rest constant.

A neighbourhood frees a few occurrences of the current plan and keeps everything else where it is.
Doing that on a clone of the whole model (every other decision fixed) leaves CP-SAT to load and
presolve the whole model each time: about 30 s at 300,000 variables, for a problem of a few dozen
occurrences; with the other variables merely fixed, still about 5 s. Here the model of a
neighbourhood holds only what can change:

- the variables that belong to a freed occurrence, with their domains; a variable of another
  occurrence only where a constraint needs it as a literal, fixed to its value in the current plan;
- the constraints that belong to a freed occurrence (each constraint is tagged, when the rules make
  it, with every occurrence whose variables it uses: ``PlanModel.owned``);
- the shared constraints: a no-overlap or cumulative (a venue's days, a person's days, the team's
  load) where one of its intervals belongs to a freed occurrence, with the intervals of freed
  occurrences and those present in the plan on days a freed one can reach; the budget caps always.
  The intervals that stay are constants: in the team's load, one interval per step of their load.

The rules make linear, Boolean, ``lin_max``, interval, no-overlap and cumulative constraints; a
constraint of another kind stops a neighbourhood with ``NotImplementedError`` (tests/test_submodel.py
builds models with every rule and reads every constraint back).

In linear constraints and expressions (the budget caps, interval bounds, demands) the variables of
occurrences that are not freed are replaced by their values; a constraint whose literals make it
inactive in the current plan, or whose terms all became constants, is left out (it holds, since the
current plan is a plan). A constraint left out because none of its owners is freed uses only
variables that keep their values, so a solution of the small model, with every other variable at its
current value, is a plan of the whole model.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict

from ortools.sat.python import cp_model, cp_model_helper

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class Neighbourhood:
    """The small model of one neighbourhood and where its variables come from."""

    def __init__(self, model: cp_model.CpModel, originals: list[int] | None, index: dict[int, int] | None):
        self.model = model
        self.originals = originals  # the whole model's index of each variable here (None: the same)
        self.index = index  # and back

    def minimize(self, flat: tuple[list[int], list[int], int]) -> None:
        """Minimise a linear expression of the whole model (flattened: ``flatten``); its terms on
        variables that are not here are constants."""
        objective = self.model.proto.objective
        for v, c in zip(*flat[:2], strict=True):
            if self.index is None or v in self.index:
                objective.vars.append(v if self.index is None else self.index[v])
                objective.coeffs.append(c)

    def hint(self, values: list[int]) -> None:
        hint = self.model.proto.solution_hint
        if self.originals is None:
            hint.vars.extend(range(len(values)))
            hint.values.extend(values)
            return
        hint.vars.extend(range(len(self.originals)))
        hint.values.extend(values[v] for v in self.originals)

    def merged(self, values: list[int], solution) -> list[int]:
        """The whole model's values: the current plan's, with this model's solution in its part."""
        if self.originals is None:
            return list(solution)
        out = list(values)
        for n, v in enumerate(self.originals):
            out[v] = solution[n]
        return out


def whole(pm, values: list[int], free: list[str]) -> Neighbourhood:
    """The neighbourhood as the whole model with the decisions of every other occurrence (held,
    start, venue, seat holders) fixed: CP-SAT's presolve removes the rest at once on models up to
    about 100,000 variables, sooner than a small model is put together here in Python (140
    occurrences: 0.03 s against 1 s)."""
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
        for v0, v1, c0, c1, owners in pm.spans:
            for oid in owners:
                self.variables[oid].extend(range(v0, v1))
                self.constraints[oid].extend(range(c0, c1))
            self.owners[v0:v1] = [owners] * (v1 - v0)
            constraint_owners[c0:c1] = [owners] * (c1 - c0)
        self.always: list[int] = []
        self.scheduling: dict[str, list[int]] = defaultdict(list)  # occurrence -> shared no-overlaps
        for c, owners in enumerate(constraint_owners):
            if owners:
                continue
            ct = proto.constraints[c]
            if ct.has_interval():
                continue  # an unowned interval (blocked days) is kept where a kept no-overlap lists it
            if ct.has_no_overlap() or ct.has_cumulative():
                intervals = ct.no_overlap.intervals if ct.has_no_overlap() else ct.cumulative.intervals
                for oid in sorted({o for i in intervals for o in constraint_owners[i]}):
                    self.scheduling[oid].append(c)
            else:
                self.always.append(c)
        self._listed: dict[int, list[int]] = {}
        self._shapes: dict[int, tuple | None] = {}  # interval -> (literal, start's terms, offset, size)
        self._sums: dict[int, _SharedSum] = {
            c: _SharedSum(proto.constraints[c].linear, self.owners)
            for c in self.always
            if proto.constraints[c].has_linear()
        }
        self.values: list[int] = []
        self.update([], values)

    def update(self, occurrences: list[str], values: list[int]) -> None:
        """The plan is now ``values``, changed only in these occurrences' variables."""
        old, self.values = self.values, values
        for shared in self._sums.values():
            shared.update(occurrences, old, values)

    def model(self, free: list[str]) -> Neighbourhood:
        """The model of the neighbourhood where ``free`` are the freed occurrences."""
        builder = _Builder(self, {v for oid in free for v in self.variables.get(oid, ())})
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
        listed = {
            c: [(k, i) for k, i in enumerate(self._intervals(c)) if i in kept or self._meets(i, reach)]
            for c in scheduling
        }
        for i in sorted({i for entries in listed.values() for _k, i in entries}):
            if i in kept or self._span(i) is None:
                builder.interval(i)
        for c in sorted(kept):
            builder.constraint(c)
        for c in self.always:
            if c in self._sums:
                builder.shared_sum(self._sums[c], free)
            else:
                builder.constraint(c)
        for c in sorted(scheduling):
            builder.scheduling(c, [(k, i, None if i in builder.intervals else self._span(i)) for k, i in listed[c]])
        return Neighbourhood(builder.model, builder.originals, builder.index)

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

    def _span(self, interval: int) -> tuple[int, int] | None:
        """The first and last day of an interval present in the current plan (None: another shape)."""
        shape = self.shape(interval)
        if shape is None:
            return None
        _literal, variables, coefficients, offset, size = shape
        values = self.values
        first = offset + sum(c * values[v] for v, c in zip(variables, coefficients, strict=True))
        return first, first + size - 1

    def _meets(self, interval: int, reach: list[tuple[int, int]]) -> bool:
        """The interval is present in the current plan (a fixed one always is) on a day in
        ``reach``; an interval of another shape than the rules make is always kept."""
        shape = self.shape(interval)
        if shape is None:
            return True
        literal = shape[0]
        if literal is not None and not _true(literal, self.values):
            return False
        first, last = self._span(interval)
        at = bisect.bisect_right(reach, (last, math.inf)) - 1
        return at >= 0 and reach[at][1] >= first


class _SharedSum:
    """A linear constraint over every occurrence (a budget cap), its terms grouped by owners, with
    the sum of its terms in the current plan kept up to date: a neighbourhood takes the freed
    groups' terms and the rest as one constant, without going over every term."""

    def __init__(self, linear, owners: list[tuple[str, ...]]):
        self.domain = list(linear.domain)
        self.groups: dict[tuple[str, ...], tuple[list[int], list[int]]] = {}
        for v, c in zip(linear.vars, linear.coeffs, strict=True):
            group = self.groups.setdefault(owners[v], ([], []))
            group[0].append(v)
            group[1].append(c)
        self.by_occurrence: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for key in self.groups:
            for oid in key:
                self.by_occurrence[oid].append(key)
        self.total = 0

    def freed(self, free: list[str]) -> list[tuple[str, ...]]:
        return sorted({key for oid in free for key in self.by_occurrence.get(oid, ())})

    def group_sum(self, key, values: list[int]) -> int:
        variables, coefficients = self.groups[key]
        return sum(c * values[v] for v, c in zip(variables, coefficients, strict=True))

    def update(self, occurrences: list[str], old: list[int], values: list[int]) -> None:
        if not old:
            self.total = sum(self.group_sum(key, values) for key in self.groups)
            return
        for key in self.freed(occurrences):
            self.total += self.group_sum(key, values) - self.group_sum(key, old)


class _Builder:
    """Puts a neighbourhood's model together, variable by variable and constraint by constraint."""

    def __init__(self, pieces: Pieces, freed: set[int]):
        self.pieces, self.freed, self.values = pieces, freed, pieces.values
        self.source = pieces.proto
        self.model = cp_model.CpModel()
        self.proto = self.model.proto
        self.originals: list[int] = []
        self.index: dict[int, int] = {}
        self.intervals: dict[int, int | None] = {}  # the whole model's interval -> here (None: absent)
        self.constants: dict[tuple[int, int], int] = {}  # (first, last day) -> a constant interval here

    def variable(self, v: int) -> int:
        """This model's index of the whole model's variable ``v`` (added on first use: with its
        domain if freed, else fixed to its value)."""
        n = self.index.get(v)
        if n is None:
            n = self.index[v] = len(self.originals)
            self.originals.append(v)
            domain = self.proto.variables.add().domain
            if v in self.freed:
                domain.extend(self.source.variables[v].domain)
            else:
                domain.extend([self.values[v], self.values[v]])
        return n

    def literal(self, ref: int) -> int:
        n = self.variable(_variable(ref))
        return n if ref >= 0 else -n - 1

    def enforcement(self, ct) -> list[int] | None:
        """The enforcement literals that stay (those of freed variables), or None when one of the
        others is false in the current plan: the constraint is then inactive and left out."""
        out = []
        for ref in ct.enforcement_literal:
            if _variable(ref) in self.freed:
                out.append(self.literal(ref))
            elif not _true(ref, self.values):
                return None
        return out

    def expression(self, source, target) -> None:
        """Copies a linear expression with the terms of fixed variables made constants."""
        offset = source.offset
        for v, c in zip(source.vars, source.coeffs, strict=True):
            if v in self.freed:
                target.vars.append(self.variable(v))
                target.coeffs.append(c)
            else:
                offset += c * self.values[v]
        target.offset = offset

    def interval(self, i: int) -> None:
        ct = self.source.constraints[i]
        enforcement = self.enforcement(ct)
        if enforcement is None:
            self.intervals[i] = None
            return
        self.intervals[i] = len(self.proto.constraints)
        new = self.proto.constraints.add()
        new.name = ct.name
        new.enforcement_literal.extend(enforcement)
        for part in ("start", "end", "size"):
            self.expression(getattr(ct.interval, part), getattr(new.interval, part))

    def constraint(self, c: int) -> None:
        ct = self.source.constraints[c]
        if ct.has_interval():
            return  # an interval no kept no-overlap lists: it constrains nothing here
        enforcement = self.enforcement(ct)
        if enforcement is None:
            return
        if ct.has_linear():
            variables, coefficients, constant = [], [], 0
            for v, k in zip(ct.linear.vars, ct.linear.coeffs, strict=True):
                if v in self.freed:
                    variables.append(v)
                    coefficients.append(k)
                else:
                    constant += k * self.values[v]
            self._linear(variables, coefficients, constant, list(ct.linear.domain), enforcement, f"constraint {c}")
            return
        new = self.proto.constraints.add()
        new.enforcement_literal.extend(enforcement)
        if ct.has_lin_max():
            self.expression(ct.lin_max.target, new.lin_max.target)
            for expr in ct.lin_max.exprs:
                self.expression(expr, new.lin_max.exprs.add())
            return
        for kind in ("bool_and", "bool_or", "at_most_one", "exactly_one"):
            if getattr(ct, f"has_{kind}")():
                getattr(new, kind).literals.extend(self.literal(ref) for ref in getattr(ct, kind).literals)
                return
        raise NotImplementedError(f"constraint {c}: {ct}")

    def shared_sum(self, shared: _SharedSum, free: list[str]) -> None:
        variables, coefficients, constant = [], [], shared.total
        for key in shared.freed(free):
            constant -= shared.group_sum(key, self.values)
            group_variables, group_coefficients = shared.groups[key]
            variables += group_variables
            coefficients += group_coefficients
        self._linear(variables, coefficients, constant, shared.domain, [], "a budget cap")

    def _linear(self, variables, coefficients, constant: int, domain: list[int], enforcement, where) -> None:
        """Adds sum(coefficients * variables) + constant in domain, under the enforcement."""
        shifted = [b if b in (INT64_MIN, INT64_MAX) else b - constant for b in domain]
        if not variables:
            if not any(lo <= 0 <= hi for lo, hi in zip(shifted[::2], shifted[1::2], strict=True)):
                self._never(enforcement, where)
            return  # else it holds whatever the freed variables do
        new = self.proto.constraints.add()
        new.enforcement_literal.extend(enforcement)
        new.linear.vars.extend(self.variable(v) for v in variables)
        new.linear.coeffs.extend(coefficients)
        new.linear.domain.extend(shifted)

    def _never(self, enforcement: list[int], where) -> None:
        """The enforcement literals cannot all be true (with none: the current plan is not a plan)."""
        if not enforcement:
            raise AssertionError(f"the current plan breaks {where}")
        self.proto.constraints.add().bool_or.literals.extend(-lit - 1 for lit in enforcement)

    def scheduling(self, c: int, listed: list[tuple[int, int, tuple[int, int] | None]]) -> None:
        """A no-overlap or cumulative with the listed intervals: (position in the original, the
        interval, its days if it is constant here, else None). The constant intervals (blocked
        days, occurrences that are not freed) become plain intervals of those days; in a
        cumulative, one interval per step of the load they make together.

        (Keeping the freed intervals off the constant ones through the domains of their starts
        instead, with no-overlaps among the freed ones only, made CP-SAT's work per solve twice
        as large on the 140-occurrence benchmark and no faster on the 2,000-occurrence one.)"""
        ct = self.source.constraints[c]
        constant = [(k, days) for k, _i, days in listed if days is not None]
        variable = [(k, i) for k, i, days in listed if days is None and self.intervals[i] is not None]
        if ct.has_no_overlap():
            if variable and len(variable) + len(constant) > 1:
                members = [self.intervals[i] for _k, i in variable]
                members += [self.constant_interval(*days) for _k, days in constant]
                self.proto.constraints.add().no_overlap.intervals.extend(members)
            return
        new = self.proto.constraints.add()
        demands = ct.cumulative.demands  # the original's: kept as they are
        self.expression(ct.cumulative.capacity, new.cumulative.capacity)
        for k, i in variable:
            new.cumulative.intervals.append(self.intervals[i])
            self.expression(demands[k], new.cumulative.demands.add())
        steps: dict[int, int] = defaultdict(int)
        for k, (first, last) in constant:
            demand = demands[k]
            if any(v in self.freed for v in demand.vars):
                raise NotImplementedError(f"constraint {c}: a freed demand on a constant interval")
            load = demand.offset + sum(c * self.values[v] for v, c in zip(demand.vars, demand.coeffs, strict=True))
            steps[first] += load
            steps[last + 1] -= load
        level, since = 0, None
        for day in sorted(steps):
            if level and since is not None:
                new.cumulative.intervals.append(self.constant_interval(since, day - 1))
                new.cumulative.demands.add().offset = level
            level += steps[day]
            since = day

    def constant_interval(self, first: int, last: int) -> int:
        """An interval from ``first`` to ``last`` (days, both included); its index, made once."""
        n = self.constants.get((first, last))
        if n is None:
            n = self.constants[(first, last)] = len(self.proto.constraints)
            interval = self.proto.constraints.add().interval
            interval.start.offset, interval.size.offset, interval.end.offset = first, last - first + 1, last + 1
        return n


def _variable(ref: int) -> int:
    return ref if ref >= 0 else -ref - 1


def _true(ref: int, values: list[int]) -> bool:
    return bool(values[ref]) if ref >= 0 else not values[-ref - 1]
