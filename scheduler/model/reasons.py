"""Why an occurrence is left out of a plan: a word and a sentence for the coordinator (see
docs/plan.md)."""

from __future__ import annotations

from scheduler.model.instance import Instance, Occurrence
from scheduler.plan import Plan


def explain_left_out(inst: Instance, plan: Plan) -> None:
    """Why each optional occurrence was left out, in one word and a sentence (see docs/plan.md)."""
    s = inst.scenario
    occurrences = plan.occurrences
    scheduled = {o.id for o in occurrences if o.scheduled}
    categories = {c: line.total for c, line in plan.categories.items()}
    years = {y: line.total for y, line in plan.years.items()}
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
        least = inst.prices.cheapest(o)
        short = []
        if total + least > s.budget.total:
            short.append(f"the total budget has {(s.budget.total - total) / 100:,.2f} left")
        for category, cap in s.budget.categories.items():
            need = inst.prices.cheapest(o, category)
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
