"""Time ``scheduler render`` per output format: the median of a few runs, wall clock and CPU.

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.render_bench benchmarks/out/XL/plan-w2-r0.json \\
        --scenario benchmarks/out/XL/scenario.toml --runs 3

Each run is a fresh ``python -m scheduler render`` process with ``SOURCE_DATE_EPOCH`` set, writing
into a new folder, first with every format and then with each format alone (``--format``); the
folders are removed at the end (see ``main``).
CPU time (user + system of the render process and its workers) is printed beside the wall time,
since on a shared machine the wall time also measures the neighbours; the system part is also
shown alone: it is mostly the kernel creating the 16,000 files, whose cost on this machine varies
several times over with what the neighbours do on the same disk; the files of the runs before are
written to disk (``os.sync``) before each run's clock starts, so that writing them back does not
fall into the next run.

``--pythonpath DIR`` runs another copy of the package (for instance an unpacked ``git archive`` of
an older commit, with ``plugins``, ``calendars`` and ``templates`` moved inside ``scheduler/``, or
a ``git worktree`` with links ``scheduler/plugins -> ../plugins`` and so on), to measure a
baseline.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMATS = ("ical", "invitations", "agenda", "report", "csv")


def _children_cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def run_once(
    plan: Path, scenario: Path, formats: tuple[str, ...], pythonpath: str | None, extra: list[str], folder: Path
):
    """Wall, CPU and system CPU seconds of one render into the new folder ``folder``."""
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    folder.mkdir()
    command = [sys.executable, "-m", "scheduler", "render", str(plan.absolute()), "--scenario"]
    command += [str(scenario.absolute()), "-o", str(folder / "out"), *extra]
    for name in formats:
        command += ["--format", name]
    # The files of the runs before (up to 140 MB each) are written to disk now, not while this
    # run creates its own: the kernel writing them back slows creating files several times over.
    os.sync()
    cpu, started = _children_cpu(), time.perf_counter()
    # From the new folder, so that ``-m scheduler`` does not pick up the checkout by accident.
    subprocess.run(command, env=env, cwd=folder, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    user, system = (after - before for after, before in zip(_children_cpu(), cpu, strict=True))
    return wall, user + system, system


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path)
    parser.add_argument("--scenario", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pythonpath", default=None, help="run another copy of the package (a baseline)")
    parser.add_argument("--format", dest="formats", action="append", help="only these rows (repeatable)")
    parser.add_argument("--option", dest="options", action="append", default=[], help="passed to render")
    parser.add_argument("--all-only", action="store_true", help="only the row of every format together")
    args = parser.parse_args(argv)
    extra = [item for option in args.options for item in ("--option", option)]
    rows = [("all", ())] + ([] if args.all_only else [(name, (name,)) for name in (args.formats or FORMATS)])
    print(f"| format | wall s (median of {args.runs}) | CPU s (median) | of which system s |")
    print("| --- | ---: | ---: | ---: |")
    # Every run writes into a folder of its own, and all are removed at the end: on this machine's
    # disk, creating files right after removing thousands costs several times more than otherwise.
    with tempfile.TemporaryDirectory(prefix="render-bench-") as scratch:
        runs = iter(range(10**6))
        for label, formats in rows:
            times = [
                run_once(args.plan, args.scenario, formats, args.pythonpath, extra, Path(scratch) / str(next(runs)))
                for _ in range(args.runs)
            ]
            _print_row(label, times)
    return 0


def _print_row(label: str, times: list[tuple[float, float, float]]) -> None:
    wall = statistics.median(t[0] for t in times)
    cpu = statistics.median(t[1] for t in times)
    system = statistics.median(t[2] for t in times)
    print(f"| {label} | {wall:.2f} | {cpu:.2f} | {system:.2f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
