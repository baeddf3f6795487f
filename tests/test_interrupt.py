"""Interrupting a solve: Ctrl-C stops the search and writes the best plan found so far (FEASIBLE),
or writes nothing and exits 130 where there is no plan yet; SIGKILL at any moment leaves the
previous output folder exactly as it was.

The real-process tests solve a scenario large enough that CP-SAT is still improving the plan long
after its first one (sixty events of a year, seats per country, preferred ranges): the signal is
sent once the first progress line shows a plan exists, not after a guessed delay.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from plan_checker import check_plan
from scenarios import CITIES, event, person, scenario, venue

import scheduler.solver.solve as solve_module
from scheduler.solver.interrupt import Interrupt, SearchInterrupted


def searching_scenario(events: int = 60) -> str:
    """Ten cities with a venue and four officers each (leave in a different month), and ``events``
    events of two to four days, each with one seat per country for five countries, three candidate
    venues, a two-month window and a preferred ten days; every third optional."""
    cities = list(CITIES)
    countries = sorted({CITIES[c][1] for c in cities})
    venues = [venue(f"v-{c}", c, cost_per_day=100 + 37 * i, capacity=25) for i, c in enumerate(cities)]
    people = [
        person(
            f"p-{c}-{k}",
            c,
            roles=["officers"] + (["heads"] if k == 0 else []),
            unavailable=[f"2024-{(i + k) % 12 + 1:02d}-05/2024-{(i + k) % 12 + 1:02d}-20"],
        )
        for i, c in enumerate(cities)
        for k in range(4)
    ]
    planned = []
    for e in range(events):
        month = e % 11 + 1
        fields = {
            "duration_days": 2 + e % 3,
            "window": f"2024-{month:02d}-01/2024-{month + 1:02d}-28",
            "seats": [{"role": "officers", "per_country": 1, "countries": countries[e % 5 : e % 5 + 5]}],
            "attendees": ["role:heads"] if e % 4 == 0 else [],
            "preferred": [f"2024-{month:02d}-10/2024-{month:02d}-20"],
        }
        if e % 3 == 0:
            fields.update(optional=True, priority=1 + e % 4)
        planned.append(event(f"ev-{e}", [f"v-{cities[(e + j) % len(cities)]}" for j in range(3)], **fields))
    return scenario(
        venues=venues,
        people=people,
        events=planned,
        budget={"total": 800_000},
        project={"max_concurrent_events": 2},
    )


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("large") / "large.toml"
    path.write_text(searching_scenario(), encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def previous_output(tmp_path, cli, write_scenario, no_output_plugins) -> tuple[Path, dict[str, bytes]]:
    """``tmp_path/out`` holding the plan of a small earlier solve and a note of the coordinator's."""
    small = write_scenario(scenario(venues=[venue("hall", "bucharest")], events=[event("ws", ["hall"])]), "small.toml")
    out = tmp_path / "out"
    result = cli("solve", small, "-o", out, "--workers", "1", "--quiet")
    assert result.exit_code == 0, result.output
    (out / "notes.txt").write_text("kept by the coordinator\n", encoding="utf-8")
    return out, snapshot(out)


def beside(out: Path) -> set[str]:
    """What lies next to the output folder, apart from it and the scenario files."""
    return {p.name for p in out.parent.iterdir() if p.name != out.name and p.suffix != ".toml"}


def start_solve(scenario_path: Path, out: Path, *args: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "scheduler", "solve", str(scenario_path), "-o", str(out), "--workers", "1", *args]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=out.parent)


PROGRESS = re.compile(r"^\s*\d+\.\d+s  best ", re.MULTILINE)


