"""The ten rules of "What a valid plan is", one function each, in the order of the spec.

Each ``add_*`` takes the ``PlanModel`` first and adds the hard constraints of its rule family; each
constraint instance is guarded by ``pm.guard(rule, key…)``, which is empty when solving and an
assumption literal when explaining infeasibility. ``RULES`` lists them in order; the names are the
ones explanations and tests use.
"""

from __future__ import annotations

from collections import defaultdict

import pendulum
from ortools.sat.python import cp_model

from scheduler.model.planmodel import PlanModel


def add_horizon_and_window(pm: PlanModel) -> None:
    """Hard constraint: every scheduled occurrence lies inside the horizon and its event's window."""
    m, inst = pm.model, pm.instance
    for o in inst.occurrences:
        with pm.owned(o.id):
            first, last = inst.window_starts(o)
            guard = pm.guard("window", o.event.id)
            if last < first:
                m.add(pm.scheduled[o.id] == 0).only_enforce_if(guard)
            else:
                m.add_linear_constraint(pm.start[o.id], first, last).only_enforce_if(pm.scheduled[o.id], *guard)


def add_event_days(pm: PlanModel) -> None:
    """Hard constraint: every event day is a working day of the project, not a public holiday of
    the venue's country and not a day the venue is unavailable."""
    m, inst = pm.model, pm.instance
    domains: dict[tuple[int, ...], cp_model.Domain] = {}
    for o in inst.occurrences:
        with pm.owned(o.id):
            for v in o.event.venues:
                starts = inst.event_day_starts(o, v)
                guard = pm.guard("event_days", v)
                if not starts:
                    m.add(pm.at[o.id][v] == 0).only_enforce_if(guard)
                    continue
                domain = domains.get(starts) or domains.setdefault(starts, cp_model.Domain.from_values(starts))
                m.add_linear_expression_in_domain(pm.start[o.id], domain).only_enforce_if(pm.at[o.id][v], *guard)


def add_attendance_days(pm: PlanModel) -> None:
    """Hard constraint: no away day of an attendee is unavailable, busy in their calendar (or a
    public holiday at home, with ``avoid_attendee_holidays``), and nobody is away for two
    occurrences on the same day.

    Each attendance is an optional interval of away days (two where the person lives in a city
    the occurrence may be held in: away without the travel days when it is held there). A
    person's blocked days are fixed intervals, one per run of consecutive days, in the same
    no-overlap: exact, and a few intervals per person instead of a domain constraint per
    occurrence, person and venue. Intervals whose reach (every day they could cover) meets no
    other interval of the person's are left out, and the no-overlap is split into groups whose
    reaches chain together: the same rule, with a smaller model."""
    m, inst = pm.model, pm.instance
    people = inst.scenario.people
    venues_at = inst.scenario.venues
    # person -> [(first reachable day, last reachable day, occurrence, lo, hi, part)]
    items: dict[str, list[tuple]] = defaultdict(list)
    for o in inst.occurrences:
        first, last = inst.window_starts(o)
        if last < first:
            continue
        event = o.event
        locations = {venues_at[v].location for v in event.venues}
        local = (0, o.duration - 1)
        travel = (-event.travel_days_before, o.duration - 1 + event.travel_days_after)
        for p in pm.people_of(o):
            home = people[p].home
            if home not in locations:
                parts = [(travel, "all")]
            elif len(locations) == 1:
                parts = [(local, "all")]
            else:
                parts = [(local, "local"), (travel, "travel")]
            for (lo, hi), part in parts:
                items[p].append((first + lo, last + hi, o, lo, hi, part))
    for p in sorted(items):
        spans = items[p]
        low, high = min(a for a, *_ in spans), max(b for _, b, *_ in spans)
        blocked = [d for d in inst.person_blocked[p].reasons if low <= d <= high]
        fixed = [(a, b, None, 0, b - a, "blocked") for a, b in _runs(sorted(blocked))]
        for group in _chains(sorted(spans + fixed, key=lambda item: (item[0], item[1]))):
            if len(group) < 2 or all(item[2] is None for item in group):
                continue
            if len(group) == 2 and group[0][2] is group[1][2]:
                continue  # the local and the travelling attendance of one occurrence: never both
            intervals = [_away_interval(pm, p, item) for item in group]
            m.add_no_overlap(intervals)


def _chains(items: list[tuple]) -> list[list[tuple]]:
    """Items sorted by first day, grouped so that each group's reaches chain into one run."""
    groups: list[list[tuple]] = []
    end = None
    for item in items:
        if end is None or item[0] > end:
            groups.append([])
            end = item[1]
        groups[-1].append(item)
        end = max(end, item[1])
    return groups


def _away_interval(pm: PlanModel, person: str, item: tuple):
    """The interval of one item of ``add_attendance_days``: a blocked run, or an attendance."""
    first, _last, o, lo, hi, part = item
    if o is None:
        guard = pm.guard("attendance_days", person)
        return pm.interval(None, first, hi + 1, guard[0] if guard else None, f"blocked_{person}_{first}")
    with pm.owned(o.id):
        if part == "all":
            presence = pm.attends_literal(o, person)
        else:
            local, travelling = _local_or_travelling(pm, o, person)
            presence = local if part == "local" else travelling
        return pm.interval(pm.start[o.id], lo, hi - lo + 1, presence, f"away_{o.id}_{person}_{lo}")


