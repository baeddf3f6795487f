"""The plan's budget by cost category, as the spreadsheets and the report show it."""

from __future__ import annotations

from scheduler.plan import Plan
from scheduler.scenario.costs import BASE_CATEGORIES


def cost_categories(plan: Plan) -> list[str]:
    """The plan's categories: the four of the spec first, then the event-specific ones by name."""
    present = set(plan.categories) | {c for o in plan.scheduled for c in o.cost}
    return [c for c in BASE_CATEGORIES if c in present] + sorted(present - set(BASE_CATEGORIES))


def category_totals(plan: Plan) -> list[tuple[str, int, int | None]]:
    """``(category, total in cents, cap or None)`` per category: the plan's budget line where it
    has one, else the sum of the occurrences' costs, without a cap."""
    totals = []
    for category in cost_categories(plan):
        line = plan.categories.get(category)
        if line is not None:
            totals.append((category, line.total, line.limit))
        else:
            totals.append((category, sum(o.cost.get(category, 0) for o in plan.scheduled), None))
    return totals
