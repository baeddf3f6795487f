"""Putting a neighbourhood's small model together, constraint by constraint (``submodel.Pieces``
decides what goes in; this module copies it with the variables that stay replaced by their values).
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class SharedSum:
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


class Builder:
    """Puts a neighbourhood's model together, variable by variable and constraint by constraint."""

    def __init__(self, pieces, freed: set[int], zero: set[int] = frozenset()):
        self.pieces, self.freed, self.values, self.zero = pieces, freed, pieces.values, zero
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
            if v in self.zero:
                domain.extend([0, 0])
            elif v in self.freed:
                domain.extend(self.source.variables[v].domain)
            else:
                domain.extend([self.values[v], self.values[v]])
        return n

    def literal(self, ref: int) -> int:
        n = self.variable(variable_of(ref))
        return n if ref >= 0 else -n - 1

    def enforcement(self, refs) -> list[int] | None:
        """The enforcement literals that stay (those of freed variables), or None when one of the
        others is false in the current plan: the constraint is then inactive and left out."""
        out = []
        for ref in refs:
            if variable_of(ref) in self.freed:
                out.append(self.literal(ref))
            elif not is_true(ref, self.values):
                return None
        return out

    def expression(self, source: tuple, target) -> None:
        """Copies a linear expression (``decoded``: variables, coefficients, offset) with the terms
        of fixed variables made constants."""
        variables, coefficients, offset = source
        for v, c in zip(variables, coefficients, strict=True):
            if v in self.freed:
                target.vars.append(self.variable(v))
                target.coeffs.append(c)
            else:
                offset += c * self.values[v]
        target.offset = offset

    def interval(self, i: int) -> None:
        _kind, refs, parts = self.pieces.decoded(i)
        enforcement = self.enforcement(refs)
        if enforcement is None:
            self.intervals[i] = None
            return
        self.intervals[i] = len(self.proto.constraints)
        new = self.proto.constraints.add()
        new.enforcement_literal.extend(enforcement)
        for part, source in zip((new.interval.start, new.interval.end, new.interval.size), parts, strict=True):
            self.expression(source, part)

    def constraint(self, c: int) -> None:
        kind, refs, body = self.pieces.decoded(c)
        if kind == "interval":
            return  # an interval no kept no-overlap lists: it constrains nothing here
        if kind not in ("linear", "lin_max", *BOOLEAN_KINDS):
            raise NotImplementedError(f"constraint {c}: {self.source.constraints[c]}")
        enforcement = self.enforcement(refs)
        if enforcement is None:
            return
        if kind == "linear":
            variables, coefficients, constant = [], [], 0
            for v, k in zip(*body[:2], strict=True):
                if v in self.freed:
                    variables.append(v)
                    coefficients.append(k)
                else:
                    constant += k * self.values[v]
            self._linear(variables, coefficients, constant, body[2], enforcement, f"constraint {c}")
            return
        new = self.proto.constraints.add()
        new.enforcement_literal.extend(enforcement)
        if kind == "lin_max":
            target, exprs = body
            self.expression(target, new.lin_max.target)
            for expr in exprs:
                self.expression(expr, new.lin_max.exprs.add())
            return
        getattr(new, kind).literals.extend(self.literal(ref) for ref in body)

    def shared_sum(self, shared: SharedSum, free: list[str]) -> None:
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

        Constant intervals are kept as intervals, not folded into the freed starts' domains:
        that made CP-SAT's work larger (benchmarks/README.md, third round)."""
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
        self.expression(_expression(ct.cumulative.capacity), new.cumulative.capacity)
        for k, i in variable:
            new.cumulative.intervals.append(self.intervals[i])
            self.expression(_expression(demands[k]), new.cumulative.demands.add())
        steps: dict[int, int] = defaultdict(int)
        for k, (first, last) in constant:
            demand = demands[k]
            if any(v in self.freed for v in demand.vars):
                raise NotImplementedError(f"constraint {c}: a freed demand on a constant interval")
            load = evaluate(demand, self.values)
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


BOOLEAN_KINDS = ("bool_and", "bool_or", "at_most_one", "exactly_one")


def decode(ct) -> tuple:
    """A constraint of the proto as plain Python values, read once: ``(kind, enforcement literals,
    body)``; reading the proto through its Python wrapper costs a call per field and per element,
    and a neighbourhood's model copies thousands of constraints, the same ones again and again.
    Bodies: an interval's (start, end, size) expressions, a linear's (variables, coefficients,
    domain), a lin_max's (target, expressions), a Boolean constraint's literals; another kind's
    None (``Builder`` refuses it)."""
    refs = list(ct.enforcement_literal)
    if ct.has_interval():
        parts = (ct.interval.start, ct.interval.end, ct.interval.size)
        return "interval", refs, tuple(_expression(e) for e in parts)
    if ct.has_linear():
        return "linear", refs, (list(ct.linear.vars), list(ct.linear.coeffs), list(ct.linear.domain))
    if ct.has_lin_max():
        return "lin_max", refs, (_expression(ct.lin_max.target), [_expression(e) for e in ct.lin_max.exprs])
    for kind in BOOLEAN_KINDS:
        if getattr(ct, f"has_{kind}")():
            return kind, refs, list(getattr(ct, kind).literals)
    return "other", refs, None


def _expression(expr) -> tuple[list[int], list[int], int]:
    return list(expr.vars), list(expr.coeffs), expr.offset


def evaluate(expr, values: list[int]) -> int:
    """A linear expression of the proto (start, size, demand, capacity) in ``values``."""
    return expr.offset + sum(c * values[v] for v, c in zip(expr.vars, expr.coeffs, strict=True))


def variable_of(ref: int) -> int:
    """The variable of a literal (a negative reference is the negation of variable -ref - 1)."""
    return ref if ref >= 0 else -ref - 1


def is_true(ref: int, values: list[int]) -> bool:
    """Whether a literal is true in ``values``."""
    return bool(values[ref]) if ref >= 0 else not values[-ref - 1]
