"""One measured solve in a fresh process, for benchmarks/run.py: prints one JSON line.

    python benchmarks/solve_one.py SCENARIO --workers 2 --time-limit 60 --plan OUT.json

Times are seconds from the start of this process (imports, loading and the model included, as a
coordinator waits for them): ``first_plan`` when the first plan is known, ``seconds`` at the end.
``peak_rss_mb`` is this process's peak resident memory.
"""

from __future__ import annotations

import time

STARTED = time.monotonic()

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
from pathlib import Path  # noqa: E402

from scheduler.model.instance import Instance  # noqa: E402
from scheduler.plan import dumps  # noqa: E402
from scheduler.scenario.loader import load  # noqa: E402
from scheduler.solver import SolveOptions, solve  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plan", type=Path, default=None)
    args = parser.parse_args()
    improvements: list[float] = []
    stats: dict = {}
    instance = Instance(load(args.scenario))
    loaded = time.monotonic() - STARTED
    options = SolveOptions(
        time_limit=args.time_limit,
        workers=args.workers,
        seed=args.seed,
        progress=lambda _line: improvements.append(time.monotonic() - STARTED),
        stats=stats,
    )
    plan = solve(instance, options)
    seconds = time.monotonic() - STARTED
    if args.plan:
        args.plan.write_text(dumps(plan), encoding="utf-8")
    stages = stats.get("stages", [])
    # The last plan's cost, and the best bound any step proved (the floors before the search, or
    # CP-SAT's bound).
    costs = [st for st in stages if "cost" in st["values"]]
    cost = costs[-1] if costs else None
    bound = max((st["bounds"]["cost"] for st in costs if st["bounds"].get("cost") is not None), default=None)
    result = {
        "status": plan.status,
        "objective": plan.objective,
        "seconds": round(seconds, 2),
        "load_seconds": round(loaded, 2),
        "model_seconds": stats.get("model_seconds"),
        "first_plan": round(improvements[0], 2) if improvements else None,
        "improvements": len(improvements),
        "variables": stats.get("variables"),
        "constraints": stats.get("constraints"),
        "cost_bound": bound,
        "cost_value": cost["values"]["cost"] if cost else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
