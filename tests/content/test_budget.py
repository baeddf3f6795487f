"""The budget by category (``scheduler.content.budget``): the spec's four first, then the others by
name; a category's total is the plan's budget line, or the occurrences' costs summed."""

from __future__ import annotations

import copy

from scheduler.content.budget import category_totals, cost_categories
from scheduler.scenario.costs import BASE_CATEGORIES


def test_categories_come_in_the_specs_order_then_by_name(plan):
    categories = cost_categories(plan)
    base = [c for c in categories if c in BASE_CATEGORIES]
    assert base == [c for c in BASE_CATEGORIES if c in categories]
    assert categories[len(base) :] == sorted(categories[len(base) :])


def test_a_categorys_total_is_its_budget_line_or_the_sum_of_the_occurrences(plan):
    totals = {category: (total, cap) for category, total, cap in category_totals(plan)}
    for category, line in plan.categories.items():
        assert totals[category] == (line.total, line.limit)
    without = copy.deepcopy(plan)
    without.categories = {}
    for category, total, cap in category_totals(without):
        assert cap is None and total == sum(o.cost.get(category, 0) for o in plan.scheduled)
    assert sum(total for _c, total, _cap in category_totals(without)) == plan.total_cost