def wait_for_first_plan(process: subprocess.Popen, timeout: float = 240) -> list[str]:
    """Read stderr until the first progress line (a plan exists); returns the lines read."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    for line in process.stderr:
        lines.append(line)
        if PROGRESS.match(line):
            return lines
        assert time.monotonic() < deadline, "no plan within the timeout:\n" + "".join(lines)
    pytest.fail("the solve ended before it showed any plan:\n" + "".join(lines))


def finish(process: subprocess.Popen, timeout: float = 60) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


# --- Ctrl-C -----------------------------------------------------------------------------------


def test_ctrl_c_during_the_search_writes_the_best_plan_so_far(large, tmp_path, previous_output):
    out, before = previous_output
    process = start_solve(large, out, "--format", "csv")
    wait_for_first_plan(process)
    assert process.poll() is None, "the solve ended before the signal: make searching_scenario() larger"
    process.send_signal(signal.SIGINT)
    signalled = time.monotonic()
    code, stdout, stderr = finish(process)
    assert code == 0, stderr
    assert time.monotonic() - signalled < 30
    assert "Traceback" not in stderr
    assert "interrupted: best plan so far" in stderr
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["solver"]["status"] == "FEASIBLE"
    assert check_plan(large, plan) == []
    assert set(snapshot(out)) == {"plan.json", "schedule.csv", "budget.csv"}  # replaced whole
    assert "feasible plan" in stdout and f"wrote {out / 'plan.json'}" in stdout
    assert snapshot(out) != before and beside(out) == set()


@pytest.mark.parametrize("delay", [0.3, 1.0])
def test_ctrl_c_before_any_plan_writes_nothing_and_exits_130(large, tmp_path, previous_output, delay):
    """Early on (starting up, reading the scenario, building the model) there is no plan to keep."""
    out, before = previous_output
    process = start_solve(large, out)
    time.sleep(delay)
    assert process.poll() is None
    process.send_signal(signal.SIGINT)
    code, _stdout, stderr = finish(process)
    assert not PROGRESS.search(stderr), "a plan already existed: the signal came too late for this test"
    assert code == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert snapshot(out) == before
    assert beside(out) == set()


def _ctrl_c_at_first_solution(monkeypatch, times: int) -> list[int]:
    """Make the search send SIGINT to this process at its first solution (``times`` times, each
    after the previous one was handled), as a coordinator pressing Ctrl-C would."""
    original = solve_module._Progress.on_solution_callback
    sent: list[int] = []

    def on_solution(self) -> None:
        if not sent:
            for _ in range(times):
                handled = time.monotonic() + 5
                os.kill(os.getpid(), signal.SIGINT)
                sent.append(1)
                while time.monotonic() < handled and not _interrupts_requested():
                    time.sleep(0.01)
        original(self)

    monkeypatch.setattr(solve_module._Progress, "on_solution_callback", on_solution)
    return sent


_seen_interrupts: list[Interrupt] = []


def _interrupts_requested() -> bool:
    return any(i.requested for i in _seen_interrupts)


@pytest.fixture
def track_interrupts(monkeypatch):
    original = Interrupt.__init__

    def init(self) -> None:
        original(self)
        _seen_interrupts.append(self)

    _seen_interrupts.clear()
    monkeypatch.setattr(Interrupt, "__init__", init)
    yield
    _seen_interrupts.clear()


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_ctrl_c_at_the_first_plan_in_process(large, cli, tmp_path, monkeypatch, no_output_plugins, track_interrupts):
    """The same through the command line in this process: the handler is installed around the
    search, stops it at the first plan and that plan is written as FEASIBLE."""
    sent = _ctrl_c_at_first_solution(monkeypatch, times=1)
    out = tmp_path / "out"
    result = cli("solve", large, "-o", out, "--workers", "1", "--quiet")
    assert sent == [1]
    assert result.exit_code == 0, result.output
    assert "interrupted: best plan so far" in result.stderr
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["solver"]["status"] == "FEASIBLE"
    assert check_plan(large, plan) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored after the search


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_a_second_ctrl_c_quits_without_writing(large, cli, tmp_path, monkeypatch, no_output_plugins, track_interrupts):
    _ctrl_c_at_first_solution(monkeypatch, times=2)
    out = tmp_path / "out"
    result = cli("solve", large, "-o", out, "--workers", "1", "--quiet")
    assert result.exit_code == 130, result.output
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == []


def test_a_stop_requested_before_the_search_raises_search_interrupted(large):
    """The Python API: no plan yet, so nothing to return; a KeyboardInterrupt, not an Exception."""
    from scheduler.instance import Instance
    from scheduler.loader import load

    interrupt = Interrupt()
    interrupt.request()
    with pytest.raises(SearchInterrupted) as info:
        solve_module.solve(Instance(load(large)), solve_module.SolveOptions(workers=1, interrupt=interrupt))
    assert isinstance(info.value, KeyboardInterrupt) and not isinstance(info.value, Exception)
    assert "before any plan" in str(info.value)


def test_ctrl_c_under_pythons_own_handler_stops_a_solve_at_once():
    """Outside the command line (a notebook, a script) Ctrl-C raises KeyboardInterrupt promptly
    instead of being swallowed by CP-SAT, and leaves Python's handler in place."""
    code = """
import os, signal, threading, time
from ortools.sat.python import cp_model
from scheduler.solver.interrupt import solve_stoppable
m = cp_model.CpModel()
x = [m.new_int_var(0, 600, f"x{i}") for i in range(60)]
m.add_no_overlap([m.new_interval_var(x[i], 3 + i % 7, x[i] + 3 + i % 7, f"i{i}") for i in range(60)])
m.minimize(sum((i % 13 + 1) * x[i] for i in range(60)))
solver = cp_model.CpSolver()
solver.parameters.num_workers = 1
solver.parameters.max_time_in_seconds = 60
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
started = time.monotonic()
try:
    solve_stoppable(solver, m)
    print("returned")
except KeyboardInterrupt:
    print(f"KeyboardInterrupt after {time.monotonic() - started:.0f}s")
print("handler", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.split("\n")[:2] == ["KeyboardInterrupt after 1s", "handler True"], done.stdout + done.stderr


# --- SIGKILL ----------------------------------------------------------------------------------


@pytest.mark.parametrize("moment", [0.1, 0.5, 1.0, 2.0, "first plan", "writing"])
def test_sigkill_at_any_moment_leaves_the_previous_output_intact(large, tmp_path, previous_output, moment):
    """Killed while starting, loading, searching, or writing the outputs (all formats, hundreds
    of files): the folder holds exactly the previous output, and nothing half-written."""
    out, before = previous_output
    process = start_solve(large, out)
    if isinstance(moment, float):
        time.sleep(moment)
    else:
        wait_for_first_plan(process)
        if moment == "writing":
            process.send_signal(signal.SIGINT)  # stop the search: the outputs are written now
            time.sleep(1.0)
    assert process.poll() is None, "the solve ended before the kill"
    process.kill()
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert snapshot(out) == before
    # A killed process cannot clean up: at most its temporary folder remains beside the output.
    assert all(name.startswith(".out.tmp-") for name in beside(out)), beside(out)
    if moment == "writing":
        assert beside(out), "the kill did not come while the outputs were written"
