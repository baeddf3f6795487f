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

import scheduler.solver.lexicographic as solve_module
from scheduler.interrupt import Interrupt, SearchInterrupted
from tests.support.plan_checker import check_plan
from tests.support.scenarios import CITIES, event, person, scenario, venue


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


# The first plan (first fit) comes about 0.7 s after the start on this scenario: the signal must
# come before it.
@pytest.mark.parametrize("delay", [0.3, 0.5])
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


def _ctrl_c_at_first_solution(monkeypatch, times: int, signum: int = signal.SIGINT) -> list[int]:
    """Make the search send SIGINT (or ``signum``) to this process at its first solution (``times``
    times, each after the previous one was handled), as a coordinator pressing Ctrl-C would."""
    original = solve_module._Progress.on_solution_callback
    sent: list[int] = []

    def on_solution(self) -> None:
        if not sent:
            for _ in range(times):
                handled = time.monotonic() + 5
                os.kill(os.getpid(), signum)
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
    from scheduler.model.instance import Instance
    from scheduler.scenario.loader import load

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
from scheduler.interrupt import solve_stoppable
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


def test_a_stop_that_raises_leaves_no_search_running():
    """The handler raising while the main thread waits for the search (a second Ctrl-C, SIGTERM
    during ``explain``): the search is stopped and over before the exception leaves, every time;
    a search left running would abort the process at exit ("terminate called without an active
    exception"). Five solves, each stopped at another moment."""
    code = """
import os, signal, threading, time
from ortools.sat.python import cp_model
from scheduler.interrupt import solve_stoppable
m = cp_model.CpModel()
x = [m.new_int_var(0, 600, f"x{i}") for i in range(60)]
m.add_no_overlap([m.new_interval_var(x[i], 3 + i % 7, x[i] + 3 + i % 7, f"i{i}") for i in range(60)])
m.minimize(sum((i % 13 + 1) * x[i] for i in range(60)))
for delay in (0.05, 0.2, 0.4, 0.7, 1.0):
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 60
    threading.Timer(delay, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    try:
        solve_stoppable(solver, m)
        print("returned")
    except KeyboardInterrupt:
        print("running" if any(t.name == "cp-sat-search" for t in threading.enumerate()) else "stopped")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["stopped"] * 5, done.stdout + done.stderr


def test_searches_run_at_once_are_all_stopped_by_one_request():
    """``solve_all`` (the neighbourhoods solved two at a time): the searches run together, a
    request stops every one of them with its best solution, and Ctrl-C under Python's own handler
    leaves none running."""
    code = """
import os, signal, threading, time
from ortools.sat.python import cp_model
from scheduler.interrupt import Interrupt, solve_all_stoppable
m = cp_model.CpModel()
x = [m.new_int_var(0, 600, f"x{i}") for i in range(60)]
m.add_no_overlap([m.new_interval_var(x[i], 3 + i % 7, x[i] + 3 + i % 7, f"i{i}") for i in range(60)])
m.minimize(sum((i % 13 + 1) * x[i] for i in range(60)))
def searches(n):
    for _ in range(n):
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 60
        yield solver, m, None
interrupt = Interrupt()
threading.Timer(1.0, interrupt.request).start()
started = time.monotonic()
statuses = interrupt.solve_all(searches(2))
print(statuses == [cp_model.FEASIBLE] * 2, f"{time.monotonic() - started:.0f}s")
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
try:
    solve_all_stoppable(searches(2))
    print("returned")
except KeyboardInterrupt:
    print("running" if any(t.name == "cp-sat-search" for t in threading.enumerate()) else "stopped")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["True 1s", "stopped"], done.stdout + done.stderr


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
            wait_for_temporary_folder(out, process, "plan.json")  # not a fixed delay: rendering is fast
    assert process.poll() is None, "the solve ended before the kill"
    process.kill()
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert snapshot(out) == before
    # A killed process cannot clean up: at most its temporary folder remains beside the output.
    assert all(name.startswith(".out.tmp-") for name in beside(out)), beside(out)
    if moment == "writing":
        assert beside(out), "the kill did not come while the outputs were written"


