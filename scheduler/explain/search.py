"""Finding minimal conflicts among guarded rules with CP-SAT assumptions (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import time

from ortools.sat.python import cp_model

from scheduler.explain.words import Conflict, Words
from scheduler.interrupt import solve_stoppable
from scheduler.model.instance import Instance
from scheduler.model.planmodel import Guards, PlanModel
from scheduler.model.rules import add_rules

BUDGET_KINDS = ("budget_total", "budget_category", "budget_year")
WIDEN_STEPS = (1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365)  # days on each side
WIDEN_SCAN = 4  # steps tried one by one on the whole model before a binary search (see _widen)

# Parameters per kind of solve. An explanation makes dozens of small solves of one model, each of
# which CP-SAT presolves afresh, so per-solve overhead dominates: presolve probing
# (``cp_model_probing_level``) took most of each run on the bundled example and finds little that
# the search does not find sooner, so it is off for all of them. A feasibility test stops at the
# first plan and keeps the full LP relaxation of the total cost (it steers the search to a plan
# far sooner than a pure feasibility search); naming the sufficient assumptions has no objective,
# where the LP only costs time; the cheapest plan under a cap needs the LP's bound to prove the
# optimum, and the default linearization proves it soonest there.
SOLVE_PARAMETERS: dict[str, dict[str, object]] = {
    "first_plan": {"cp_model_probing_level": 0, "linearization_level": 2, "stop_after_first_solution": True},
    "core": {"cp_model_probing_level": 0, "linearization_level": 0, "stop_after_first_solution": True},
    "optimum": {"cp_model_probing_level": 0, "linearization_level": 1},
}


class ConflictSearch:
    def __init__(self, instance: Instance, words: Words, deadline: float):
        self.instance = instance
        self.words = words
        self.deadline = deadline
        self.pm = PlanModel(instance, Guards(enabled=True))
        add_rules(self.pm)
        self.guards: dict[tuple, cp_model.IntVar] = dict(self.pm.guards.literals)
        self.by_index = {lit.index: key for key, lit in self.guards.items()}
        self.active: set[tuple] = set(self.guards)
        self.found: list[set[tuple]] = []
        self.feasible = False
        self.complete = True
        self._cheapest: dict[frozenset, int] = {}
        # (assumed keys, objective) -> the objective value and the caps' costs of a feasible solve
        self._memo: dict[tuple, tuple[int, dict[tuple, int]]] = {}
        self.last_value = 0
        self.last_cap_costs: dict[tuple, int] = {}  # what the last plan found spends under each cap

    def disable(self, keys: set[tuple]) -> None:
        self.active -= keys

    # -- the search ----------------------------------------------------------------------------------

    def next_conflict(self) -> set[tuple] | None:
        """The next conflict, independent of those found before; None when the rest is feasible.

        Rules other than money first: their conflicts are told as a minimal set. Then each budget
        cap alone: where the cheapest plan under every other rule exceeds it, the conflict is that
        cap and the amount missing. Last, caps that only conflict together."""
        money = {k for k in self.active if k[0] in BUDGET_KINDS}
        status, core = self._check(self.active - money)
        if status == "unknown":
            self.complete = False
            return None
        if status == "infeasible":
            return self._record(self._minimise(core))
        # The plan just found keeps every rule but the caps: a cap it keeps cannot be short on its
        # own, and where it keeps them all, it is a plan under every rule (no need to search again).
        within = {key for key in money if self.last_cap_costs[key] <= self._budget_expression(key)[1]}
        status, _ = ("feasible", set()) if within == money else self._check(self.active, want_core=False)
        if status == "feasible":
            self.feasible = not self.found
            return None
        if status == "unknown":
            self.complete = False
            return None
        for key in sorted(money - within, key=_sort_key):
            expression, cap = self._budget_expression(key)
            status, _ = self._check(self.active - money, objective=expression)
            if status != "feasible":
                self.complete = status != "unknown" and self.complete
                continue
            cheapest = self.last_value
            if cheapest > cap:
                return self._record({key}, cheapest=cheapest)
        status, core = self._check(self.active)
        if status != "infeasible":
            self.complete = False
            return None
        return self._record(self._minimise(core))

    def _record(self, core: set[tuple], cheapest: int | None = None) -> set[tuple]:
        self.found.append(core)
        self.active -= core
        if cheapest is not None:
            self._cheapest[frozenset(core)] = cheapest
        return core

    def describe_all(self) -> list[Conflict]:
        """Words and suggestions for every conflict found; each suggestion is tested against the
        whole scenario less the other conflicts, so it is judged on this conflict alone."""
        return [self._describe(core, self._cheapest.get(frozenset(core))) for core in self.found]

    def _check(self, keys: set[tuple], objective=None, want_core: bool = True) -> tuple[str, set[tuple]]:
        """Solve with ``keys`` assumed. Without an objective this is a feasibility test: it runs
        with the total cost as objective and stops at the first plan (the LP finds one far sooner
        than a pure feasibility search), and only an infeasible result is solved again with no
        objective, which CP-SAT needs to name the sufficient assumptions (skipped where the caller
        only needs the verdict: ``want_core=False``). A plan found leaves what it spends under each
        budget cap in ``last_cap_costs``."""
        memo = (frozenset(keys), None if objective is None else repr(objective))
        if memo in self._memo:
            self.last_value, self.last_cap_costs = self._memo[memo]
            return "feasible", set()
        model = self.pm.model
        model.clear_assumptions()
        # Guards left out are assumed false, not left free: the same question, but the solver
        # drops those constraints in presolve instead of searching over them.
        model.add_assumptions(
            [self.guards[k] if k in keys else ~self.guards[k] for k in sorted(self.guards, key=_sort_key)]
        )
        model.minimize(objective if objective is not None else self.pm.total_cost)
        status = self._solve("first_plan" if objective is None else "optimum")
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if objective is None or status == cp_model.OPTIMAL:
                self.last_value = round(self.last_solver.objective_value)
                self.last_cap_costs = {
                    key: self.last_solver.value(self._budget_expression(key)[0])
                    for key in self.guards
                    if key[0] in BUDGET_KINDS
                }
                self._memo[memo] = (self.last_value, self.last_cap_costs)
            return "feasible" if objective is None or status == cp_model.OPTIMAL else "unknown", set()
        if status != cp_model.INFEASIBLE:
            return "unknown", set()
        if objective is not None or not want_core:
            return "infeasible", set()
        model.clear_objective()
        status = self._solve("core")
        if status == cp_model.INFEASIBLE:
            indexes = self.last_solver.sufficient_assumptions_for_infeasibility()
            return "infeasible", {self.by_index[i] for i in indexes if i in self.by_index}
        return "unknown", set()

    def _solve(self, purpose: str) -> int:
        """One CP-SAT run; ``purpose`` picks its parameters (see ``SOLVE_PARAMETERS``)."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return cp_model.UNKNOWN
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1  # CP-SAT searches with assumptions on one worker anyway
        solver.parameters.max_time_in_seconds = min(remaining, 20.0)
        for name, value in SOLVE_PARAMETERS[purpose].items():
            setattr(solver.parameters, name, value)
        self.last_solver = solver
        return solve_stoppable(solver, self.pm.model)  # Ctrl-C stops it at once (see interrupt.py)

    def _minimise(self, core: set[tuple]) -> set[tuple]:
        """Deletion pass: drop each guard whose removal leaves the rest infeasible."""
        for key in sorted(core, key=_deletion_order):
            if key not in core:
                continue
            status, smaller = self._check(core - {key})
            if status == "infeasible":
                core = smaller & (core - {key}) or core - {key}
            elif status == "unknown":
                self.complete = False
        return core

    # -- words ---------------------------------------------------------------------------------------

    def _describe(self, core: set[tuple], cheapest: int | None = None) -> Conflict:
        facts = [self.words.fact(key) for key in sorted(core, key=_presentation_order)]
        conflict = Conflict(facts)
        others = set().union(*(c for c in self.found if c is not core))
        base = (self.active | core) - others
        for key in sorted(core, key=_presentation_order):
            for suggestion in self._suggest(key, base, core, conflict, cheapest):
                if suggestion not in conflict.suggestions:
                    conflict.suggestions.append(suggestion)
        self._add_overlap_detail(core, conflict)
        return conflict

    def _suggest(
        self, key: tuple, base: set[tuple], core: set[tuple], conflict: Conflict, cheapest: int | None
    ) -> list[str]:
        kind = key[0]
        words, s = self.words, self.instance.scenario
        if kind in BUDGET_KINDS:
            expression, cap = self._budget_expression(key)
            if cheapest is None:
                status, _ = self._check(base - {key}, objective=expression)
                if status != "feasible":
                    return [f"raise {words.fact(key).place}"]
                cheapest = self.last_value
            short = cheapest - cap
            index = next(i for i, f in enumerate(conflict.facts) if f.key == key)
            fact = conflict.facts[index]
            text = f"{fact.text}; the cheapest plan that keeps every other rule costs {words.money(cheapest)}: short by {words.money(short)}"
            conflict.facts[index] = type(fact)(fact.key, text, fact.place)
            out = [f"raise {fact.place} by {words.money(short)} to {words.money(cheapest)}"]
            required = [e for e in s.events.values() if not e.optional]
            if required:
                out.append(
                    "make some required events optional, or cheaper (fewer funded travellers, nearer or cheaper venues)"
                )
            return out
        if kind == "window":
            widened = self._widen(key[1], base - {key}, core - {key})
            if widened is not None:
                n, first, last = widened
                return [
                    f"widen the window of {key[1]} by {n} day{'s' if n != 1 else ''} on each side (to {first.isoformat()}/{last.isoformat()})"
                ]
            return []
        if kind == "required":
            return [words.make_optional(key[1])]
        if kind in ("leave", "busy"):
            return [f"free {words.person(key[1])} on those days, or name someone else in their place"]
        if kind == "overlap":
            return [
                f"free {words.person(key[1])} from one of the colliding occurrences (or let a seat be filled by someone else)"
            ]
        if kind == "team_load":
            return [f"raise project.max_concurrent_events to {s.project.max_concurrent_events + 1}"]
        if kind == "series":
            return [f"raise the repeat.tolerance_days of {key[1]}"]
        if kind == "order":
            return [f"shorten the gap required between {key[1]} and {key[2]}"]
        if kind == "seats":
            return [f"lower the seats of {key[1]} or give the role to more people"]
        if kind == "closure":
            return [f"reopen venue {key[1]} on part of {key[2]}, or add another venue to the event"]
        return []

    def _budget_expression(self, key: tuple):
        s, pm = self.instance.scenario, self.pm
        if key[0] == "budget_total":
            return pm.total_cost, s.budget.total
        if key[0] == "budget_category":
            return pm.category_cost.get(key[1], 0), s.budget.categories[key[1]]
        return pm.year_cost.get(key[1], 0), s.budget.years[key[1]]

    def _widen(self, eid: str, base: set[tuple], conflict: set[tuple]):
        """The smallest widening (same number of days on each side) that resolves the conflict with
        the rules in ``base`` in force; ``conflict`` is the conflict's own rules, the window left out.

        A wider window contains the narrower, so widening further never hurts and a binary search
        over ``WIDEN_STEPS`` finds the smallest. It runs first on the conflict's own rules, a handful
        of guards whose checks take a fraction of the whole model's: no widening smaller than the
        one that resolves the conflict alone can resolve it under every rule, and none at all when
        even the largest does not. The whole model is tried from there, step by step for the first
        few steps (a widening too small is mostly refuted in presolve, in a fraction of the time a
        plan takes to find, so a plan is searched for about once), then by binary search."""
        inst = self.instance
        lower = self._smallest_widening(eid, conflict, 0)
        if lower is None:
            return None
        scanned = range(lower, min(lower + WIDEN_SCAN, len(WIDEN_STEPS)))
        for index in scanned:
            status, _ = self._check(base | {self._widened_guard(eid, WIDEN_STEPS[index])}, want_core=False)
            if status == "feasible":
                found = index
                break
        else:
            found = self._smallest_widening(eid, base, scanned.stop)
        if found is None:
            return None
        best = WIDEN_STEPS[found]
        window = inst.scenario.events[eid].window
        return (
            best,
            max(window.first - dt.timedelta(days=best), inst.project.start),
            min(window.last + dt.timedelta(days=best), inst.project.end),
        )

    def _smallest_widening(self, eid: str, keys: set[tuple], low: int) -> int | None:
        """The index in ``WIDEN_STEPS``, from ``low`` on, of the smallest widening under which the
        rules in ``keys`` can hold; None where none can (or no check finished)."""
        high, best = len(WIDEN_STEPS) - 1, None
        while low <= high:
            mid = (low + high) // 2
            status, _ = self._check(keys | {self._widened_guard(eid, WIDEN_STEPS[mid])}, want_core=False)
            if status == "feasible":
                best, high = mid, mid - 1
            else:
                low = mid + 1
        return best

    def _widened_guard(self, eid: str, n: int) -> tuple:
        """The guard key of "``eid``'s window widened by ``n`` days on each side", made on first use."""
        key = ("widen", eid, n)
        if key in self.guards:
            return key
        pm, inst = self.pm, self.instance
        lit = pm.model.new_bool_var(f"widen_{eid}_{n}")
        for o in inst.by_event[eid]:
            first, last = inst.window_starts(o)
            lo, hi = max(0, first - n), min(inst.horizon - o.duration, last + n)
            if hi < lo:
                pm.model.add(pm.scheduled[o.id] == 0).only_enforce_if(lit)
            else:
                pm.model.add_linear_constraint(pm.start[o.id], lo, hi).only_enforce_if(pm.scheduled[o.id], lit)
        self.guards[key] = lit
        self.by_index[lit.index] = key
        return key

    def _add_overlap_detail(self, core: set[tuple], conflict: Conflict) -> None:
        """For a person who cannot be in two places: name the occurrences in the conflict they attend."""
        events = {k[1] for k in core if k[0] in ("required", "window", "order", "series")}
        for key in core:
            if key[0] != "overlap":
                continue
            person = key[1]
            theirs = sorted(
                {
                    o.event.id
                    for o in self.instance.occurrences
                    if o.event.id in events and (person in o.fixed or person in o.seat_candidates)
                }
            )
            if len(theirs) >= 2:
                index = next(i for i, f in enumerate(conflict.facts) if f.key == key)
                fact = conflict.facts[index]
                names = " and ".join(self.words.event(e) for e in theirs)
                conflict.facts[index] = type(fact)(fact.key, f"{fact.text}: {names} both need them", fact.place)


def _sort_key(key: tuple) -> str:
    return repr(key)


def _deletion_order(key: tuple) -> tuple:
    """Try to drop the least telling guards first, so the conflict keeps the ones a coordinator acts on."""
    kind = key[0]
    rank = {"days_of_week": 0, "venue_overlap": 1, "overlap": 2, "capacity": 3}.get(kind, 5)
    return (rank, repr(key))


PRESENTATION = (
    "required",
    "window",
    "series",
    "order",
    "seats",
    "capacity",
    "days_of_week",
    "holiday",
    "closure",
    "booked",
    "leave",
    "busy",
    "home_holiday",
    "overlap",
    "venue_overlap",
    "team_load",
    "budget_total",
    "budget_category",
    "budget_year",
)


def _presentation_order(key: tuple) -> tuple:
    kind = key[0]
    return (PRESENTATION.index(kind) if kind in PRESENTATION else len(PRESENTATION), repr(key))