def _local_or_travelling(pm: PlanModel, o, person: str):
    """Two literals: the person attends and the occurrence is held in their home city, or
    elsewhere (exactly one of them when they attend, none otherwise)."""
    key = ("local", o.id, person)
    if key not in pm._or_cache:
        m = pm.model
        attends = pm.attends_literal(o, person)
        here = pm.at_city(o, pm.instance.scenario.people[person].home)
        local = m.new_bool_var(f"local_{o.id}_{person}")
        travelling = m.new_bool_var(f"travel_{o.id}_{person}")
        m.add(local + travelling == attends)
        m.add_implication(local, here)
        m.add_implication(travelling, ~here)
        pm._or_cache[key] = (local, travelling)
    return pm._or_cache[key]


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """Sorted days as runs of consecutive days, (first, last) each."""
    out: list[list[int]] = []
    for d in days:
        if out and d == out[-1][1] + 1:
            out[-1][1] = d
        else:
            out.append([d, d])
    return [(a, b) for a, b in out]


def add_attendees(pm: PlanModel) -> None:
    """Hard constraint: every seat entry is filled with exactly its number of people per country
    (or in total), chosen among holders of its role who are not already attendees."""
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
    key = ("floor", o.event.id, g)
    if key not in pm._or_cache:
        floors = []
        for v in o.event.venues:
            costs = sorted(sum(pm.attendee_cost(o, p, v).values()) for p in group.candidates)
            floors.append(sum(costs[: group.need]))
        pm._or_cache[key] = floors
    floors = pm._or_cache[key]
    if any(floors):
        pm.model.add(sum(terms) >= sum(f * pm.at[o.id][v] for f, v in zip(floors, o.event.venues, strict=True)))


def add_venue(pm: PlanModel) -> None:
    """Hard constraint: at most one occurrence per venue per day, and no more attendees than seats."""
    m, inst = pm.model, pm.instance
    intervals: dict[str, list] = defaultdict(list)
    for o in inst.occurrences:
        with pm.owned(o.id):
            for v in o.event.venues:
                capacity = inst.scenario.venues[v].capacity
                if o.size > capacity:
                    m.add(pm.at[o.id][v] == 0).only_enforce_if(pm.guard("capacity", o.event.id, v))
                intervals[v].append(pm.interval(pm.start[o.id], 0, o.duration, pm.at[o.id][v], f"venue_{o.id}_{v}"))
    for v in sorted(intervals):
        if len(intervals[v]) > 1:
            m.add_no_overlap(intervals[v])


def add_team_load(pm: PlanModel) -> None:
    """Hard constraint: with ``max_concurrent_events``, at most that many occurrences share a day."""
    m, inst = pm.model, pm.instance
    limit = inst.project.max_concurrent_events
    if limit is None or limit >= len(inst.occurrences):
        return
    intervals = []
    for o in inst.occurrences:
        with pm.owned(o.id):
            load = pm.interval(pm.start[o.id], 0, o.duration, pm.scheduled[o.id], f"load_{o.id}")
        intervals.append(load)
    m.add_cumulative(intervals, [1] * len(intervals), limit)


def add_order(pm: PlanModel) -> None:
    """Hard constraint: an event with ``after = [{event = O, …}]`` starts after every occurrence of
    O ends, with the gap between min_gap_days and max_gap_days; it is scheduled only if O is."""
    m, inst = pm.model, pm.instance
    for event in inst.scenario.events.values():
        for order in event.after:
            before = inst.by_event[order.event]
            guard = pm.guard("order", event.id, order.event)
            for o in inst.by_event[event.id]:
                with pm.owned(o.id, before[0].id):
                    m.add_implication(pm.scheduled[o.id], pm.scheduled[before[0].id]).only_enforce_if(guard)
                for b in before:
                    with pm.owned(o.id, b.id):
                        gap = pm.start[o.id] - (pm.start[b.id] + b.duration - 1) - 1
                        both = [pm.scheduled[o.id], pm.scheduled[b.id], *guard]
                        m.add(gap >= order.min_gap_days).only_enforce_if(both)
                        if order.max_gap_days is not None:
                            m.add(gap <= order.max_gap_days).only_enforce_if(both)


def add_series(pm: PlanModel) -> None:
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


def add_required(pm: PlanModel) -> None:
    """Hard constraint: every occurrence of an event with ``optional = false`` is scheduled."""
    m, inst = pm.model, pm.instance
    for o in inst.occurrences:
        with pm.owned(o.id):
            if not o.event.optional:
                m.add(pm.scheduled[o.id] == 1).only_enforce_if(pm.guard("required", o.event.id))


def add_budget(pm: PlanModel) -> None:
    """Hard constraint: the total cost, each capped category and each capped year stay within their caps."""
    m, inst = pm.model, pm.instance
    budget = inst.scenario.budget
    m.add(pm.total_cost <= budget.total).only_enforce_if(pm.guard("budget_total"))
    for category, cap in sorted(budget.categories.items()):
        m.add(pm.category_cost.get(category, 0) <= cap).only_enforce_if(pm.guard("budget_category", category))
    if budget.years:
        pm.year_cost = year_cost_expressions(pm)
        for year, cap in sorted(budget.years.items()):
            m.add(pm.year_cost.get(year, 0) <= cap).only_enforce_if(pm.guard("budget_year", year))


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


RULES = (
    ("horizon_and_window", add_horizon_and_window),
    ("event_days", add_event_days),
    ("attendance_days", add_attendance_days),
    ("attendees", add_attendees),
    ("venue", add_venue),
    ("team_load", add_team_load),
    ("order", add_order),
    ("series", add_series),
    ("required", add_required),
    ("budget", add_budget),
)


def add_rules(pm: PlanModel, skip: tuple[str, ...] = ()) -> None:
    """Add every rule family (tests leave one out with ``skip`` to show that it binds)."""
    for name, add in RULES:
        if name not in skip:
            add(pm)
