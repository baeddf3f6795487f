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
from pathlib import Path
from typing import Any

from scheduler.model.instance import Instance
from scheduler.model.mapping import plan_of
from scheduler.plan import Plan, to_dict
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
    held = {oid: (p.start, p.venue, sorted(person for _g, person in p.picks)) for oid, p in placed.items()}
    plan = plan_of(instance, held, "FEASIBLE", round(time.monotonic() - started, 2))
    for item in plan.occurrences:
        if not item.scheduled:
            item.reason = fit.reasons.get(item.id, "calendar")
            item.detail = DETAILS[item.reason]
    return plan


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
