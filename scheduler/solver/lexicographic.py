"""The lexicographic search: one CP-SAT solve per objective, each fixing the one before.

Stages, in the spec's order: (1) the priority of the optional events scheduled, maximised; (2)
changes to a previously published plan, minimised (only with ``--previous``); (3) the total cost
in cents, minimised; (4) event days outside the preferred ranges, minimised. A stage proven optimal
is fixed to its value with an equality; a stage stopped by the time limit is fixed to "no worse",
and the plan is then reported FEASIBLE instead of OPTIMAL. A stop request (Ctrl-C, see
``interrupt.py``) ends the current stage with its best solution and starts no further stage: the
plan is FEASIBLE too, or ``SearchInterrupted`` is raised where there is no plan yet.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.errors import InfeasibleError, NoPlanError
from scheduler.model.instance import Instance
from scheduler.model.mapping import cheapest as least_cost
from scheduler.model.mapping import snapshot, to_plan, variables
from scheduler.model.planmodel import PlanModel
from scheduler.model.rules import add_rules
from scheduler.plan import Plan
from scheduler.plan.diff import carry_sequences
from scheduler.solver.interrupt import Interrupt, SearchInterrupted, solve_stoppable


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


@dataclass
class SolveOptions:
    time_limit: float | None = None  # seconds for the whole solve, all stages together
    workers: int = field(default_factory=default_workers)
    seed: int = 0
    progress: Callable[[str], None] | None = None  # receives one line per improvement
    skip_rules: tuple[str, ...] = ()  # for tests that show a rule binds
    stats: dict | None = None  # filled with the model's size and each stage's values and bounds (benchmarks)
    interrupt: Interrupt | None = None  # lets a signal handler stop the search (Ctrl-C)
    previous: Plan | None = None  # the published plan (--previous): stage 2 keeps changes to it few


@dataclass
class Stage:
    name: str
    expr: cp_model.LinearExprT
    maximize: bool
    bound: int  # no plan has a larger value: sizes the weights when stages are fused
    # Per occurrence: its term of ``expr`` and that term's largest value (focused neighbourhoods).
    parts: dict[str, tuple] | None = None
    floors: dict[str, int] = field(default_factory=dict)  # per occurrence: no term is better (default 0)
    floor: int | None = None  # no plan is better, given the stages before at their floors


def objective_stages(pm: PlanModel, previous: Plan | None = None) -> list[Stage]:
    """The objectives in lexicographic order (see the module docstring)."""
    inst = pm.instance
    stages: list[Stage] = []
    optional = [o for o in inst.occurrences if o.event.optional]
    if optional:
        expr = sum(o.event.priority * pm.scheduled[o.id] for o in optional)
        best = sum(o.event.priority for o in optional)
        parts = {o.id: (o.event.priority * pm.scheduled[o.id], o.event.priority) for o in optional}
        stages.append(Stage("priority", expr, True, best, parts, floor=best))
    if previous is not None:
        from scheduler.model.stability import published_changes

        changes, bound = published_changes(pm, previous)
        stages.append(Stage("changes", changes, False, bound, floor=0))
    # Every occurrence costs at least its cheapest way to be held; with the best priority every
    # occurrence is held, so the plan costs at least the sum of those.
    cheapest = {o.id: least_cost(pm, o) for o in inst.occurrences}
    parts = {o.id: (pm.occurrence_cost[o.id], pm.occurrence_cost_bound[o.id]) for o in inst.occurrences}
    total = sum(pm.occurrence_cost_bound.values())
    stages.append(Stage("cost", pm.total_cost, False, total, parts, cheapest, sum(cheapest.values())))
    penalties = preference_penalties(pm)
    if penalties:
        bound = sum(o.duration for o in inst.occurrences if o.event.preferred)
        parts = {oid: (var, inst.by_id[oid].duration) for oid, var in penalties.items()}
        stages.append(Stage("preferred", sum(penalties.values()), False, bound, parts, floor=0))
    if previous is not None:  # a tie-breaker after the spec's four objectives (solver/stability.py)
        from scheduler.model.stability import published_details_changed

        details, most = published_details_changed(pm, previous)
        stages.append(Stage("details changed", details, False, most))
    return stages


EXACT = 2**53  # the solver reports objectives as doubles: fused weights stay exact below this


def fuse(stages: list[Stage]) -> list[list[Stage]]:
    """Group consecutive stages into one weighted objective where the weights stay exact.

    With weights W_last = 1 and W_i = W_{i+1} · (bound_{i+1} + 1), minimising Σ ±W_i·x_i is the
    same as the lexicographic order, and one solve (one presolve) replaces several."""
    groups: list[list[Stage]] = []
    for stage in reversed(stages):
        if groups and _span(groups[0]) * (stage.bound + 1) < EXACT:
            groups[0].insert(0, stage)
        else:
            groups.insert(0, [stage])
    return groups


def _span(group: list[Stage]) -> int:
    span = 1
    for stage in group:
        span *= stage.bound + 1
    return span


def _weights(group: list[Stage]) -> list[int]:
    weights = [1] * len(group)
    for i in range(len(group) - 2, -1, -1):
        weights[i] = weights[i + 1] * (group[i + 1].bound + 1)
    return weights


def _weighted(group: list[Stage]):
    """The group's objective, to minimise."""
    return sum((-w if stage.maximize else w) * stage.expr for stage, w in zip(group, _weights(group), strict=True))


