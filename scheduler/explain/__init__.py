"""Explain an impossible plan in the coordinator's words.

1. Static checks find what arithmetic alone shows (a window shorter than the event, more seats
   than people with the role, no venue large enough, a series that cannot fit).
2. The model is rebuilt with every rule instance a coordinator can act on (this event's window,
   that venue's closure, this person's leave, that country's public holiday, the order between two
   events, a series' tolerance, each budget cap, the team load) guarded by an assumption literal.
   CP-SAT's ``sufficient_assumptions_for_infeasibility`` gives a set of guards that cannot all
   hold; a deletion pass makes it minimal (remove one, re-check; keep it only if the rest becomes
   feasible). Its guards are then switched off and the search repeats, so independent conflicts
   are all reported.
3. Each conflict is told with its facts, money short where a cap is involved (the cheapest plan
   without that cap, against the cap), and the smallest changes found quickly (widen a window by N
   days, raise a cap by an amount, make an event optional).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from scheduler.explain.words import Conflict, Words
from scheduler.model.instance import Instance
from scheduler.scenario.domain import Scenario

MAX_CONFLICTS = 5


@dataclass
class Explanation:
    feasible: bool
    conflicts: list[Conflict] = field(default_factory=list)
    seconds: float = 0.0
    complete: bool = True  # False where a time limit cut the search short

    def render(self) -> str:
        if self.feasible:
            return "feasible: a plan exists that satisfies every rule."
        lines = [
            f"infeasible: no plan satisfies every rule. {len(self.conflicts)} conflict{'s' if len(self.conflicts) != 1 else ''}:"
        ]
        for n, conflict in enumerate(self.conflicts, 1):
            lines.append("")
            lines.append(f"Conflict {n}: these rules cannot all hold together")
            for fact in conflict.facts:
                where = f"  [{fact.place}]" if fact.place else ""
                lines.append(f"  - {fact.text}{where}")
            if conflict.suggestions:
                lines.append("  Changes that would resolve it:")
                lines.extend(f"  * {s}" for s in conflict.suggestions)
        if not self.complete:
            lines.append("")
            lines.append("(the search for further conflicts stopped at its time limit)")
        return "\n".join(lines)


def explain(scenario: Scenario, time_limit: float = 60.0, instance: Instance | None = None) -> Explanation:
    started = time.monotonic()
    instance = instance or Instance(scenario)
    words = Words(instance)
    from scheduler.explain.search import ConflictSearch
    from scheduler.explain.static import static_conflicts

    conflicts = static_conflicts(instance, words)
    search = ConflictSearch(instance, words, deadline=started + time_limit)
    search.disable({key for c in conflicts for key in c.keys})
    while len(conflicts) + len(search.found) < MAX_CONFLICTS:
        if search.next_conflict() is None:
            break
    feasible = not conflicts and search.feasible
    conflicts.extend(search.describe_all())
    return Explanation(feasible, conflicts, time.monotonic() - started, complete=search.complete)
