"""The warm start: the search's first plan, made a value for every variable of the model,
improved in focused neighbourhoods and handed to CP-SAT as its complete hint.

``WarmStart.begin`` starts first fit (``firstplan``) before the CP-SAT model is built (its ejection
moves may run in a forked process meanwhile); ``WarmStart.hint`` then completes the plan on the
model. ``scheduler solve --search plain`` does without it: CP-SAT alone, on the model as it is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.interrupt import solve_stoppable
from scheduler.model.instance import Instance
from scheduler.model.mapping import variables
from scheduler.model.objectives import Stage, at_floors, floor_words, show
from scheduler.model.planmodel import PlanModel
from scheduler.search.firstfit import FirstFit, Placement
from scheduler.search.firstplan import PendingFit, start_first_fit
from scheduler.search.neighbourhood import LARGE, Neighbourhoods, set_complete_hint
from scheduler.search.settings import SearchSettings


@dataclass
class FirstPlan:
    solution: dict[str, int]  # the decision variables' values (``mapping.snapshot``)
    optimal: bool  # every objective at its floor: proven optimal without search
    deterministic_seconds: float


class WarmStart:
    """The search behind one entry point: begun before the model is built, asked for the hint once
    it is."""

    def __init__(self, pending: PendingFit, options: SearchSettings, started: float):
        self.pending, self.options, self.started = pending, options, started

    @classmethod
    def begin(cls, instance: Instance, options: SearchSettings, started: float) -> WarmStart | None:
        """First fit's plan, its ejection moves under way; None where first fit places not every
        required occurrence (CP-SAT then searches on its own, and explains where there is no plan)."""
        pending = start_first_fit(instance, options, started)
        return None if pending is None else cls(pending, options, started)

    def hint(self, pm: PlanModel, stages: list[Stage]) -> FirstPlan | None:
        """The first plan as a value for every variable of ``pm``, improved and set as its hint;
        first fit's plan alone where a stop or the time limit came first; None where it breaks a
        rule of the model (a rule the search does not check) or nothing is left of it."""
        options, started = self.options, self.started
        try:
            fit = self.pending.wait(options.interrupt)
        finally:
            self.pending.cancel()
        if not _stopped(options):
            first = first_plan(pm, fit, options, started, stages)
            if first is not None or not _out_of_time(options, started):
                return first
        # Stopped before the hint was complete: first fit's plan.
        return FirstPlan(decisions(pm, fit.placed), False, 0.0)

    def cancel(self) -> None:
        self.pending.cancel()


def _stopped(options: SearchSettings) -> bool:
    return options.interrupt is not None and options.interrupt.requested


def _out_of_time(options: SearchSettings, started: float) -> bool:
    return options.time_limit is not None and time.monotonic() - started >= options.time_limit


def first_plan(
    pm: PlanModel, fit: FirstFit, options: SearchSettings, started: float, stages: list[Stage]
) -> FirstPlan | None:
    """The first-fit plan, completed into a value for every variable, improved in focused
    neighbourhoods where the model is small enough for them, and set as CP-SAT's complete hint."""
    solved = complete_plan(pm, fit.placed, options, started)
    if solved is None:
        return None
    currency = pm.instance.project.currency

    def report(search: Neighbourhoods) -> None:
        if options.progress is not None:
            shown = ", ".join(show(st.name, search.value(st.expr), currency) for st in stages)
            options.progress(f"{time.monotonic() - started:7.2f}s  better plan (focused neighbourhood): {shown}")

    search = Neighbourhoods(pm, stages, solved, options.seed, options.workers)
    deadline = None
    if options.time_limit is not None:
        # While they improve, neighbourhoods may take most of what is left: on large models they
        # are what moves the plan (CP-SAT's own search barely does); CP-SAT keeps the rest.
        share = NEIGHBOURHOOD_SHARE[len(pm.model.proto.variables) > LARGE]
        deadline = time.monotonic() + (options.time_limit - (time.monotonic() - started)) * share
    search.run(deadline, options.interrupt, report)
    values = search.values
    set_complete_hint(pm.model, values)
    optimal = at_floors(stages, search.value)
    if optimal and options.progress is not None:
        reasons = floor_words(stages)
        options.progress(f"{time.monotonic() - started:7.2f}s  proven optimal without search: {reasons}")
    if options.stats is not None:
        options.stats["neighbourhoods"] = {"solves": search.solves, "seconds": round(time.monotonic() - started, 3)}
        # The floors are bounds no plan beats: what a benchmark reads as the bound when CP-SAT's
        # own search gives none (stopped before its presolve ends, on the largest models).
        options.stats.setdefault("stages", []).append(
            {
                "status": "OPTIMAL" if optimal else "FEASIBLE",
                "seconds": round(time.monotonic() - started, 3),
                "values": {st.name: search.value(st.expr) for st in stages},
                "bounds": {st.name: st.floor for st in stages},
            }
        )
    solution = {name: values[var.index] for name, var in variables(pm)}
    return FirstPlan(solution, optimal, round(search.deterministic_seconds, 2))


# The neighbourhoods' share of the time left (small models, large models): beyond LARGE variables
# CP-SAT's own search does not get through its presolve in what would be left, so the
# neighbourhoods keep all of it while they improve.
NEIGHBOURHOOD_SHARE = {False: 0.85, True: 1.0}


def decisions(pm: PlanModel, placed: dict[str, Placement]) -> dict[str, int]:
    """The decision variables' values of a first-fit plan (``mapping.snapshot``'s keys), without
    CP-SAT: the hint to complete, and what a stop before it is complete still writes."""
    by_index = {}
    for o in pm.instance.occurrences:
        placement = placed.get(o.id)
        by_index[pm.scheduled[o.id].index] = int(placement is not None)
        by_index[pm.start[o.id].index] = placement.start if placement else 0
        for v, var in pm.at[o.id].items():
            by_index[var.index] = int(placement is not None and placement.venue == v)
        picks = set(placement.picks) if placement else set()
        for key, var in pm.pick[o.id].items():
            by_index[var.index] = int(key in picks)
    return {name: by_index[var.index] for name, var in variables(pm)}


def complete_plan(
    pm: PlanModel, placed: dict[str, Placement], options: SearchSettings, started: float
) -> cp_model.CpSolver | None:
    """The solver holding a value for every variable of the model, given each occurrence's
    placement (absent: not scheduled); None where the placements break a rule or time ran out."""
    chosen = decisions(pm, placed)
    for name, var in variables(pm):
        pm.model.add_hint(var, chosen[name])
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
