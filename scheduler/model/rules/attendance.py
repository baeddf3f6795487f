"""Rule 3, attendance days."""

from __future__ import annotations

from collections import defaultdict

from scheduler.model.planmodel import PlanModel
from scheduler.model.rules.explained import forbid_causes, one_at_a_time


def add(pm: PlanModel) -> None:
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
    if pm.guards.enabled:
        _add_explained(pm)
        return
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
            m.add_no_overlap([_away_interval(pm, p, item) for item in group])


def _add_explained(pm: PlanModel) -> None:
    """The rule cut finer: one guarded constraint per cause of a person's blocked days, and per
    person a guarded "away once a day"."""
    m, inst = pm.model, pm.instance
    intervals: dict[str, list] = defaultdict(list)
    for o in inst.occurrences:
        for p in pm.people_of(o):
            groups: dict[tuple[int, int], list[str]] = defaultdict(list)
            for v in o.event.venues:
                lo, hi = inst.away_offsets(o, p, v)
                groups[(lo, hi)].append(v)
                forbid_causes(pm, o, inst.person_blocked[p].causes, lo, hi, pm.attend_at(o, p, v))
            for (lo, hi), venues in sorted(groups.items()):
                presence = pm.any_of([pm.attend_at(o, p, v) for v in venues], f"away_{o.id}_{p}_{lo}")
                if len(groups) == 1:
                    presence = pm.attends_literal(o, p)
                interval = m.new_optional_fixed_size_interval_var(
                    pm.start[o.id] + lo, hi - lo + 1, presence, f"away_{o.id}_{p}_{lo}"
                )
                intervals[p].append(interval)
    for p in sorted(intervals):
        if len(intervals[p]) > 1:
            one_at_a_time(pm, intervals[p], pm.guard("overlap", p))


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
    """The interval of one item of ``add``: a blocked run, or an attendance."""
    first, _last, o, lo, hi, part = item
    if o is None:
        return pm.interval(None, first, hi + 1, None, f"blocked_{person}_{first}")
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

    def make():
        m = pm.model
        attends = pm.attends_literal(o, person)
        here = pm.at_city(o, pm.instance.scenario.people[person].home)
        local = m.new_bool_var(f"local_{o.id}_{person}")
        travelling = m.new_bool_var(f"travel_{o.id}_{person}")
        m.add(local + travelling == attends)
        m.add_implication(local, here)
        m.add_implication(travelling, ~here)
        return local, travelling

    return pm.remembered(("local", o.id, person), make)


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """Sorted days as runs of consecutive days, (first, last) each."""
    out: list[list[int]] = []
    for d in days:
        if out and d == out[-1][1] + 1:
            out[-1][1] = d
        else:
            out.append([d, d])
    return [(a, b) for a, b in out]
