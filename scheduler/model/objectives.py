"""What makes one valid plan better than another: the spec's objectives, in priority order.

``OBJECTIVES`` is the one definition of the order. Each objective says how the model expresses it
for CP-SAT (``stage``: a linear expression, its bound and, per occurrence, its terms) and what one
occurrence contributes to it when the search holds it somewhere or leaves it out (``term``), so
the solver's lexicographic stages, the neighbourhoods' local objective, the ejection moves and
first fit all compare plans the same way. A plan is better when its ``worth`` tuple is smaller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from ortools.sat.python import cp_model

from scheduler.model import stability
from scheduler.model.planmodel import PlanModel

LEFT_OUT_REQUIRED = 10**9  # the priority a search loses by leaving a required occurrence out: no plan


@dataclass
class Stage:
    """One objective as CP-SAT sees it."""

    name: str
    expr: cp_model.LinearExprT
    maximize: bool
    bound: int  # no plan has a larger value: sizes the weights when stages are fused
    # Per occurrence: its term of ``expr`` and that term's largest value (focused neighbourhoods).
    parts: dict[str, tuple] | None = None
    floors: dict[str, int] = field(default_factory=dict)  # per occurrence: no term is better (default 0)
    floor: int | None = None  # no plan is better, given the stages before at their floors

    def minimised(self, value: int) -> int:
        """A value of this stage in the direction every comparison uses (smaller is better)."""
        return -value if self.maximize else value


class Held(NamedTuple):
    """An occurrence as the search holds it: what the objectives look at."""

    start: int  # day index
    venue: str
    people: frozenset[str]
    cost: int  # cents


@dataclass(frozen=True)
class Objective:
    name: str
    maximize: bool
    stage: Callable[[PlanModel, object], Stage | None]  # (model, previous plan or None)
    term: Callable  # (instance, occurrence, Held or None, published occurrence or None) -> int, to minimise
    floor_words: str | None = None  # said when a plan is proven optimal because it is at the floor
    least: Callable = lambda inst, o, venue: 0  # the least ``term`` of an occurrence held (at a venue)
    counts: Callable = lambda inst, previous: previous is not None  # whether it counts in this scenario

    def show(self, value: int, currency: str) -> str:
        if self.name == "cost":
            return f"cost {value / 100:,.2f} {currency}"
        if self.name == "preferred":
            return f"{value} day{'' if value == 1 else 's'} outside preferred"
        return f"{self.name} {value}"


# -- 1. priority ------------------------------------------------------------------------------


def priority_stage(pm: PlanModel, previous=None) -> Stage | None:
    """Soft constraint: hold the optional events that matter most (the sum of ``priority`` over
    the scheduled occurrences of optional events, maximised)."""
    optional = [o for o in pm.instance.occurrences if o.event.optional]
    if not optional:
        return None
    expr = sum(o.event.priority * pm.scheduled[o.id] for o in optional)
    best = sum(o.event.priority for o in optional)
    parts = {o.id: (o.event.priority * pm.scheduled[o.id], o.event.priority) for o in optional}
    return Stage("priority", expr, True, best, parts, floor=best)


def priority_term(inst, o, held: Held | None, published=None) -> int:
    if held is not None:
        return 0
    return o.event.priority if o.event.optional else LEFT_OUT_REQUIRED


# -- 2. changes to the published plan ---------------------------------------------------------


def changes_stage(pm: PlanModel, previous=None) -> Stage | None:
    """Soft constraint: with ``--previous``, change as few published occurrences as possible
    (dates, venue or attendees changed, or dropped), minimised."""
    if previous is None:
        return None
    changes, bound = stability.published_changes(pm, previous)
    return Stage("changes", changes, False, bound, floor=0)


def changes_term(inst, o, held: Held | None, published=None) -> int:
    if published is None:
        return 0
    return int(held is None or not stability.held_as_published(inst, o, held, published))


# -- 3. cost ----------------------------------------------------------------------------------


def cost_stage(pm: PlanModel, previous=None) -> Stage:
    """Soft constraint: the total cost in cents, minimised. Every occurrence costs at least its
    cheapest way to be held, and with the best priority every optional one is held: the sum of
    those is the floor."""
    inst = pm.instance
    cheapest = {o.id: inst.prices.cheapest(o) for o in inst.occurrences}
    parts = {o.id: (pm.occurrence_cost[o.id], pm.occurrence_cost_bound[o.id]) for o in inst.occurrences}
    total = sum(pm.occurrence_cost_bound.values())
    return Stage("cost", pm.total_cost, False, total, parts, cheapest, sum(cheapest.values()))


def cost_term(inst, o, held: Held | None, published=None) -> int:
    return 0 if held is None else held.cost


# -- 4. days outside the preferred dates ------------------------------------------------------


def preferred_stage(pm: PlanModel, previous=None) -> Stage | None:
    """Soft constraint: the number of event days outside the ``preferred`` ranges, minimised."""
    inst = pm.instance
    penalties = preference_penalties(pm)
    if not penalties:
        return None
    bound = sum(o.duration for o in inst.occurrences if o.event.preferred)
    parts = {oid: (var, inst.by_id[oid].duration) for oid, var in penalties.items()}
    return Stage("preferred", sum(penalties.values()), False, bound, parts, floor=0)


def preferred_term(inst, o, held: Held | None, published=None) -> int:
    if held is None or not o.event.preferred:
        return 0
    return sum(1 for d in range(held.start, held.start + o.duration) if d not in inst.preferred_days(o))


def preference_penalties(pm: PlanModel) -> dict[str, cp_model.IntVar]:
    """Per occurrence, the number of its event days outside ``preferred``.

    outside = duration − Σ over (merged) preferred ranges [a, b] of the overlap
    max(0, min(b, end) − max(a, start) + 1), with CP-SAT's min/max constraints: exact, and with no
    per-day encoding of the start variable."""
    m, inst = pm.model, pm.instance
    out = {}
    for o in inst.occurrences:
        with pm.owned(o.id):
            ranges = inst.preferred_ranges(o)
            if not ranges:
                continue
            start, end = pm.start[o.id], pm.start[o.id] + o.duration - 1
            overlaps = []
            for a, b in ranges:
                hi = m.new_int_var(-inst.horizon, inst.horizon * 2, f"pref_hi_{o.id}_{a}")
                lo = m.new_int_var(-inst.horizon, inst.horizon * 2, f"pref_lo_{o.id}_{a}")
                m.add_min_equality(hi, [end, b])
                m.add_max_equality(lo, [start, a])
                overlap = m.new_int_var(0, o.duration, f"pref_in_{o.id}_{a}")
                m.add_max_equality(overlap, [0, hi - lo + 1])
                overlaps.append(overlap)
            counted = m.new_int_var(0, o.duration, f"outside_{o.id}")
            m.add(counted == o.duration - sum(overlaps)).only_enforce_if(pm.scheduled[o.id])
            m.add(counted == 0).only_enforce_if(~pm.scheduled[o.id])
            out[o.id] = counted
    return out


# -- 5. a tie-breaker: published details changed ----------------------------------------------


def details_stage(pm: PlanModel, previous=None) -> Stage | None:
    """Soft constraint: with ``--previous``, after the spec's four objectives, the published
    details that change (a start day, a venue, each seat holder taken off), minimised, so that
    people who need not be told are not (see ``stability``)."""
    if previous is None:
        return None
    details, most = stability.published_details_changed(pm, previous)
    return Stage("details changed", details, False, most)


def details_term(inst, o, held: Held | None, published=None) -> int:
    if published is None:
        return 0
    return stability.details_changed(inst, o, held, published)


OBJECTIVES = (
    Objective(
        "priority",
        True,
        priority_stage,
        priority_term,
        "every optional event held",
        counts=lambda inst, previous: any(o.event.optional for o in inst.occurrences),
    ),
    Objective("changes", False, changes_stage, changes_term, "no published occurrence changed"),
    Objective(
        "cost",
        False,
        cost_stage,
        cost_term,
        "every occurrence at its cheapest venue and people",
        lambda inst, o, venue: inst.prices.cheapest(o) if venue is None else inst.prices.least_at(o, venue),
        lambda inst, previous: True,
    ),
    Objective(
        "preferred",
        False,
        preferred_stage,
        preferred_term,
        "no day outside the preferred dates",
        counts=lambda inst, previous: any(o.event.preferred for o in inst.occurrences),
    ),
    Objective("details changed", False, details_stage, details_term),
)
BY_NAME = {objective.name: objective for objective in OBJECTIVES}


def objective_stages(pm: PlanModel, previous=None) -> list[Stage]:
    """The objectives of this model, in the lexicographic order (those that count anything)."""
    return [stage for objective in OBJECTIVES if (stage := objective.stage(pm, previous)) is not None]


def worth(inst, o, held: Held | None, published=None) -> tuple[int, ...]:
    """What one occurrence adds to each objective, in order, each to minimise."""
    return tuple(objective.term(inst, o, held, published) for objective in OBJECTIVES)


def floor(inst, o, venue: str | None = None) -> tuple[int, ...]:
    """The least ``worth`` of an occurrence held anywhere (or at ``venue``): no placement is better."""
    return tuple(objective.least(inst, o, venue) for objective in OBJECTIVES)


def summary(inst, held: dict, previous=None) -> str:
    """A plan's objectives as the progress lines show them, from what the search holds
    (occurrence -> ``Held``; an occurrence absent is left out)."""
    published = {o.id: o for o in previous.scheduled} if previous is not None else {}
    totals = [0] * len(OBJECTIVES)
    for o in inst.occurrences:
        for k, term in enumerate(worth(inst, o, held.get(o.id), published.get(o.id))):
            totals[k] += term
    shown = []
    for objective, total in zip(OBJECTIVES, totals, strict=True):
        if not objective.counts(inst, previous):
            continue
        if objective.name == "priority":  # counted as lost, shown as held
            total = sum(o.event.priority for o in inst.occurrences if o.event.optional) - total
        shown.append(objective.show(total, inst.project.currency))
    return ", ".join(shown)


def show(name: str, value: int, currency: str) -> str:
    """An objective's value as the progress lines and summaries print it."""
    return BY_NAME[name].show(value, currency)


