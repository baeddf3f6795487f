"""Decision variables of the plan, keyed by domain ids, created in sorted order for reproducibility.

For every occurrence ``o``: ``scheduled[o]``, ``start[o]`` (a day index), ``at[o][v]`` (held at
venue ``v``). For every seat group and candidate: ``pick[o][(g, p)]``; ``attends[o][p]`` is true
when ``p`` fills any seat of ``o``. Fixed attendees need no variable: they attend exactly when
``o`` is scheduled. ``attend_at(o, p, v)`` is the literal "p is at o, held at v", the one that
costs and away days hang on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.model.costs import add_cost_expressions
from scheduler.model.instance import Instance, Occurrence


@dataclass
class Guards:
    """Assumption literals that switch rule instances on, for explaining infeasibility.

    Outside ``explain`` no guard exists and every rule is unconditional. With ``enabled``, each
    ``(rule, key)`` gets one literal the first time it is asked for; ``scheduler.explain`` makes
    them assumptions and reads back which of them cannot hold together."""

    enabled: bool = False
    literals: dict[tuple, cp_model.IntVar] = field(default_factory=dict)

    def __call__(self, model: cp_model.CpModel, rule: str, *key) -> list:
        if not self.enabled:
            return []
        full = (rule, *key)
        if full not in self.literals:
            self.literals[full] = model.new_bool_var("guard_" + "_".join(map(str, full)))
        return [self.literals[full]]


class PlanModel:
    def __init__(self, instance: Instance, guards: Guards | None = None):
        self.instance = instance
        self.model = cp_model.CpModel()
        self.guards = guards or Guards()
        self.scheduled: dict[str, cp_model.IntVar] = {}
        self.start: dict[str, cp_model.IntVar] = {}
        self.at: dict[str, dict[str, cp_model.IntVar]] = {}
        self.pick: dict[str, dict[tuple[int, str], cp_model.IntVar]] = {}
        self.attends: dict[str, dict[str, cp_model.IntVar]] = {}
        self._attend_at: dict[tuple[str, str, str], cp_model.IntVar] = {}
        self._or_cache: dict[tuple, cp_model.IntVar] = {}
        self.occurrence_cost: dict[str, cp_model.LinearExpr] = {}
        self.occurrence_cost_bound: dict[str, int] = {}  # the sum of every term: no plan costs more
        self.category_cost: dict[str, cp_model.LinearExpr] = {}
        self.seat_cost: dict[tuple[str, int], list] = {}  # (occurrence, seat group) -> cost terms in cents
        self.year_cost: dict[int, cp_model.LinearExpr] = {}  # filled by the budget rule where years are capped
        # What belongs to which occurrences: (first variable, end, first constraint, end, owners)
        # per run of variables and constraints made inside ``owned`` (focused neighbourhoods).
        self.spans: list[tuple[int, int, int, int, tuple[str, ...]]] = []
        # Interval constraint -> (presence literal or None, start's variables, their coefficients,
        # start's offset, size), kept as the rules make them (``interval``): reading them back
        # through the proto's Python wrapper is slow on large models.
        self.interval_shapes: dict[int, tuple] = {}
        self._owners: tuple[str, ...] = ()
        self._marks = (0, 0)
        self._create_variables()
        add_cost_expressions(self)

    @contextmanager
    def owned(self, *occurrences: str) -> Iterator[None]:
        """Tag every variable and constraint made inside as belonging to these occurrences (with
        those of an enclosing ``owned``). A rule must tag a constraint with every occurrence whose
        variables it uses: ``submodel.py`` leaves out a constraint when none of its owners is
        freed, and relies on its variables then all keeping their values. Constraints made
        outside (budget caps, no-overlaps over many occurrences) are shared."""
        outer = self._owners
        self._close_span()
        self._owners = tuple(sorted({*outer, *occurrences}))
        try:
            yield
        finally:
            self._close_span()
            self._owners = outer

    def _close_span(self) -> None:
        proto = self.model.proto
        ends = (len(proto.variables), len(proto.constraints))
        if self._owners and ends != self._marks:
            self.spans.append((self._marks[0], ends[0], self._marks[1], ends[1], self._owners))
        self._marks = ends

    def interval(
        self, start: cp_model.IntVar | None, offset: int, size: int, presence: cp_model.IntVar | None, name: str
    ) -> cp_model.IntervalVar:
        """An interval of ``size`` days from ``start + offset`` (from day ``offset`` where ``start``
        is None), present where ``presence`` is true (always where it is None); its shape kept in
        ``interval_shapes``."""
        m = self.model
        begin = offset if start is None else start + offset
        if presence is None:
            made = m.new_fixed_size_interval_var(begin, size, name)
        else:
            made = m.new_optional_fixed_size_interval_var(begin, size, presence, name)
        terms = ([], []) if start is None else ([start.index], [1])
        self.interval_shapes[made.index] = (None if presence is None else presence.index, *terms, offset, size)
        return made

    def remembered(self, key: tuple, make):
        """What ``make()`` gives, made once per model under ``key``: literals that several rules or
        objectives share (the same start day, a local or travelling attendance)."""
        found = self._or_cache.get(key)
        if found is None:
            found = self._or_cache[key] = make()
        return found

    def guard(self, rule: str, *key) -> list:
        return self.guards(self.model, rule, *key)

    # -- variables --------------------------------------------------------------------------------

    def _create_variables(self) -> None:
        m, inst = self.model, self.instance
        for o in inst.occurrences:
            with self.owned(o.id):
                self.scheduled[o.id] = m.new_bool_var(f"scheduled_{o.id}")
                self.start[o.id] = m.new_int_var(0, inst.horizon - 1, f"start_{o.id}")
                self.at[o.id] = {v: m.new_bool_var(f"at_{o.id}_{v}") for v in o.event.venues}
                m.add(sum(self.at[o.id].values()) == self.scheduled[o.id])
                self.pick[o.id] = {}
                for g, group in enumerate(o.seat_groups):
                    for p in group.candidates:
                        self.pick[o.id][(g, p)] = m.new_bool_var(f"pick_{o.id}_{g}_{p}")
                by_person: dict[str, list] = defaultdict(list)
                for (_group, p), lit in self.pick[o.id].items():
                    by_person[p].append(lit)
                self.attends[o.id] = {}
                for p in sorted(by_person):
                    lits = by_person[p]
                    if len(lits) == 1:
                        self.attends[o.id][p] = lits[0]
                    else:
                        # Rule 4 (in part): one person fills at most one seat of an occurrence.
                        attends = m.new_bool_var(f"attends_{o.id}_{p}")
                        m.add(sum(lits) == attends)
                        self.attends[o.id][p] = attends
                # A stable start day for an occurrence that is not scheduled, so no two plans differ
                # only there.
                m.add(self.start[o.id] == 0).only_enforce_if(~self.scheduled[o.id])

    def attend_at(self, o: Occurrence, person: str, venue: str) -> cp_model.IntVar:
        """The literal "person attends o, and o is held at venue"."""
        if person in o.fixed or person not in self.attends[o.id]:
            return self.at[o.id][venue]
        if len(o.event.venues) == 1:
            return self.attends[o.id][person]
        key = (o.id, person, venue)
        if key not in self._attend_at:
            self._create_attend_at(o, person)
        return self._attend_at[key]

    def _create_attend_at(self, o: Occurrence, person: str) -> None:
        m = self.model
        lits = []
        with self.owned(o.id):
            for v in o.event.venues:
                lit = m.new_bool_var(f"attend_{o.id}_{person}_{v}")
                m.add_implication(lit, self.at[o.id][v])
                self._attend_at[(o.id, person, v)] = lit
                lits.append(lit)
            m.add(sum(lits) == self.attends[o.id][person])

    def attends_literal(self, o: Occurrence, person: str) -> cp_model.IntVar:
        return self.scheduled[o.id] if person in o.fixed else self.attends[o.id][person]

    def any_of(self, lits: list, name: str) -> cp_model.IntVar:
        """A literal equal to the sum of ``lits``, of which at most one can be true."""
        if len(lits) == 1:
            return lits[0]
        key = tuple(lit.index for lit in lits)
        if key not in self._or_cache:
            var = self.model.new_bool_var(name)
            self.model.add(sum(lits) == var)
            self._or_cache[key] = var
        return self._or_cache[key]

    def people_of(self, o: Occurrence) -> tuple[str, ...]:
        return (*o.fixed, *o.seat_candidates)

    def at_city(self, o: Occurrence, location: str) -> cp_model.IntVar:
        """The literal "o is held at a venue in ``location``" (the sum of those venue literals)."""
        venues = [v for v in o.event.venues if self.instance.scenario.venues[v].location == location]
        return self.any_of([self.at[o.id][v] for v in venues], f"in_{o.id}_{location}")

    def both(self, a: cp_model.IntVar, b: cp_model.IntVar, name: str) -> cp_model.IntVar:
        """A literal equal to ``a and b``."""
        key = ("and", a.index, b.index)
        if key not in self._or_cache:
            var = self.model.new_bool_var(name)
            self.model.add_bool_and([a, b]).only_enforce_if(var)
            self.model.add_bool_or([~a, ~b, var])
            self._or_cache[key] = var
        return self._or_cache[key]

    @property
    def total_cost(self) -> cp_model.LinearExpr:
        return sum(self.category_cost.values())
