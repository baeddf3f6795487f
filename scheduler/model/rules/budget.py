"""Rule 10, budget."""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.model.planmodel import PlanModel


def add(pm: PlanModel) -> None:
    """Hard constraint: the total cost, each capped category and each capped year stay within their caps."""
    budget = pm.instance.scenario.budget
    _cap(pm, pm.total_cost, budget.total, "budget_total")
    for category, cap in sorted(budget.categories.items()):
        _cap(pm, pm.category_cost.get(category, 0), cap, "budget_category", category)
    if budget.years:
        pm.year_cost = year_cost_expressions(pm)
        for year, cap in sorted(budget.years.items()):
            _cap(pm, pm.year_cost.get(year, 0), cap, "budget_year", year)


def _cap(pm: PlanModel, spent, cap: int, *guard_key) -> None:
    """``spent <= cap``; nothing where nothing can be spent there (a cap is never below 0)."""
    if isinstance(spent, int):
        return
    pm.model.add(spent <= cap).only_enforce_if(pm.guard(*guard_key))


def year_cost_expressions(pm: PlanModel) -> dict[int, cp_model.LinearExpr]:
    """The cost of the occurrences that start in each year, as linear expressions."""
    m, inst = pm.model, pm.instance
    per_year: dict[int, list] = defaultdict(list)
    for o in inst.occurrences:
        with pm.owned(o.id):
            first, last = inst.window_starts(o)
            if last < first:
                continue
            years = range(inst.date(first).year, inst.date(last).year + 1)
            if len(years) == 1:
                per_year[years[0]].append(pm.occurrence_cost[o.id])
                continue
            bound = pm.occurrence_cost_bound[o.id]
            in_year = []
            for year in years:
                lit = m.new_bool_var(f"year_{o.id}_{year}")
                lo = max(first, inst.day(inst.date(0).replace(year=year, month=1, day=1)))
                hi = min(last, inst.day(inst.date(0).replace(year=year, month=12, day=31)))
                m.add_linear_constraint(pm.start[o.id], lo, hi).only_enforce_if(lit)
                share = m.new_int_var(0, bound, f"cost_{o.id}_{year}")
                m.add(share == pm.occurrence_cost[o.id]).only_enforce_if(lit)
                m.add(share == 0).only_enforce_if(~lit)
                per_year[year].append(share)
                in_year.append(lit)
            m.add(sum(in_year) == pm.scheduled[o.id])
    return {year: sum(terms) for year, terms in per_year.items()}