def preference_penalties(pm: PlanModel) -> dict[str, cp_model.IntVar]:
    """Soft constraint: per occurrence, the number of its event days outside ``preferred``.

    outside = duration − Σ over (merged) preferred ranges [a, b] of the overlap
    max(0, min(b, end) − max(a, start) + 1), with CP-SAT's min/max constraints: exact, and with no
    per-day encoding of the start variable."""
    m, inst = pm.model, pm.instance
    out = {}
    for o in inst.occurrences:
        with pm.owned(o.id):
            ranges = _merged_ranges(inst, o.event.preferred)
            if not ranges:
                continue
            start, end = pm.start[o.id], pm.start[o.id] + o.duration - 1
            overlaps = []
            for a, b in ranges:
                hi = m.new_int_var(-inst.horizon, inst.horizon * 2, f"pref_hi_{o.id}_{a}")
                lo = m.new_int_var(-inst.horizon, inst.horizon * 2, f"pref_lo_{o.id}_{a}")
                m.add_min_equality(hi, [end, b])
                m.add_max_equality(lo, [start, a])
                overlap = m.new_int_var(0, o.duration, f"pref_in_{o.id}_{a}")
                m.add_max_equality(overlap, [0, hi - lo + 1])
                overlaps.append(overlap)
            counted = m.new_int_var(0, o.duration, f"outside_{o.id}")
            m.add(counted == o.duration - sum(overlaps)).only_enforce_if(pm.scheduled[o.id])
            m.add(counted == 0).only_enforce_if(~pm.scheduled[o.id])
            out[o.id] = counted
    return out


def _merged_ranges(inst: Instance, ranges) -> list[tuple[int, int]]:
    """Preferred ranges as day indexes, overlapping or touching ones merged."""
    spans = sorted((inst.day(r.first), inst.day(r.last)) for r in ranges)
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


class _Progress(cp_model.CpSolverSolutionCallback):
    """One line per improving plan: elapsed time, each objective of the group, the bound, the gap."""

    def __init__(
        self,
        group: list[Stage],
        started: float,
        currency: str,
        report: Callable[[str], None] | None,
    ):
        super().__init__()
        self.group, self.started, self.currency, self.report = group, started, currency, report

    def on_solution_callback(self) -> None:
        if self.report is None:
            return
        values = [self.value(stage.expr) for stage in self.group]
        best = ", ".join(_show(stage, v, self.currency) for stage, v in zip(self.group, values, strict=True))
        bound = ", ".join(
            _show(stage, v, self.currency)
            for stage, v in zip(self.group, _decompose(self.group, self.best_objective_bound), strict=True)
        )
        objective, lower = self.objective_value, self.best_objective_bound
        gap = abs(objective - lower) / max(1.0, abs(objective)) * 100
        elapsed = time.monotonic() - self.started
        self.report(f"{elapsed:7.2f}s  best {best}  |  bound {bound}  |  gap {gap:.2f}%")


def _show(stage: Stage, value: int, currency: str) -> str:
    if stage.name == "cost":
        return f"cost {value / 100:,.2f} {currency}"
    if stage.name == "preferred":
        return f"{value} day{'' if value == 1 else 's'} outside preferred"
    return f"{stage.name} {value}"


def _decompose(group: list[Stage], bound: float) -> list[int]:
    """A bound on the weighted objective, read as the lexicographic bound of each stage."""
    weights = _weights(group)
    shifted = round(bound) + sum(w * s.bound for s, w in zip(group, weights, strict=True) if s.maximize)
    out = []
    for stage, w in zip(group, weights, strict=True):
        digit, shifted = divmod(max(0, shifted), w)
        out.append(stage.bound - digit if stage.maximize else digit)
    return out


