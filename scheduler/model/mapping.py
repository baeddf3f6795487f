"""From the solver's values to the plan: the decision variables by name, the planned occurrences
with their costs recomputed from the cost model, the budget lines, and why each optional
occurrence was left out (see docs/plan.md)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from scheduler.model.instance import Instance, Occurrence
from scheduler.model.planmodel import PlanModel
from scheduler.plan import Attendance, BudgetLine, Plan, PlannedOccurrence

if TYPE_CHECKING:
    from scheduler.solver.lexicographic import SolveOptions


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


def to_plan(pm: PlanModel, solution: dict[str, int], status: str, seconds: float, options: SolveOptions) -> Plan:
    """Map the solution back to domain objects; costs and the objective vector are recomputed
    from the cost model, so the plan never depends on how the model summed them."""
    inst = pm.instance
    s = inst.scenario
    occurrences: list[PlannedOccurrence] = []
    category_totals: Counter = Counter()
    year_totals: Counter = Counter()
    outside = 0
    for o in inst.occurrences:
        item = PlannedOccurrence(o.id, o.event.id, o.index, o.event.kind, o.event.title, bool(solution[f"s:{o.id}"]))
        if item.scheduled:
            start_day = solution[f"t:{o.id}"]
            venue = next(v for v in o.event.venues if solution[f"a:{o.id}:{v}"])
            people = list(o.fixed) + sorted({p for (g, p) in pm.pick[o.id] if solution[f"p:{o.id}:{g}:{p}"]})
            item.start, item.end = inst.date(start_day), inst.date(start_day + o.duration - 1)
            item.venue = venue
            location = s.venue_location(venue)
            item.location, item.country = location.id, location.country
            cost = inst.costs.occurrence_fixed(o.event, venue)
            for p in sorted(people):
                lo, hi = inst.away_offsets(o, p, venue)
                item.attendees.append(Attendance(p, inst.date(start_day + lo), inst.date(start_day + hi)))
                cost.update(inst.costs.attendee(s.people[p], o.event, venue))
            item.cost = {
                c: cost.get(c, 0)
                for c in inst.costs.categories()
                if c in cost or c in ("travel", "per_diem", "accommodation", "venue")
            }
            category_totals.update(item.cost)
            year_totals[item.start.year] += item.total_cost
            outside += sum(
                1
                for d in range(o.duration)
                if o.event.preferred and not any(inst.date(start_day + d) in r for r in o.event.preferred)
            )
        occurrences.append(item)
    _explain_left_out(pm, occurrences, category_totals, year_totals)
    priority = sum(o.event.priority for o in inst.occurrences if o.event.optional and solution[f"s:{o.id}"])
    objective = [priority, 0, sum(category_totals.values()), outside]
    budget = s.budget
    categories = {c: BudgetLine(category_totals.get(c, 0), budget.categories.get(c)) for c in inst.costs.categories()}
    years = {
        y: BudgetLine(year_totals.get(y, 0), budget.years.get(y)) for y in sorted(set(year_totals) | set(budget.years))
    }
    project = {"id": s.project.id, "name": s.project.name, "currency": s.project.currency}
    return Plan(
        project,
        status,
        objective,
        seconds,
        options.seed,
        options.workers,
        occurrences,
        budget.total,
        categories,
        years,
    )


def _explain_left_out(pm: PlanModel, occurrences: list[PlannedOccurrence], categories: Counter, years: Counter) -> None:
    """Why each optional occurrence was left out, in one word and a sentence (see docs/plan.md)."""
    inst = pm.instance
    s = inst.scenario
    scheduled = {o.id for o in occurrences if o.scheduled}
    total = sum(categories.values())
    for item in occurrences:
        if item.scheduled:
            continue
        o = inst.by_id[item.id]
        if o.index > 1 and f"{o.event.id}-{o.index - 1}" not in scheduled:
            item.reason, item.detail = (
                "series",
                f"the series' occurrence {o.index - 1} is not scheduled",
            )
            continue
        missing = [a.event for a in o.event.after if f"{a.event}-1" not in scheduled]
        if missing:
            item.reason, item.detail = (
                "order",
                f"it comes after {', '.join(missing)}, which is not scheduled",
            )
            continue
        if not has_possible_start(inst, o):
            item.reason, item.detail = (
                "calendar",
                "no day in its window suits its venues and its attendees",
            )
            continue
        least = cheapest(pm, o)
        short = []
        if total + least > s.budget.total:
            short.append(f"the total budget has {(s.budget.total - total) / 100:,.2f} left")
        for category, cap in s.budget.categories.items():
            need = cheapest(pm, o, category)
            if need and categories.get(category, 0) + need > cap:
                short.append(f"the {category} cap has {(cap - categories.get(category, 0)) / 100:,.2f} left")
        first, last = inst.window_starts(o)
        for year in range(inst.date(first).year, inst.date(last).year + 1):
            cap = s.budget.years.get(year)
            if cap is not None and years.get(year, 0) + least > cap:
                short.append(f"the {year} cap has {(cap - years.get(year, 0)) / 100:,.2f} left")
        if short:
            item.reason = "budget"
            item.detail = f"it costs at least {least / 100:,.2f} {s.project.currency}; " + "; ".join(short)
        else:
            item.reason, item.detail = (
                "calendar",
                "no dates are left for it beside the occurrences that matter more",
            )


def has_possible_start(inst: Instance, o: Occurrence) -> bool:
    first, last = inst.window_starts(o)
    if last < first:
        return False
    for v in o.event.venues:
        if o.size > inst.scenario.venues[v].capacity:
            continue
        starts = set(inst.event_day_starts(o, v))
        for p in o.fixed:
            starts &= set(inst.attendance_starts(o, p, v))
        if any(first <= d <= last for d in starts):
            return True
    return False


def cheapest(pm: PlanModel, o: Occurrence, category: str | None = None) -> int:
    """The least an occurrence can cost (in one category, or in all), over its venues and seats."""
    return min((least_at(pm, o, v, category) for v in o.event.venues), default=0)


def least_at(pm: PlanModel, o: Occurrence, venue: str, category: str | None = None) -> int:
    """The least an occurrence held at ``venue`` can cost (in one category, or in all): its fixed
    costs and, per seat group, its cheapest candidates there."""

    def amount(cost) -> int:
        return cost.get(category, 0) if category else sum(cost.values())

    total = amount(pm.fixed_cost(o, venue))
    for group in o.seat_groups:
        costs = sorted(amount(pm.attendee_cost(o, p, venue)) for p in group.candidates)
        total += sum(costs[: group.need])
    return total
