"""The baseline: a coordinator planning by hand, first come first served.

Events by window start (an event after the ones it must follow), each occurrence on its earliest
feasible day, at the venue with the lowest hire cost, with the first free people of each seat
pool in the scenario's order (``scheduler.search.firstfit`` with the "by hand" policy). The
"careful" variant picks the venue and the people that make the occurrence cheapest, a
coordinator who prices every option in the spreadsheet; both are reported.

    python -m benchmarks.greedy SCENARIO.toml -o plan.json [--careful]

The plan is written in the plan.json format, so the same checker (tests/plan_checker.py) judges
it, and ``scheduler render`` can render it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from scheduler.model.instance import Instance
from scheduler.plan import Attendance, BudgetLine, Plan, PlannedOccurrence, to_dict
from scheduler.scenario.loader import load
from scheduler.search.firstfit import FirstFit, Policy

BY_HAND = Policy(venue="hire", people="first")
CAREFUL = Policy(venue="total", people="cheapest")

DETAILS = {
    "budget": "the money left was needed for the required occurrences",
    "calendar": "no free day was left in its window when its turn came",
    "series": "the series' previous occurrence is not scheduled",
    "order": "an event it must follow is not scheduled",
}


def greedy_plan(instance: Instance, policy: Policy = BY_HAND) -> Plan:
    """Plan ``instance`` first-fit; required occurrences it cannot place are left out (with the
    reason), which makes the plan invalid: the caller checks it."""
    started = time.monotonic()
    fit = FirstFit(instance, policy)
    placed = fit.run()
    s = instance.scenario
    occurrences, categories, years = [], Counter(), Counter()
    outside = priority = 0
    for o in instance.occurrences:
        item = PlannedOccurrence(o.id, o.event.id, o.index, o.event.kind, o.event.title, o.id in placed)
        if not item.scheduled:
            item.reason = fit.reasons.get(o.id, "calendar")
            item.detail = DETAILS[item.reason]
            occurrences.append(item)
            continue
        p = placed[o.id]
        item.start, item.end = instance.date(p.start), instance.date(p.start + o.duration - 1)
        item.venue = p.venue
        location = s.venue_location(p.venue)
        item.location, item.country = location.id, location.country
        for person in sorted(p.people(o)):
            lo, hi = instance.away_offsets(o, person, p.venue)
            item.attendees.append(Attendance(person, instance.date(p.start + lo), instance.date(p.start + hi)))
        item.cost = {c: p.cost.get(c, 0) for c in instance.costs.categories() if c in p.cost or c in _BASE}
        categories.update(item.cost)
        years[item.start.year] += item.total_cost
        if o.event.optional:
            priority += o.event.priority
        if o.event.preferred:
            outside += sum(
                1 for d in range(o.duration) if not any(instance.date(p.start + d) in r for r in o.event.preferred)
            )
        occurrences.append(item)
    budget = s.budget
    return Plan(
        project={"id": s.project.id, "name": s.project.name, "currency": s.project.currency},
        status="FEASIBLE",
        objective=[priority, 0, sum(categories.values()), outside],
        wall_seconds=round(time.monotonic() - started, 2),
        seed=0,
        workers=1,
        occurrences=occurrences,
        budget_limit=budget.total,
        categories={c: BudgetLine(categories.get(c, 0), budget.categories.get(c)) for c in instance.costs.categories()},
        years={y: BudgetLine(years.get(y, 0), budget.years.get(y)) for y in sorted(set(years) | set(budget.years))},
    )


_BASE = ("travel", "per_diem", "accommodation", "venue")


def greedy_dict(scenario_path: Path, policy: Policy = BY_HAND) -> dict[str, Any]:
    return to_dict(greedy_plan(Instance(load(scenario_path)), policy))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--careful", action="store_true", help="cheapest venue and people, not hire cost and order")
    args = parser.parse_args(argv)
    plan = greedy_dict(args.scenario, CAREFUL if args.careful else BY_HAND)
    args.output.write_text(json.dumps(plan, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    scheduled = sum(1 for o in plan["occurrences"] if o["scheduled"])
    print(f"{scheduled} of {len(plan['occurrences'])} scheduled, cost {plan['budget']['total']:,.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
