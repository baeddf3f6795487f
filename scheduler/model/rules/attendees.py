"""Rule 4, attendees."""

from __future__ import annotations

from scheduler.model.planmodel import PlanModel


def add(pm: PlanModel) -> None:
    """Hard constraint: every seat entry is filled with exactly its number of people per country
    (or in total), chosen among holders of its role who are not already attendees.

    Named attendees need no constraint: they attend exactly when the occurrence is scheduled."""
    m, inst = pm.model, pm.instance
    for o in inst.occurrences:
        with pm.owned(o.id):
            for g, group in enumerate(o.seat_groups):
                picks = [pm.pick[o.id][(g, p)] for p in group.candidates]
                guard = pm.guard("seats", o.event.id, group.seat_index, group.country)
                m.add(sum(picks) == group.need * pm.scheduled[o.id]).only_enforce_if(guard)
                if guard:  # switched off, the seat still cannot be filled when not scheduled
                    for lit in picks:
                        m.add_implication(lit, pm.scheduled[o.id])
                else:
                    _add_seat_cost_floor(pm, o, g)


def _add_seat_cost_floor(pm: PlanModel, o, g: int) -> None:
    """Redundant cut: held at ``v``, a filled seat group costs at least its ``need`` cheapest
    candidates there. Without it the LP relaxation splits an occurrence between venues and fills
    each share with the people cheapest at that venue, a bound far below any plan; with it the
    cost bound at the root is the sum of each occurrence's cheapest way to be held."""
    terms = pm.seat_cost.get((o.id, g))
    if not terms:
        return
    group = o.seat_groups[g]
    prices = pm.instance.prices
    floors = [prices.seat_floor(o, group, v) for v in o.event.venues]
    if any(floors):
        pm.model.add(sum(terms) >= sum(f * pm.at[o.id][v] for f, v in zip(floors, o.event.venues, strict=True)))
