"""Benchmarks: scale, speed and quality of the solver against planning by hand.

    .venv/bin/python -m benchmarks.run --quick          # CI-sized: S and a small generated size, one run
    .venv/bin/python -m benchmarks.run                  # the full run (S, M, L, XL): by hand only, ~30 minutes
    .venv/bin/python -m benchmarks.run --sizes S,M --runs 5

For each size: the scenario (S is examples/ilecu.toml; the others are generated with a fixed
seed into benchmarks/out/), the greedy planner "by hand" and "careful" (benchmarks/greedy.py),
then the solver in a fresh process per run (benchmarks/solve_one.py) with 1 and 2 workers: time
to the first plan, time to the end (proven optimum, or the time limit), the cost gap to the
bound, peak memory, model size. Every plan, the greedy ones included, is checked by
tests/plan_checker.py. Also: ``scheduler --help``, ``scheduler explain`` on two infeasible
variants of the ILECU example, and ``scheduler render`` of the largest plan.

Results go to benchmarks/out/results.json and, as Markdown tables, to benchmarks/out/results.md
and stdout. The machine is shared and timings are noisy: medians of the runs are reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


from benchmarks.generate import SIZES, Size, write  # noqa: E402
from benchmarks.greedy import BY_HAND, CAREFUL, greedy_plan  # noqa: E402

OUT = HERE / "out"
ILECU = ROOT / "examples" / "ilecu.toml"
QUICK_SIZE = Size(60, 120, 5, 2)


def scheduler_command() -> list[str]:
    """The installed ``scheduler`` script beside this Python, else ``python -m scheduler``."""
    script = Path(sys.executable).parent / "scheduler"
    return [str(script)] if script.exists() else [sys.executable, "-m", "scheduler"]


# -- scenarios ----------------------------------------------------------------------------------


def scenario_path(name: str, size: Size | None) -> Path:
    if size is None:
        return ILECU
    folder = OUT / name
    path = folder / "scenario.toml"
    if not path.exists():
        write(size, folder)
    return path


def explain_variants() -> dict[str, Path]:
    """The ILECU example made infeasible twice: a budget far too small, and the final
    conference's window squeezed into Christmas week (24-27 December: holidays in Romania and
    Hungary leave no two working days in a row)."""
    text = ILECU.read_text(encoding="utf-8")
    budget = text.replace("total = 409161.91", "total = 100000")
    christmas = text.replace('window = "2024-10-01/2024-12-13"', 'window = "2024-12-24/2024-12-27"')
    assert budget != text and christmas != text, "examples/ilecu.toml changed: update explain_variants()"
    folder = OUT / "explain"
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, body in (("budget-100000", budget), ("christmas-window", christmas)):
        path = folder / f"ilecu-{name}.toml"
        path.write_text(body, encoding="utf-8")
        out[name] = path
    return out


# -- measuring ----------------------------------------------------------------------------------


def timed(command: list[str], expect: tuple[int, ...] = (0,)) -> float:
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.monotonic() - started
    if done.returncode not in expect:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr[-2000:]}")
    return seconds


def solve_once(path: Path, workers: int, time_limit: float, plan: Path) -> dict:
    command = [sys.executable, str(HERE / "solve_one.py"), str(path), "--workers", str(workers)]
    command += ["--time-limit", str(time_limit), "--plan", str(plan)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def plan_summary(path: Path, plan: dict) -> dict:
    """Cost, optional events scheduled and the checker's verdict for one plan dict."""
    from scheduler.scenario.loader import load
    from tests.support.plan_checker import check_plan

    scenario = load(path)
    optional = [o for o in plan["occurrences"] if scenario.events[o["event"]].optional]
    return {
        "cost": plan["budget"]["total"],
        "priority": plan["solver"]["objective"][0],
        "optional_scheduled": sum(1 for o in optional if o["scheduled"]),
        "optional": len(optional),
        "scheduled": sum(1 for o in plan["occurrences"] if o["scheduled"]),
        "violations": len(check_plan(path, plan)),
    }


