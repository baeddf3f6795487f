"""The lexicographic search: one CP-SAT solve per objective, each fixing the one before.

The stages are the objectives of ``scheduler.model.objectives``, in their order; consecutive ones
are fused into one weighted objective where the weights stay exact. A stage proven optimal
is fixed to its value with an equality; a stage stopped by the time limit is fixed to "no worse",
and the plan is then reported FEASIBLE instead of OPTIMAL. A stop request (Ctrl-C, see
``scheduler.interrupt``) ends the current stage with its best solution and starts no further stage: the
plan is FEASIBLE too, or ``SearchInterrupted`` is raised where there is no plan yet.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from scheduler.errors import InfeasibleError, NoPlanError
from scheduler.interrupt import SearchInterrupted, solve_stoppable
from scheduler.model.instance import Instance
from scheduler.model.mapping import snapshot, to_plan, variables
from scheduler.model.objectives import Stage, objective_stages, show, weighted, weights
from scheduler.model.planmodel import PlanModel
from scheduler.model.rules import add_rules
from scheduler.plan import Plan
from scheduler.plan.diff import carry_sequences
from scheduler.search.warmstart import WarmStart
from scheduler.solver.options import SolveOptions

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
        best = ", ".join(show(stage.name, v, self.currency) for stage, v in zip(self.group, values, strict=True))
        bound = ", ".join(
            show(stage.name, v, self.currency)
            for stage, v in zip(self.group, _decompose(self.group, self.best_objective_bound), strict=True)
        )
        objective, lower = self.objective_value, self.best_objective_bound
        gap = abs(objective - lower) / max(1.0, abs(objective)) * 100
        elapsed = time.monotonic() - self.started
        self.report(f"{elapsed:7.2f}s  best {best}  |  bound {bound}  |  gap {gap:.2f}%")


def _decompose(group: list[Stage], bound: float) -> list[int]:
    """A bound on the weighted objective, read as the lexicographic bound of each stage."""
    factors = weights(group)
    shifted = round(bound) + sum(w * s.bound for s, w in zip(group, factors, strict=True) if s.maximize)
    out = []
    for stage, w in zip(group, factors, strict=True):
        digit, shifted = divmod(max(0, shifted), w)
        out.append(stage.bound - digit if stage.maximize else digit)
    return out


def solve(instance: Instance, options: SolveOptions) -> Plan:
    """Solve to a plan; raises ``InfeasibleError`` or ``NoPlanError``."""
    started = time.monotonic()
    warm = None
    if options.search == "full" and not _stop_requested(options):
        # First fit's plan comes at once; its ejection moves may run aside while the model is built.
        warm = WarmStart.begin(instance, options, started)
    try:
        pm = PlanModel(instance)
        add_rules(pm, skip=options.skip_rules)
        stages = objective_stages(pm, options.previous)
        groups = fuse(stages)
        if options.stats is not None:
            options.stats.update(variables=len(pm.model.proto.variables), constraints=len(pm.model.proto.constraints))
            options.stats["model_seconds"] = round(time.monotonic() - started, 3)
        first = warm.hint(pm, stages) if warm is not None else None
    finally:
        if warm is not None:
            warm.cancel()
    solution: dict[str, int] | None = None
    proven = True
    deterministic_seconds = 0.0
    if first is not None:
        solution, deterministic_seconds = first.solution, first.deterministic_seconds
        if first.optimal:
            groups = []  # every objective is at its floor: no search can do better
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
        objective = weighted(group)
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
    plan = to_plan(
        pm,
        solution,
        "OPTIMAL" if proven else "FEASIBLE",
        round(deterministic_seconds, 2),
        options.seed,
        options.workers,
    )
    if options.previous is not None:
        carry_sequences(plan, options.previous)  # sequences, and the objective's second entry
    return plan


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
    # All of the LP at once, not added lazily as cuts: the seat-cost floors (the attendees rule)
    # then bound the cost at the root, also with one worker.
    params.add_lp_constraints_lazily = False
    # Probing in presolve took most of the time on generated scenarios of a hundred occurrences
    # and more, and fixed little; the first plan comes from the hint anyway.
    params.cp_model_probing_level = 0
    if options.workers > 1:
        # Deterministic parallel search: the same seed and worker count give the same plan.
        params.interleave_search = True
    if time_limit is not None:
        params.max_time_in_seconds = max(0.05, time_limit)
    return solver
