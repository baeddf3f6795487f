"""The plan's money as linear expressions in cents, for the budget rule and the cost objective.

Per occurrence its cost (``pm.occurrence_cost``, with ``occurrence_cost_bound``, the most it can
cost), per seat group its holders' part (``pm.seat_cost``) and per category the plan's
(``pm.category_cost``); the amounts come from ``Prices``, the same figures the search and the
plan's own accounts use.
"""

from __future__ import annotations

from collections import defaultdict

from scheduler.model.instance import Instance


def add_cost_expressions(pm) -> None:
    """Linear expressions in cents on the ``PlanModel`` ``pm`` being made: per occurrence, and per
    category over the whole plan.

    Seat holders who cost the same at every venue of the occurrence (same home, same funding)
    form one cost class per seat group. Where the event has several venues, the number of a
    class's picks held at venue ``v`` is an integer ``n[g, k, v]`` (at most the seats, zero
    unless the occurrence is at ``v``, summing to the class's picks), and the class costs
    ``Σ_v cost_k(v) · n[g, k, v]``. This is exact, needs a handful of variables per group
    instead of one literal per candidate and venue, and its LP relaxation is at least as tight
    (the count is bounded by the seats, not by the class size)."""
    m, inst = pm.model, pm.instance
    prices = inst.prices
    categories = prices.categories()
    per_category: dict[str, list] = {c: [] for c in categories}
    for o in inst.occurrences:
        with pm.owned(o.id):
            terms, bound = [], 0
            venues = o.event.venues
            for v in venues:
                fixed = prices.fixed(o, v)
                for category, amount in sorted(fixed.items()):
                    if amount:
                        per_category[category].append(amount * pm.at[o.id][v])
                        terms.append(amount * pm.at[o.id][v])
                        bound += amount
            for g, group in enumerate(o.seat_groups):
                group_terms: list = []
                classes: dict[tuple, list[str]] = defaultdict(list)
                for members in _by_home(inst, group.candidates).values():
                    p = members[0]
                    key = tuple(tuple(sorted(prices.attendee(o, p, v).items())) for v in venues)
                    classes[key] += members
                for k, (key, members) in enumerate(sorted(classes.items())):
                    if not any(amount for cost in key for _c, amount in cost):
                        continue
                    picked = sum(pm.pick[o.id][(g, p)] for p in members)
                    seats = min(group.need, len(members))
                    bound += seats * max(sum(a for _c, a in cost) for cost in key)
                    if len(set(key)) == 1:
                        counted = [(key[0], picked)]
                    else:
                        counted = []
                        shares = []
                        for v, cost in zip(venues, key, strict=True):
                            share = m.new_int_var(0, seats, f"held_{o.id}_{g}_{k}_{v}")
                            m.add(share <= seats * pm.at[o.id][v])
                            shares.append(share)
                            counted.append((cost, share))
                        m.add(sum(shares) == picked)
                    for cost, count in counted:
                        for category, amount in cost:
                            if amount:
                                per_category[category].append(amount * count)
                                terms.append(amount * count)
                                group_terms.append(amount * count)
                pm.seat_cost[(o.id, g)] = group_terms
            pm.occurrence_cost[o.id] = sum(terms) if terms else 0
            pm.occurrence_cost_bound[o.id] = bound
    pm.category_cost = {c: (sum(t) if t else 0) for c, t in per_category.items()}


def _by_home(inst: Instance, people: tuple[str, ...]) -> dict[tuple[str, bool], list[str]]:
    """People grouped by home and funding, the two things their costs depend on."""
    out: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for pid in people:
        person = inst.scenario.people[pid]
        out[(person.home, person.funded)].append(pid)
    return out
