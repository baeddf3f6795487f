"""From the solver's values to the plan: the decision variables by name, the planned occurrences
with their costs recomputed from the cost model, the budget lines, and why each optional
occurrence was left out (see docs/plan.md)."""

from __future__ import annotations

from collections import Counter

from ortools.sat.python import cp_model

from scheduler.model.instance import Instance
from scheduler.model.objectives import Held, preferred_term
from scheduler.model.planmodel import PlanModel
from scheduler.model.reasons import explain_left_out
from scheduler.plan import Attendance, BudgetLine, Plan, PlannedOccurrence
from scheduler.scenario.costs import BASE_CATEGORIES


def variables(pm: PlanModel):
    for o in pm.instance.occurrences:
        yield f"s:{o.id}", pm.scheduled[o.id]
        yield f"t:{o.id}", pm.start[o.id]
        for v, var in pm.at[o.id].items():
            yield f"a:{o.id}:{v}", var
        for (g, p), var in pm.pick[o.id].items():
            yield f"p:{o.id}:{g}:{p}", var


def snapshot(pm: PlanModel, solver: cp_model.CpSolver) -> dict[str, int]:
    return {name: solver.value(var) for name, var in variables(pm)}


def to_plan(pm: PlanModel, solution: dict[str, int], status: str, seconds: float, seed: int, workers: int) -> Plan:
    """Map a solution (``snapshot``'s values) to the plan, with why each occurrence left out is."""
    inst = pm.instance
    held = {}
    for o in inst.occurrences:
        if solution[f"s:{o.id}"]:
            venue = next(v for v in o.event.venues if solution[f"a:{o.id}:{v}"])
            seated = sorted({p for (g, p) in pm.pick[o.id] if solution[f"p:{o.id}:{g}:{p}"]})
            held[o.id] = (solution[f"t:{o.id}"], venue, seated)
    plan = plan_of(inst, held, status, seconds, seed, workers)
    explain_left_out(inst, plan)
    return plan


def plan_of(inst: Instance, held: dict, status: str, seconds: float, seed: int = 0, workers: int = 1) -> Plan:
    """The plan holding each occurrence of ``held`` (occurrence -> (start day, venue, seat
    holders)) and leaving out the others; costs and the objective vector are recomputed from the
    cost model, so the plan never depends on how the model or the search summed them."""
    s = inst.scenario
    occurrences: list[PlannedOccurrence] = []
    category_totals: Counter = Counter()
    year_totals: Counter = Counter()
    outside = priority = 0
    for o in inst.occurrences:
        item = PlannedOccurrence(o.id, o.event.id, o.index, o.event.kind, o.event.title, o.id in held)
        occurrences.append(item)
        if not item.scheduled:
            continue
        start_day, venue, seated = held[o.id]
        people = [*o.fixed, *seated]
        item.start, item.end = inst.date(start_day), inst.date(start_day + o.duration - 1)
        item.venue = venue
        location = s.venue_location(venue)
        item.location, item.country = location.id, location.country
        for p in sorted(people):
            lo, hi = inst.away_offsets(o, p, venue)
            item.attendees.append(Attendance(p, inst.date(start_day + lo), inst.date(start_day + hi)))
        cost = inst.prices.held(o, venue, seated)
        item.cost = {c: cost.get(c, 0) for c in inst.prices.categories() if c in cost or c in BASE_CATEGORIES}
        category_totals.update(item.cost)
        year_totals[item.start.year] += item.total_cost
        outside += preferred_term(inst, o, Held(start_day, venue, frozenset(people), 0))
        priority += o.event.priority if o.event.optional else 0
    objective = [priority, 0, sum(category_totals.values()), outside]
    budget = s.budget
    categories = {c: BudgetLine(category_totals.get(c, 0), budget.categories.get(c)) for c in inst.prices.categories()}
    years = {
        y: BudgetLine(year_totals.get(y, 0), budget.years.get(y)) for y in sorted(set(year_totals) | set(budget.years))
    }
    project = {"id": s.project.id, "name": s.project.name, "currency": s.project.currency}
    return Plan(project, status, objective, seconds, seed, workers, occurrences, budget.total, categories, years)
