"""Focused neighbourhoods: improve the first plan where it is known to fall short, before CP-SAT.

Every scheduled occurrence costs at least its cheapest way to be held (its cheapest venue and
cheapest seat holders, the calendar aside), every optional one left out loses its priority, and
every day outside ``preferred`` counts. First fit holds most occurrences at that floor; the few
that miss it are where a better plan must differ. For each of them (the largest shortfall first),
the neighbourhood is the occurrence, the rest of its series, and the scheduled occurrences nearest
in time that hold one of its venues or one of its people; everything else is fixed, and CP-SAT
solves the small problem that is left, starting from the current plan, for a fixed deterministic
time. A better plan (in the objective's lexicographic order) is kept.

Why not leave it to CP-SAT's own large-neighbourhood search: its neighbourhoods are random, and
with the whole linear relaxation loaded each one costs seconds of presolve on a large model, while
these are aimed at the shortfall and cost a fraction of that. When every objective reaches its floor the plan is proven optimal
without any further search (``objectives.at_floors``).

On the largest models (beyond ``LARGE`` variables) each neighbourhood is a small model of its own
(``submodel.Pieces``), in which each seat group may pick, besides the people it has now, only the
``CANDIDATES`` others cheapest where the occurrence is cheapest, the least busy first: most
officers of a role and country cost the same, and the model without the rest is much smaller and
solved faster (``choosing``); what stands in the way of a target's options is looked for only
among the people it may pick. With several workers, as many neighbourhoods are solved at once
(each CP-SAT search in a thread of its own), from the same plan: they share no occurrence, no
constraint, no venue and no person, and each result is put in, in order, where it is better and
the plan with it still keeps the team's load and the budget caps.

Deterministic: the order, the neighbourhoods and each solve (one worker, a seed, a deterministic
time limit) depend only on the model, the current plan and the number of workers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.interrupt import solve_all_stoppable
from scheduler.model.instance import Occurrence
from scheduler.model.objectives import weighted
from scheduler.model.planmodel import PlanModel
from scheduler.search.choosing import Choosing
from scheduler.search.occupancy import Occupancy
from scheduler.search.submodel import Pieces, flatten, whole

# Neighbourhood sizes: (competing occurrences freed with each target, occurrences freed together
# in one solve). Up to LARGE variables CP-SAT searches the whole model well: a few larger
# neighbourhoods (at most MAX_SOLVES), then its own search and bound take over. Beyond, its search
# barely moves the plan in minutes: small neighbourhoods (a large one can take most of a round),
# larger ones once those find nothing more, and after any improvement small ones again, for as
# long as the time allows (benchmarks/README.md, solver rounds 3 to 5).
LARGE = 100_000
SIZES = {False: ((12, 48),), True: ((4, 12), (12, 48))}
MAX_SOLVES = {False: 60, True: None}
SOLVE_DTIME = 2.0  # deterministic seconds per neighbourhood
SKIPPED = 8  # targets passed over (sharing something) before a group solved beside another gives up


@dataclass(frozen=True)
class Placed:
    start: int
    venue: str
    people: frozenset[str]
    picked: tuple[str, ...]  # the seat holders (``people`` without the named attendees)


class Neighbourhoods(Choosing):
    """The search over focused neighbourhoods of one model, starting from the plan ``solved``
    holds (a CP-SAT solver's solution of this model); ``values`` is the current plan, one value
    per variable of the model."""

    def __init__(self, pm: PlanModel, stages: list, solved: cp_model.CpSolver, seed: int = 0, workers: int = 1):
        self.pm, self.stages, self.seed = pm, stages, seed
        self.values = list(solved.response_proto.solution)
        self.deterministic_seconds = 0.0
        self.solves = 0
        self.max_solves: int | None = None  # then CP-SAT's own search takes over (``run``)
        self._least: dict[tuple, object] = {}
        self._placed: dict[str, Placed | None] = {}  # occurrence -> where it is (``placed``)
        self._seats: dict[str, int] | None = None  # person -> seats held in the plan (``_busy``)
        # Beyond LARGE variables each neighbourhood is a small model of its own (``Pieces``), else
        # the whole model with the rest fixed (``whole``).
        self.large = len(pm.model.proto.variables) > LARGE
        self.own_models = self.large
        self.pieces: Pieces | None = None  # made at the first solve
        # Small models are solved as many at a time as there are workers (``_gather``); a whole
        # model leaves the other workers to CP-SAT's own search after the neighbourhoods.
        self.parallel = max(1, workers) if self.own_models else 1
        self._flat: dict[int, tuple] = {}  # id of an expression -> (it, its flattened form)

    # -- reading the plan -------------------------------------------------------------------------

    def value(self, expr, values: list[int] | None = None) -> int:
        """The value of a linear expression (or a constant) in the current plan (or in ``values``)."""
        if isinstance(expr, int):
            return expr
        flat = self._flat.get(id(expr))
        if flat is None or flat[0] is not expr:
            flat = self._flat[id(expr)] = (expr, flatten(expr))
        variables, coefficients, offset = flat[1]
        values = self.values if values is None else values
        return offset + sum(c * values[v] for v, c in zip(variables, coefficients, strict=True))

    def placed(self, o: Occurrence) -> Placed | None:
        """Where and with whom the occurrence is held in the current plan (None: left out);
        remembered until a neighbourhood that frees it changes the plan."""
        if o.id in self._placed:
            return self._placed[o.id]
        pm, values = self.pm, self.values
        out = None
        if values[pm.scheduled[o.id].index]:
            venue = next(v for v, var in pm.at[o.id].items() if values[var.index])
            picked = tuple(p for (_g, p), var in pm.pick[o.id].items() if values[var.index])
            out = Placed(values[pm.start[o.id].index], venue, frozenset((*o.fixed, *picked)), picked)
        self._placed[o.id] = out
        return out

    def shortfall(self, o: Occurrence) -> tuple[int, ...]:
        """How far the occurrence is from its floor in each stage that counts it, in order."""
        return tuple(
            stage.minimised(self.value(stage.parts[o.id][0]) - self.best_part(stage, o.id))
            for stage in self.stages
            if stage.parts is not None and o.id in stage.parts
        )

    @staticmethod
    def best_part(stage, oid: str) -> int:
        """The best value an occurrence's term of ``stage`` can have."""
        return stage.parts[oid][1] if stage.maximize else stage.floors.get(oid, 0)

    def objective(self, values: list[int] | None = None) -> tuple[int, ...]:
        """The plan's objectives, each to minimise, in the lexicographic order."""
        return tuple(s.minimised(self.value(s.expr, values)) for s in self.stages)

    # -- the search -------------------------------------------------------------------------------

    def run(self, deadline: float | None, interrupt=None, report=None) -> list[int]:
        """Improve the plan; returns the values of the best plan found."""
        large = self.large
        sizes, self.max_solves = SIZES[large], MAX_SOLVES[large]
        level = 0
        while level < len(sizes):
            improved = self._round(*sizes[level], deadline, interrupt, report)
            if improved is None:
                break
            level = 0 if improved else level + 1
        return self.values

    def _round(self, nearest: int, batch: int, deadline: float | None, interrupt, report) -> bool | None:
        """One pass over the occurrences short of their floors, the largest shortfall first: True
        if the plan improved, None when time is up or a stop was asked for."""
        inst = self.pm.instance
        improved = False
        tried: set[str] = set()
        while True:
            short = {o.id: self.shortfall(o) for o in inst.occurrences if o.id not in tried}
            targets = sorted(
                (o for o in inst.occurrences if any(short.get(o.id, ())) and self._can_move(o)),
                key=lambda o: tuple(-x for x in short[o.id]),
            )
            if not targets:
                return improved
            occupancy = Occupancy(inst)
            for q in inst.occurrences:
                at = self.placed(q)
                if at is not None:
                    occupancy.occupy(q.id, at.start, at.venue, at.people)
            groups: list[list[str]] = []
            while len(groups) < self.parallel:
                free = self._gather(targets, tried, occupancy, nearest, batch, groups)
                if not free:
                    break
                groups.append(free)
            if _stopped(deadline, interrupt) or (self.max_solves is not None and self.solves >= self.max_solves):
                return None
            if self._solve(groups, deadline, interrupt):
                improved = True
                if report is not None:
                    report(self)

    def _gather(
        self, targets: list[Occurrence], tried: set[str], occupancy: Occupancy, nearest: int, batch: int, beside
    ) -> list[str]:
        """The occurrences to free together: the neighbourhoods of the targets not tried yet, the
        largest shortfall first, until there are ``batch``. Beside the groups ``beside``, to be
        solved at the same time from the same plan, only neighbourhoods that share with them no
        occurrence, no constraint (an order, a series) and no venue or person: the solutions of
        both can then be put in one after the other (``Pieces.compatible`` checks the team's load
        and the budget caps, which every occurrence shares)."""
        taken: set[str] = set()
        resources: set[int] = set()
        if beside:
            pieces = self._pieces()
            taken = {q for group in beside for q in group}
            resources = {c for q in taken for c in pieces.no_overlaps(q)}

        def apart(occurrences) -> bool:
            return all(
                q not in taken and not (pieces.links[q] & taken) and not (pieces.no_overlaps(q) & resources)
                for q in occurrences
            )

        free: list[str] = []
        passed = 0
        for o in targets:
            if len(free) >= batch or passed > SKIPPED:
                break
            if o.id in tried:
                continue
            # The target's own series first: finding its blockers takes longer.
            if beside and not apart(q.id for q in self.pm.instance.by_event[o.event.id]):
                passed += 1
                continue
            around = self._neighbourhood(o, occupancy, nearest)
            if beside and not apart(around):
                passed += 1
                continue
            tried.add(o.id)
            for q in around:
                if q not in free:
                    free.append(q)
        return free

    def _can_move(self, o: Occurrence) -> bool:
        """A left-out optional occurrence of a series comes back only after the one before it."""
        if self.values[self.pm.scheduled[o.id].index]:
            return True
        if not o.event.optional:
            return False
        return o.index == 1 or bool(self.values[self.pm.scheduled[f"{o.event.id}-{o.index - 1}"].index])

    def _pieces(self) -> Pieces:
        if self.pieces is None:
            self.pieces = Pieces(self.pm, self.values)
        return self.pieces

    def _solve(self, groups: list[list[str]], deadline: float | None, interrupt) -> bool:
        """Solve each group's neighbourhood (every occurrence outside it fixed), all at once from
        the current plan; put in, in order, each result that is better (and, after the first,
        still a plan with the ones put in before it)."""
        assert self.own_models or len(groups) == 1  # a whole model's solution replaces every value
        smalls: list = []
        solvers: list[cp_model.CpSolver] = []

        def searches():
            # Made one at a time: each search starts while the next model is put together.
            for free in groups:
                if self.own_models:
                    small = self._pieces().model(free, self._unpicked(free))
                else:
                    small = whole(self.pm, self.values, free)
                small.minimize(flatten(self._local_objective(free)))
                small.hint(self.values)
                smalls.append(small)
                solvers.append(self._solver(deadline))
                yield solvers[-1], small.model, None

        statuses = solve_all_stoppable(searches(), interrupt)
        improved = False
        for free, small, solver, status in zip(groups, smalls, solvers, statuses, strict=True):
            self.deterministic_seconds += solver.deterministic_time
            self.solves += 1
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                continue
            values = small.merged(self.values, solver.response_proto.solution)
            if improved and not self.pieces.compatible(free, values):
                continue
            if self.objective(values) < self.objective():
                self.values = values
                for oid in free:  # a neighbourhood changes the decisions of its freed occurrences only
                    self._placed.pop(oid, None)
                self._seats = None
                if self.pieces is not None:
                    self.pieces.update(free, values)
                improved = True
        return improved

    def _solver(self, deadline: float | None) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = 1
        params.random_seed = self.seed
        # The full linear relaxation with its cuts on a whole model, where without them a
        # neighbourhood can take twenty times as long. A small model of its own (beyond LARGE) is
        # solved to the same optimum either way, sooner with level 1: its LP and cuts took most of
        # its wall time, which CP-SAT's deterministic time counts at a tenth (benchmarks/README.md).
        params.linearization_level = 1 if self.own_models else 2
        params.cp_model_probing_level = 0
        params.max_deterministic_time = SOLVE_DTIME
        if deadline is not None:
            params.max_time_in_seconds = max(0.05, deadline - time.monotonic())
        return solver

    def _local_objective(self, free: list[str]):
        """The objectives restricted to the freed occurrences (the rest are constants), weighted on
        their own bounds; a stage without per-occurrence parts enters whole."""
        terms, bounds = [], []
        for stage in self.stages:
            if stage.parts is None:
                terms.append(stage.expr)
                bounds.append(stage.bound)
            else:
                terms.append(sum(stage.parts[o][0] for o in free if o in stage.parts))
                bounds.append(sum(stage.parts[o][1] for o in free if o in stage.parts))
        return weighted(self.stages, terms, bounds)


def set_complete_hint(model: cp_model.CpModel, values: list[int]) -> None:
    """Hint every variable of ``model`` (values by variable index), replacing any hint; through
    the proto, as ``add_hint`` one variable at a time takes seconds on the largest models."""
    hint = model.proto.solution_hint
    hint.vars.clear()
    hint.values.clear()
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)


def _stopped(deadline: float | None, interrupt) -> bool:
    if interrupt is not None and interrupt.requested:
        return True
    return deadline is not None and time.monotonic() >= deadline