def greedy_results(path: Path) -> dict:
    from scheduler.model.instance import Instance
    from scheduler.plan import to_dict
    from scheduler.scenario.loader import load

    out = {}
    for name, policy in (("by_hand", BY_HAND), ("careful", CAREFUL)):
        started = time.monotonic()
        plan = to_dict(greedy_plan(Instance(load(path)), policy))
        seconds = time.monotonic() - started
        out[name] = {"seconds": round(seconds, 2), **plan_summary(path, plan)}
    return out


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else None


def bench_size(name: str, size: Size | None, workers: list[int], runs: int, time_limit: float) -> dict:
    path = scenario_path(name, size)
    print(f"[{name}] {path}", file=sys.stderr, flush=True)
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    result: dict = {"scenario": str(shown), "greedy": greedy_results(path), "solver": {}}
    from scheduler.model.instance import Instance
    from scheduler.scenario.loader import load

    inst = Instance(load(path))
    result["occurrences"] = len(inst.occurrences)
    result["people"] = len(inst.scenario.people)
    for w in workers:
        samples = []
        plans = []
        for r in range(runs):
            plan_file = OUT / name / f"plan-w{w}-r{r}.json"
            plan_file.parent.mkdir(parents=True, exist_ok=True)
            sample = solve_once(path, w, time_limit, plan_file)
            print(f"[{name}] workers {w} run {r + 1}: {sample}", file=sys.stderr, flush=True)
            samples.append(sample)
            if "error" not in sample:
                plans.append(plan_file)
        entry: dict = {"runs": samples}
        good = [s for s in samples if "error" not in s]
        if good:
            gaps = [
                (s["cost_value"] - s["cost_bound"]) / s["cost_value"] * 100
                for s in good
                if s.get("cost_value") and s.get("cost_bound") is not None
            ]
            entry.update(
                first_plan=median([s["first_plan"] for s in good]),
                seconds=median([s["seconds"] for s in good]),
                optimal=sum(1 for s in good if s["status"] == "OPTIMAL"),
                gap_percent=median(gaps),
                peak_rss_mb=median([s["peak_rss_mb"] for s in good]),
                variables=good[0]["variables"],
                constraints=good[0]["constraints"],
                same_plan=len({_decisions(p) for p in plans}) == 1,
            )
            entry["plan"] = plan_summary(path, json.loads(plans[0].read_text(encoding="utf-8")))
        result["solver"][w] = entry
    return result


def _decisions(plan_file: Path) -> str:
    """The plan without its timing (wall_seconds is the solver's deterministic time, but keep it
    out anyway): what must be identical across runs with the same seed and workers."""
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    plan["solver"].pop("wall_seconds", None)
    return json.dumps(plan, sort_keys=True)


def extras(render_size: str | None, results: dict) -> dict:
    out: dict = {}
    scheduler = scheduler_command()
    out["help_seconds"] = median([timed([*scheduler, "--help"]) for _ in range(5)])
    out["explain_seconds"] = {
        name: median([timed([*scheduler, "explain", str(path)], expect=(3,)) for _ in range(3)])
        for name, path in explain_variants().items()
    }
    if render_size and render_size in results:
        path = ROOT / results[render_size]["scenario"]
        plan = next((OUT / render_size).glob("plan-w*-r0.json"), None)
        if plan is not None:
            # Each run into a folder of its own, removed only after the last: replacing the
            # previous run's 16,000 files would time ext4's slow creation of files next to many
            # just deleted (see "Rendering"), not the render.
            targets = [OUT / render_size / f"rendered-{n}" for n in range(1, 4)]
            for target in targets:
                shutil.rmtree(target, ignore_errors=True)
            out["render_seconds"] = {
                "size": render_size,
                "seconds": median(
                    [
                        timed([*scheduler, "render", str(plan), "--scenario", str(path), "-o", str(target)])
                        for target in targets
                    ]
                ),
            }
            for target in targets:
                shutil.rmtree(target, ignore_errors=True)
    return out


# -- reporting ----------------------------------------------------------------------------------


