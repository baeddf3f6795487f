"""The solver's first plan: first fit (``scheduler.search.firstfit``) with cost-aware choices and
ejection moves (``ejection.py``), completed by propagation into a value for every variable,
improved in focused neighbourhoods (``neighbourhood.py``) and given to CP-SAT as its hint."""

from __future__ import annotations

import multiprocessing
import signal
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.model.instance import Instance
from scheduler.model.mapping import variables
from scheduler.model.planmodel import PlanModel
from scheduler.model.stability import drop_orphans, seed_published
from scheduler.plan import Plan
from scheduler.render.pool import can_fork
from scheduler.search.ejection import Ejection
from scheduler.search.firstfit import FirstFit, Placement, Policy
from scheduler.search.neighbourhood import LARGE, Neighbourhoods, at_floors, set_complete_hint
from scheduler.solver.interrupt import solve_stoppable
from scheduler.solver.lexicographic import SolveOptions, Stage, _show


@dataclass
class FirstPlan:
    solution: dict[str, int]  # the decision variables' values (``mapping.snapshot``)
    optimal: bool  # every objective at its floor: proven optimal without search
    deterministic_seconds: float


def first_fit(instance: Instance, options: SolveOptions, started: float) -> FirstFit | None:
    """The plan first fit finds (the cheapest day, venue and people for each occurrence in turn,
    one pass of local improvement, then ejection moves), reported as the first plan at once: it
    needs no CP-SAT model, so on large scenarios it comes long before the model is even built,
    and a time limit or Ctrl-C that stops the search before any better plan still leaves it.
    None where first fit cannot place every required occurrence."""
    pending = start_first_fit(instance, options, started)
    if pending is None:
        return None
    try:
        return pending.wait(options.interrupt)
    finally:
        pending.cancel()


def start_first_fit(instance: Instance, options: SolveOptions, started: float) -> PendingFit | None:
    """``first_fit``, with its ejection moves run in a process of their own where that pays (see
    ``PendingFit``): the caller builds the CP-SAT model meanwhile, then calls ``wait``."""
    fit = _best_first_fit(instance, options.previous)
    if any(not o.event.optional and o.id not in fit.placed for o in instance.occurrences):
        return None  # not a plan: CP-SAT searches on its own (and explains, where there is none)
    fit.improve(passes=1)
    if options.progress is not None:
        options.progress(f"{time.monotonic() - started:7.2f}s  first plan (first fit): {_fit_summary(fit, options)}")
    deadline = None
    if options.time_limit is not None:
        deadline = started + options.time_limit / 4
    return PendingFit(fit, options, started, deadline)


class PendingFit:
    """The ejection moves of a first-fit plan, run in a forked process while the caller builds the
    CP-SAT model, or at once where they are not.

    On the largest scenarios the moves take about as long as the model takes to build (2,000
    occurrences: 14 s and 13-15 s), and neither needs the other: with two workers or more the moves
    run in a child process (``fork``: it inherits the plan without pickling it; the placements come
    back pickled), and the neighbourhoods start that much sooner. The child runs exactly the moves
    this process would run (the same plan, the same deterministic order, the same deadline), so the
    plan is the same either way. Only with ``--workers`` 2 or more (the second processor is the
    second worker's), at least ``ASIDE_FROM`` occurrences (a fork costs more than the moves of a
    small plan take), and where ``fork`` is safe (not on Windows or macOS). The child ignores
    Ctrl-C; a stop request while waiting for it ends it, and the plan is first fit's."""

    ASIDE_FROM = 300

    def __init__(self, fit: FirstFit, options: SolveOptions, started: float, deadline: float | None):
        self.fit, self.options, self.started = fit, options, started
        self.process = self.conn = None
        self.moves: int | None = None
        if options.workers >= 2 and len(fit.inst.occurrences) >= self.ASIDE_FROM and can_fork():
            context = multiprocessing.get_context("fork")
            self.conn, child_end = context.Pipe(duplex=False)
            self.process = context.Process(target=_eject_aside, args=(fit, deadline, child_end), daemon=True)
            self.process.start()
            child_end.close()
        else:
            self.moves = Ejection(fit).run(rounds=EJECTION_ROUNDS, deadline=deadline)
            self._report()

    def wait(self, interrupt=None) -> FirstFit:
        """The plan with the ejection moves made (first fit's as it was, where a stop was asked for
        or the child failed)."""
        if self.process is not None:
            received = None
            while received is None and not (interrupt is not None and interrupt.requested):
                if self.conn.poll(_POLL_SECONDS):
                    try:
                        received = self.conn.recv()
                    except EOFError:  # the child died without an answer: its moves are lost
                        break
            self.cancel()
            if received is not None:
                self.moves, self.fit.placed = received
                self._report()
        return self.fit

    def cancel(self) -> None:
        """End the child process, if any is still running."""
        if self.process is None:
            return
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()
        self.process = None

    def _report(self) -> None:
        if self.moves and self.options.progress is not None:
            self.options.progress(
                f"{time.monotonic() - self.started:7.2f}s  better plan (ejection moves): "
                f"{_fit_summary(self.fit, self.options)}"
            )