def weighted(stages: list[Stage], terms: list | None = None, bounds: list[int] | None = None):
    """The stages as one objective to minimise: with weights W_last = 1 and W_i = W_{i+1} ·
    (bound_{i+1} + 1), minimising Σ ±W_i·x_i is the lexicographic order. ``terms`` and
    ``bounds`` replace each stage's expression and bound (a neighbourhood's own part of them)."""
    terms = [s.expr for s in stages] if terms is None else terms
    bounds = [s.bound for s in stages] if bounds is None else bounds
    out, weight = [], 1
    for stage, expr, bound in reversed(list(zip(stages, terms, bounds, strict=True))):
        out.append((-weight if stage.maximize else weight) * expr)
        weight *= bound + 1
    return sum(out)


def weights(stages: list[Stage]) -> list[int]:
    """The weight of each stage in ``weighted``."""
    out = [1] * len(stages)
    for i in range(len(stages) - 2, -1, -1):
        out[i] = out[i + 1] * (stages[i + 1].bound + 1)
    return out


def at_floors(stages: list[Stage], value_of) -> bool:
    """True when every objective is at a value no plan can beat (its ``floor``), in order: the
    plan is then optimal. A stage's floor holds only while the stages before it are at theirs
    (the cost floor assumes every optional occurrence is held, which the best priority means)."""
    return all(stage.floor is not None and value_of(stage.expr) == stage.floor for stage in stages)


def floor_words(stages: list[Stage]) -> str:
    """Why a plan at every floor is optimal, in words."""
    return ", ".join(BY_NAME[s.name].floor_words for s in stages if BY_NAME[s.name].floor_words)