# --- SIGTERM (kill, systemd, CI runners): the same as Ctrl-C, with exit 143 where nothing is written ---


def catches(process: subprocess.Popen, signum: int) -> bool:
    """Whether the process has a handler of its own for ``signum`` (Linux: SigCgt in /proc)."""
    status = Path(f"/proc/{process.pid}/status").read_text(encoding="ascii")
    mask = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(mask >> (signum - 1) & 1)


def wait_until_catching_sigterm(process: subprocess.Popen, timeout: float = 60) -> None:
    """Until then SIGTERM would end Python at once (the default), before the command started."""
    deadline = time.monotonic() + timeout
    while not catches(process, signal.SIGTERM):
        assert process.poll() is None, "the command ended before it handled SIGTERM"
        assert time.monotonic() < deadline, "SIGTERM was never handled"
        time.sleep(0.005)


def wait_for_temporary_folder(out: Path, process: subprocess.Popen, holding: str, timeout: float = 120) -> None:
    """Until the outputs are being written: the temporary folder beside ``out`` holds ``holding``."""
    deadline = time.monotonic() + timeout
    while not any((p / holding).exists() for p in out.parent.glob(f".{out.name}.tmp-*")):
        assert process.poll() is None, "the command ended before it wrote its outputs"
        assert time.monotonic() < deadline, "the outputs were never written"
        time.sleep(0.005)


def test_sigterm_during_the_search_writes_the_best_plan_so_far(large, tmp_path, previous_output):
    out, before = previous_output
    process = start_solve(large, out, "--format", "csv")
    wait_for_first_plan(process)
    assert process.poll() is None, "the solve ended before the signal: make searching_scenario() larger"
    process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    code, stdout, stderr = finish(process)
    assert code == 0, stderr
    assert time.monotonic() - signalled < 30
    assert "Traceback" not in stderr
    assert "terminated: stopping the search" in stderr and "terminated: best plan so far" in stderr
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["solver"]["status"] == "FEASIBLE"
    assert check_plan(large, plan) == []
    assert set(snapshot(out)) == {"plan.json", "schedule.csv", "budget.csv"}  # replaced whole
    assert "feasible plan" in stdout and f"wrote {out / 'plan.json'}" in stdout
    assert beside(out) == set()


@pytest.mark.parametrize("delay", [0.0, 0.5])
def test_sigterm_before_any_plan_writes_nothing_and_exits_143(large, tmp_path, previous_output, delay):
    """Reading the scenario, importing the solver, building the model: nothing to keep yet. The
    signal is sent ``delay`` seconds after the command started handling SIGTERM."""
    out, before = previous_output
    process = start_solve(large, out)
    wait_until_catching_sigterm(process)
    time.sleep(delay)
    process.send_signal(signal.SIGTERM)
    code, stdout, stderr = finish(process)
    assert not PROGRESS.search(stderr), "a plan already existed: the signal came too late for this test"
    assert code == 143, stderr
    assert stderr.strip().splitlines()[-1].startswith("terminated"), stderr
    assert "Traceback" not in stderr and "internal error" not in stderr and stdout == ""
    assert snapshot(out) == before
    assert beside(out) == set()


def test_sigterm_while_the_outputs_are_written_keeps_the_previous_output(large, tmp_path, previous_output):
    """The first SIGTERM stops the search; a second one, while the plan's outputs (every format,
    hundreds of files) are written, abandons them: the previous output stays whole, exit 143."""
    out, before = previous_output
    process = start_solve(large, out)
    wait_for_first_plan(process)
    process.send_signal(signal.SIGTERM)
    wait_for_temporary_folder(out, process, "plan.json")
    process.send_signal(signal.SIGTERM)
    code, stdout, stderr = finish(process)
    assert code == 143, stderr
    assert stderr.strip().splitlines()[-1] == "terminated", stderr
    assert "Traceback" not in stderr and "wrote" not in stdout
    assert snapshot(out) == before
    assert beside(out) == set()  # the temporary folder was removed