_POLL_SECONDS = 0.1


def _eject_aside(fit: FirstFit, deadline: float | None, conn) -> None:
    """In the child: the ejection moves, then the moves kept and the placements to the parent
    (where only ``placed`` is read from then on)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    moves = Ejection(fit).run(rounds=EJECTION_ROUNDS, deadline=deadline)
    conn.send((moves, fit.placed))
    conn.close()


EJECTION_ROUNDS = 8


def _fit_summary(fit: FirstFit, options: SolveOptions) -> str:
    """The plan's objectives, as the progress lines of the search show them."""
    inst = fit.inst
    parts = []
    if any(o.event.optional for o in inst.occurrences):
        priority = sum(o.event.priority for o in inst.occurrences if o.event.optional and o.id in fit.placed)
        parts.append(f"priority {priority}")
    if options.previous is not None:
        parts.append(f"changes {sum(not _unchanged(fit, o) for o in options.previous.scheduled)}")
    cost = sum(sum(p.cost.values()) for p in fit.placed.values())
    parts.append(f"cost {cost / 100:,.2f} {inst.project.currency}")
    if any(o.event.preferred for o in inst.occurrences):
        outside = sum(fit._worth(inst.by_id[oid], p)[1] for oid, p in fit.placed.items())
        parts.append(f"{outside} day{'' if outside == 1 else 's'} outside preferred")
    return ", ".join(parts)


def _unchanged(fit: FirstFit, before) -> bool:
    """The published occurrence is placed exactly as published (day, venue, people)."""
    placement = fit.placed.get(before.id)
    if placement is None:
        return False
    o = fit.inst.by_id[before.id]
    return (fit.inst.date(placement.start), placement.venue, set(placement.people(o))) == (
        before.start,
        before.venue,
        {a.person for a in before.attendees},
    )


def first_plan(
    pm: PlanModel, fit: FirstFit, options: SolveOptions, started: float, stages: list[Stage]
) -> FirstPlan | None:
    """The first-fit plan, completed into a value for every variable, improved in focused
    neighbourhoods where the model is small enough for them, and set as CP-SAT's complete hint."""
    solved = complete_plan(pm, fit.placed, options, started)
    if solved is None:
        return None
    currency = pm.instance.project.currency

    def report(search: Neighbourhoods) -> None:
        if options.progress is not None:
            shown = ", ".join(_show(st, search.value(st.expr), currency) for st in stages)
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
        reasons = ", ".join(FLOOR_WORDS[st.name] for st in stages if st.name in FLOOR_WORDS)
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


FLOOR_WORDS = {
    "priority": "every optional event held",
    "changes": "no published occurrence changed",
    "cost": "every occurrence at its cheapest venue and people",
    "preferred": "no day outside the preferred dates",
}

# The neighbourhoods' share of the time left (small models, large models): beyond LARGE variables
# CP-SAT's own search does not get through its presolve in what would be left (30 s and more on
# the 2,000-occurrence benchmark), so the neighbourhoods keep all of it while they improve.
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
    pm: PlanModel, placed: dict[str, Placement], options: SolveOptions, started: float
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


def _best_first_fit(instance: Instance, previous: Plan | None = None):
    """First fit on the cheapest days; where that leaves out optional occurrences (cheap days
    taken early can crowd them out), also on the earliest days, and the better of the two in the
    objective's order (priority, then cost): the hint never schedules less than planning by hand."""

    def worth(fit: FirstFit) -> tuple[int, int]:
        priority = sum(o.event.priority for o in instance.occurrences if o.event.optional and o.id in fit.placed)
        return -priority, sum(sum(p.cost.values()) for p in fit.placed.values())

    def planned(policy: Policy) -> FirstFit:
        fit = FirstFit(instance, policy)
        if previous is not None:
            seed_published(fit, previous)
        fit.run()
        if previous is not None:
            drop_orphans(fit)
        return fit

    best = planned(Policy(venue="total", people="cheapest", day="cheapest"))
    if any(o.event.optional and o.id not in best.placed for o in instance.occurrences):
        other = planned(Policy(venue="total", people="cheapest", day="earliest"))
        if worth(other) < worth(best):
            best = other
    return best