def markdown(results: dict) -> str:
    lines = [
        "| size | occurrences | people | model (vars / constraints) | workers | first plan | end | optimal | cost gap | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results["sizes"].items():
        for w, s in r["solver"].items():
            if "seconds" not in s:
                lines.append(
                    f"| {name} | {r['occurrences']} | {r['people']} | | {w} | error: {s['runs'][0].get('error')} | | | | |"
                )
                continue
            gap = f"{s['gap_percent']:.2f} %" if s["gap_percent"] is not None else ""
            lines.append(
                f"| {name} | {r['occurrences']} | {r['people']} | {s['variables']:,} / {s['constraints']:,} | {w} "
                f"| {s['first_plan']} s | {s['seconds']} s | {s['optimal']}/{len(s['runs'])} | {gap} | {s['peak_rss_mb']:,} MB |"
            )
    lines += [
        "",
        "| size | greedy by hand | greedy careful | solver (2 workers) | solver / by hand | solver / careful "
        "| optional scheduled (solver / by hand / careful) | checker violations (solver, by hand, careful) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results["sizes"].items():
        solver = r["solver"].get(max(r["solver"]), {}).get("plan")
        hand, careful = r["greedy"]["by_hand"], r["greedy"]["careful"]
        if not solver:
            continue
        lines.append(
            f"| {name} | {hand['cost']:,.2f} | {careful['cost']:,.2f} | {solver['cost']:,.2f} "
            f"| {solver['cost'] / hand['cost']:.3f} | {solver['cost'] / careful['cost']:.3f} "
            f"| {solver['optional_scheduled']} / {hand['optional_scheduled']} / {careful['optional_scheduled']} of {solver['optional']} "
            f"| {solver['violations']}, {hand['violations']}, {careful['violations']} |"
        )
    x = results.get("extras", {})
    if x:
        lines += ["", f"`scheduler --help`: {x['help_seconds']} s (median of 5)."]
        for name, seconds in x.get("explain_seconds", {}).items():
            lines.append(f"`scheduler explain` on the ILECU example with {name}: {seconds} s (median of 3).")
        if "render_seconds" in x:
            r = x["render_seconds"]
            lines.append(f"`scheduler render` of the {r['size']} plan, every format: {r['seconds']} s (median of 3).")
    return "\n".join(lines) + "\n"


def machine() -> str:
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores {cpu}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="S and a small generated size, one run, 30 s limit")
    parser.add_argument("--sizes", default="S,M,L,XL", help="comma-separated: S, M, L, XL (default: all)")
    parser.add_argument(
        "--runs", type=int, default=None, help="runs per size and worker count (default: S and M 3, L and XL 1)"
    )
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per solve (default: 60; L 120; XL 300)")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for scenarios, plans and results (default: out/)"
    )
    args = parser.parse_args(argv)
    if args.out is not None:
        global OUT
        OUT = args.out.resolve()
    workers = [int(w) for w in args.workers.split(",")]
    if args.quick:
        plan = [("S", None, 30.0), ("Q", QUICK_SIZE, 30.0)]
        runs = {"S": 1, "Q": 1}
    else:
        limits = {"S": 60.0, "M": 60.0, "L": 120.0, "XL": 300.0}
        plan = [(n, None if n == "S" else SIZES[n], limits[n]) for n in args.sizes.split(",")]
        runs = {"S": 3, "M": 3, "L": 1, "XL": 1}
    OUT.mkdir(exist_ok=True)
    results: dict = {"machine": machine(), "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]), "sizes": {}}
    for name, size, limit in plan:
        limit = args.time_limit or limit
        results["sizes"][name] = bench_size(name, size, workers, args.runs or runs[name], limit)
        results["sizes"][name]["time_limit"] = limit
    largest = plan[-1][0]
    results["extras"] = extras(largest, results["sizes"])
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    table = markdown(results)
    (OUT / "results.md").write_text(table, encoding="utf-8")
    print(f"machine: {results['machine']}\n")
    print(table)


if __name__ == "__main__":
    main()
