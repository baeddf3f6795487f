"""The solver's first plan: first fit (``scheduler.solver.firstfit``) with cost-aware choices,
completed by propagation into a value for every variable and given to CP-SAT as its hint."""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.instance import Instance
from scheduler.solver.firstfit import FirstFit, Placement, Policy
from scheduler.solver.interrupt import solve_stoppable
from scheduler.solver.model import PlanModel
from scheduler.solver.neighbourhood import Neighbourhoods, at_floors
from scheduler.solver.solve import SolveOptions, Stage, _show, _variables


@dataclass
class FirstPlan:
    solution: dict[str, int]  # the decision variables' values (``solve._snapshot``)
    optimal: bool  # every objective at its floor: proven optimal without search
    deterministic_seconds: float


def first_plan(pm: PlanModel, options: SolveOptions, started: float, stages: list[Stage]) -> FirstPlan | None:
    """The first plan, improved in focused neighbourhoods, set as CP-SAT's (complete) hint."""
    solved = first_fit_solution(pm, options, started, stages)
    if solved is None:
        return None
    currency = pm.instance.project.currency

    def report(search: Neighbourhoods) -> None:
        if options.progress is not None:
            shown = ", ".join(_show(st, search.value(st.expr), currency) for st in stages)
            options.progress(f"{time.monotonic() - started:7.2f}s  better plan (focused neighbourhood): {shown}")

    search = Neighbourhoods(pm, stages, solved, options.seed)
    deadline = None
    if options.time_limit is not None:
        # Half of what is left at most: CP-SAT's bound tells how good the plan is.
        deadline = time.monotonic() + (options.time_limit - (time.monotonic() - started)) / 2
    values = search.run(deadline, options.interrupt, report)
    proto = pm.model.proto
    proto.solution_hint.vars.clear()
    proto.solution_hint.values.clear()
    proto.solution_hint.vars.extend(range(len(values)))
    proto.solution_hint.values.extend(values)
    optimal = at_floors(stages, search.value)
    if options.stats is not None:
        options.stats["neighbourhoods"] = {"solves": search.solves, "seconds": round(time.monotonic() - started, 3)}
        if optimal:
            options.stats.setdefault("stages", []).append(
                {
                    "status": "OPTIMAL",
                    "seconds": round(time.monotonic() - started, 3),
                    "values": {st.name: search.value(st.expr) for st in stages},
                    "bounds": {st.name: st.floor for st in stages},
                }
            )
    solution = {name: values[var.index] for name, var in _variables(pm)}
    return FirstPlan(solution, optimal, round(search.deterministic_seconds, 2))


def first_fit_solution(
    pm: PlanModel, options: SolveOptions, started: float, stages: list[Stage]
) -> cp_model.CpSolver | None:
    """Give CP-SAT the plan that first fit finds (the cheapest day, venue and people for each
    occurrence in turn, then one pass of local improvement) as a hint, and return it as the first
    plan: on large scenarios it comes long before CP-SAT's presolve is done, and a time limit or
    Ctrl-C that stops the search before any better plan still leaves a valid one."""
    fit = _best_first_fit(pm.instance)
    solver = complete_plan(pm, fit.improve(passes=1), options, started)
    if solver is not None and options.progress is not None:
        currency = pm.instance.project.currency
        shown = ", ".join(_show(st, solver.value(st.expr), currency) for st in stages)
        options.progress(f"{time.monotonic() - started:7.2f}s  first plan (first fit): {shown}")
    return solver


def complete_plan(
    pm: PlanModel, placed: dict[str, Placement], options: SolveOptions, started: float
) -> cp_model.CpSolver | None:
    """The solver holding a value for every variable of the model, given each occurrence's
    placement (absent: not scheduled); None where the placements break a rule or time ran out."""
    for o in pm.instance.occurrences:
        placement = placed.get(o.id)
        pm.model.add_hint(pm.scheduled[o.id], placement is not None)
        pm.model.add_hint(pm.start[o.id], placement.start if placement else 0)
        for v, var in pm.at[o.id].items():
            pm.model.add_hint(var, placement is not None and placement.venue == v)
        picks = set(placement.picks) if placement else set()
        for key, var in pm.pick[o.id].items():
            pm.model.add_hint(var, key in picks)
    if options.interrupt is not None and options.interrupt.requested:
        return None
    # CP-SAT takes a hint of every variable that satisfies the model as its first plan at once; a
    # partial one it may fail to complete on a large model. Propagation with the decisions fixed
    # gives the values of the auxiliary variables.
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.cp_model_presolve = False
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 60.0
    if options.time_limit is not None:
        solver.parameters.max_time_in_seconds = max(0.05, min(60.0, options.time_limit - (time.monotonic() - started)))
    status = solve_stoppable(solver, pm.model, None, options.interrupt)
    pm.model.clear_hints()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return solver


def _best_first_fit(instance: Instance):
    """First fit on the cheapest days; where that leaves out optional occurrences (cheap days
    taken early can crowd them out), also on the earliest days, and the better of the two in the
    objective's order (priority, then cost): the hint never schedules less than planning by hand."""

    def worth(fit: FirstFit) -> tuple[int, int]:
        priority = sum(o.event.priority for o in instance.occurrences if o.event.optional and o.id in fit.placed)
        return -priority, sum(sum(p.cost.values()) for p in fit.placed.values())

    best = FirstFit(instance, Policy(venue="total", people="cheapest", day="cheapest"))
    best.run()
    if any(o.event.optional and o.id not in best.placed for o in instance.occurrences):
        other = FirstFit(instance, Policy(venue="total", people="cheapest", day="earliest"))
        other.run()
        if worth(other) < worth(best):
            best = other
    return best