def solve(instance: Instance, options: SolveOptions) -> Plan:
    """Solve to a plan; raises ``InfeasibleError`` or ``NoPlanError``."""
    started = time.monotonic()
    fit = pending = None
    if not options.skip_rules and not _stop_requested(options):
        from scheduler.search.warmstart import start_first_fit

        # Its ejection moves may run in a process of their own while the model is built.
        pending = start_first_fit(instance, options, started)
    try:
        pm = PlanModel(instance)
        add_rules(pm, skip=options.skip_rules)
        stages = objective_stages(pm, options.previous)
        groups = fuse(stages)
        if pending is not None:
            fit = pending.wait(options.interrupt)
    finally:
        if pending is not None:
            pending.cancel()
    if options.stats is not None:
        options.stats.update(variables=len(pm.model.proto.variables), constraints=len(pm.model.proto.constraints))
        options.stats["model_seconds"] = round(time.monotonic() - started, 3)
    solution: dict[str, int] | None = None
    proven = True
    deterministic_seconds = 0.0
    if fit is not None:
        from scheduler.search.warmstart import decisions, first_plan

        first = first_plan(pm, fit, options, started, stages) if not _stop_requested(options) else None
        if first is not None:
            solution, deterministic_seconds = first.solution, first.deterministic_seconds
            if first.optimal:
                groups = []  # every objective is at its floor: no search can do better
        elif _stop_requested(options) or _out_of_time(options, started):
            solution = decisions(pm, fit.placed)  # stopped before the hint was complete: first fit's plan
    currency = instance.project.currency
    for position, group in enumerate(groups):
        if options.interrupt is not None and options.interrupt.requested:
            if solution is None:
                raise SearchInterrupted("interrupted before any plan was found; nothing written")
            proven = False
            break
        remaining = None
        if options.time_limit is not None:
            remaining = options.time_limit - (time.monotonic() - started)
            if remaining <= 0.05 and solution is not None:
                proven = False
                break
            if position < len(groups) - 1 and solution is not None:
                # A stage that cannot be proven in time would leave the later ones (the cost) no
                # time at all: it gets a third of what is left.
                remaining /= 3
        objective = _weighted(group)
        pm.model.minimize(objective)
        solver = _solver(options, remaining)
        progress = _Progress(group, started, currency, options.progress)
        status = solve_stoppable(solver, pm.model, progress, options.interrupt)
        deterministic_seconds += solver.deterministic_time
        if status == cp_model.INFEASIBLE:
            raise InfeasibleError(["no plan satisfies every rule together"])
        if status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"internal error: invalid CP-SAT model: {pm.model.validate()}")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if solution is None:
                if options.interrupt is not None and options.interrupt.requested:
                    raise SearchInterrupted("interrupted before any plan was found; nothing written")
                raise NoPlanError("no plan was found within the time limit; give more time with --time-limit")
            proven = False
            break
        solution = snapshot(pm, solver)
        if options.stats is not None:
            options.stats.setdefault("stages", []).append(_stage_stats(group, solver, status, started))
        if status == cp_model.OPTIMAL:
            for stage in group:
                pm.model.add(stage.expr == solver.value(stage.expr))
        else:
            proven = False
            pm.model.add(objective <= round(solver.objective_value))
        pm.model.clear_hints()
        for name, var in variables(pm):
            pm.model.add_hint(var, solution[name])
    plan = to_plan(pm, solution, "OPTIMAL" if proven else "FEASIBLE", round(deterministic_seconds, 2), options)
    if options.previous is not None:
        carry_sequences(plan, options.previous)  # sequences, and the objective's second entry
    return plan


def _out_of_time(options: SolveOptions, started: float) -> bool:
    return options.time_limit is not None and time.monotonic() - started >= options.time_limit


def _stop_requested(options: SolveOptions) -> bool:
    return options.interrupt is not None and options.interrupt.requested


def _stage_stats(group: list[Stage], solver: cp_model.CpSolver, status, started: float) -> dict:
    """What a benchmark wants to know of one solve: each objective's value and bound, the time."""
    bounds = _decompose(group, solver.best_objective_bound)
    return {
        "status": solver.status_name(status),
        "seconds": round(time.monotonic() - started, 3),
        "values": {stage.name: solver.value(stage.expr) for stage in group},
        "bounds": {stage.name: bound for stage, bound in zip(group, bounds, strict=True)},
    }


def _solver(options: SolveOptions, time_limit: float | None) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = options.workers
    params.random_seed = options.seed
    # The costs hang on enforced constraints (venue and seat literals); level 2 puts them into
    # the LP relaxation, which proves the cost optimum at the root instead of by search.
    params.linearization_level = 2
    # The full-problem worker keeps that LP (the default portfolio's first worker would not);
    # further workers run the large-neighbourhood searches.
    params.subsolvers.append("max_lp")
    # All of the LP at once, not added lazily as cuts: the seat-cost floors (see
    # ``PlanModel._add_seat_cost_floor``) then bound the cost at the root, also with one worker.
    params.add_lp_constraints_lazily = False
    # Probing in presolve took most of the time on generated scenarios of 140 occurrences and
    # more (tens of seconds) and fixed little; the first plan comes from the hint anyway.
    params.cp_model_probing_level = 0
    if options.workers > 1:
        # Deterministic parallel search: the same seed and worker count give the same plan.
        params.interleave_search = True
    if time_limit is not None:
        params.max_time_in_seconds = max(0.05, time_limit)
    return solver


def report_to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