@pytest.fixture(scope="module")
def large_plan(large, tmp_path_factory) -> Path:
    """A plan of the large scenario (its first few seconds of search), to render."""
    from scheduler import plan as plan_json
    from scheduler.model.instance import Instance
    from scheduler.scenario.loader import load

    plan = solve_module.solve(Instance(load(large)), solve_module.SolveOptions(workers=1, time_limit=3))
    path = tmp_path_factory.mktemp("large-plan") / "plan.json"
    path.write_text(plan_json.dumps(plan), encoding="utf-8")
    return path


def test_sigterm_during_render_keeps_the_previous_output(large, large_plan, tmp_path, previous_output):
    out, before = previous_output
    command = [sys.executable, "-m", "scheduler", "render", str(large_plan), "--scenario", str(large), "-o", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    wait_for_temporary_folder(out, process, "plan.json")
    process.send_signal(signal.SIGTERM)
    code, stdout, stderr = finish(process)
    assert code == 143, stderr
    assert stderr.strip() == "terminated" and stdout == ""
    assert snapshot(out) == before
    assert beside(out) == set()


def test_sigterm_during_explain_exits_143_without_a_traceback(large, tmp_path):
    """A budget far below the cost of the required events: the explanation searches for a while."""
    tight = tmp_path / "tight.toml"
    tight.write_text(large.read_text(encoding="utf-8").replace("total = 800000", "total = 20000"), encoding="utf-8")
    assert tight.read_text(encoding="utf-8") != large.read_text(encoding="utf-8")
    command = [sys.executable, "-m", "scheduler", "explain", str(tight), "--time-limit", "120"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    wait_until_catching_sigterm(process)
    time.sleep(3)
    assert process.poll() is None, "the explanation ended before the signal"
    process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    code, stdout, stderr = finish(process)
    assert time.monotonic() - signalled < 30
    assert code == 143, stderr
    assert stderr.strip() == "terminated" and "Traceback" not in stderr
    assert "Conflict" not in stdout  # no half explanation presented as the answer


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_sigterm_at_the_first_plan_in_process(large, cli, tmp_path, monkeypatch, no_output_plugins, track_interrupts):
    """SIGTERM as Ctrl-C: the search stops at its first plan, which is written; both handlers are
    put back afterwards (a program running the command keeps its own)."""
    sigterm_before = signal.getsignal(signal.SIGTERM)
    sent = _ctrl_c_at_first_solution(monkeypatch, times=1, signum=signal.SIGTERM)
    out = tmp_path / "out"
    result = cli("solve", large, "-o", out, "--workers", "1", "--quiet")
    assert sent == [1]
    assert result.exit_code == 0, result.output
    assert "terminated: best plan so far" in result.stderr
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["solver"]["status"] == "FEASIBLE"
    assert check_plan(large, plan) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert signal.getsignal(signal.SIGTERM) is sigterm_before


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_a_second_sigterm_quits_without_writing(large, cli, tmp_path, monkeypatch, no_output_plugins, track_interrupts):
    _ctrl_c_at_first_solution(monkeypatch, times=2, signum=signal.SIGTERM)
    out = tmp_path / "out"
    result = cli("solve", large, "-o", out, "--workers", "1", "--quiet")
    assert result.exit_code == 143, result.output
    assert result.stderr.strip().splitlines()[-1] == "terminated"
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == []


@pytest.mark.parametrize(("stop", "code", "word"), [(KeyboardInterrupt, 130, "interrupted"), (None, 143, "terminated")])
def test_a_signal_during_an_extensions_import_is_a_stop_not_an_internal_error(stop, code, word):
    """A signal while OR-Tools' compiled modules initialise reaches the command as ``ImportError:
    initialization failed`` raised from the KeyboardInterrupt: it ends like any other stop."""
    import click
    from click.testing import CliRunner

    from scheduler.cli.app import handles_errors, pass_app
    from scheduler.cli.signals import Terminated

    @click.command()
    @pass_app
    @handles_errors
    def importing(app) -> None:
        try:
            raise (stop or Terminated)()
        except KeyboardInterrupt as error:
            raise ImportError("initialization failed") from error

    result = CliRunner().invoke(importing, [], catch_exceptions=False)
    assert result.exit_code == code
    assert result.stderr.strip() == word
