"""The rules of "What a valid plan is", one module each, in the order of the spec.

Each module's ``add`` takes the ``PlanModel`` and adds the hard constraints of its rule; each
constraint is guarded by ``pm.guard(rule, key…)``, which is empty when solving and an assumption
literal when explaining infeasibility (where a rule needs finer causes it cuts itself finer, see
``explained``). A constraint that uses an occurrence's variables is made inside
``pm.owned(occurrence, …)`` naming every occurrence it uses. ``RULES`` lists them in order; the
names are the ones the search's feasibility checks (``scheduler.search.checks``), explanations
and tests use. docs/rules.md says how to add one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scheduler.model.planmodel import PlanModel
from scheduler.model.rules import (
    attendance,
    attendees,
    budget,
    event_days,
    order,
    required,
    series,
    team_load,
    venue,
    window,
)


@dataclass(frozen=True)
class Rule:
    name: str
    add: Callable[[PlanModel], None]


RULES = (
    Rule("horizon_and_window", window.add),
    Rule("event_days", event_days.add),
    Rule("attendance_days", attendance.add),
    Rule("attendees", attendees.add),
    Rule("venue", venue.add),
    Rule("team_load", team_load.add),
    Rule("order", order.add),
    Rule("series", series.add),
    Rule("required", required.add),
    Rule("budget", budget.add),
)
RULE_NAMES = tuple(rule.name for rule in RULES)


def add_rules(pm: PlanModel, skip: tuple[str, ...] = ()) -> None:
    """Add every rule (tests leave some out with ``skip`` to show that each binds)."""
    unknown = set(skip) - set(RULE_NAMES)
    if unknown:
        raise ValueError(f"no such rule: {', '.join(sorted(unknown))}")
    for rule in RULES:
        if rule.name not in skip:
            rule.add(pm)
