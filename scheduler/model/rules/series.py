"""Rule 8, series."""

from __future__ import annotations

import pendulum

from scheduler.model.planmodel import PlanModel


def add(pm: PlanModel) -> None:
    """Hard constraint: occurrence k+1 of a series starts within tolerance_days of the day
    every_months calendar months after occurrence k's start (day of month clamped to the month's
    end), and only if occurrence k is scheduled."""
    m, inst = pm.model, pm.instance
    for event in inst.scenario.events.values():
        if event.repeat is None or event.repeat.count < 2:
            continue
        tolerance = event.repeat.tolerance_days
        occurrences = inst.by_event[event.id]
        guard = pm.guard("series", event.id)
        first, last = inst.window_starts(occurrences[0])  # the same for every occurrence of the event
        runs = list(month_pieces(inst, first, last, event.repeat.every_months))
        for prev, nxt in zip(occurrences, occurrences[1:], strict=False):
            with pm.owned(prev.id, nxt.id):
                m.add_implication(pm.scheduled[nxt.id], pm.scheduled[prev.id])
                pieces = []
                for lo, hi, shift, fixed_day in runs:
                    piece = m.new_bool_var(f"series_{prev.id}_{lo}")
                    m.add_linear_constraint(pm.start[prev.id], lo, hi).only_enforce_if(piece)
                    both = [piece, pm.scheduled[nxt.id], *guard]
                    if fixed_day is None:
                        gap = pm.start[nxt.id] - pm.start[prev.id]
                        m.add_linear_constraint(gap, shift - tolerance, shift + tolerance).only_enforce_if(both)
                    else:
                        m.add_linear_constraint(
                            pm.start[nxt.id], fixed_day - tolerance, fixed_day + tolerance
                        ).only_enforce_if(both)
                    pieces.append(piece)
                m.add(sum(pieces) == pm.scheduled[prev.id])


def month_pieces(inst, first: int, last: int, months: int):
    """Split the start days [first, last] into runs on which "the same day ``months`` calendar
    months later" (pendulum's ``add(months=…)``, clamped to the month's end) is either the day plus
    a constant shift, or one fixed day (the clamped days at the end of a long month).

    Yields ``(lo, hi, shift, fixed_day)`` with exactly one of ``shift`` / ``fixed_day`` meaningful.
    This encodes the rule exactly with two literals per month instead of one per day."""
    day = first
    while day <= last:
        date = inst.date(day)
        month_start = date.replace(day=1)
        target = pendulum.Date(month_start.year, month_start.month, 1).add(months=months)
        target_length = target.days_in_month
        month_end = inst.day(pendulum.Date(month_start.year, month_start.month, 1).end_of("month"))
        shift = inst.day(target) - inst.day(month_start)
        normal_last = min(last, month_end, inst.day(month_start) + target_length - 1)
        if day <= normal_last:
            yield day, normal_last, shift, None
            day = normal_last + 1
        if day <= min(last, month_end):
            yield day, min(last, month_end), 0, inst.day(target.replace(day=target_length))
            day = min(last, month_end) + 1
