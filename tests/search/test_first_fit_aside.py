"""The ejection moves of the first plan, run in a forked process while the model is built
(``firstplan.PendingFit``): the same plan as in one process, and a stop or a dead child never loses
first fit's plan."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from benchmarks.generate import write  # benchmarks/, on the path through busy_plans
from scheduler.interrupt import Interrupt
from scheduler.model.instance import Instance
from scheduler.plan import to_dict
from scheduler.processes import can_fork
from scheduler.scenario.loader import load
from scheduler.search import firstplan
from scheduler.search.ejection import Ejection
from scheduler.search.firstfit import FirstFit, Policy
from scheduler.solver import SolveOptions, solve
from tests.support.busy_plans import SIZE

pytestmark = pytest.mark.skipif(not can_fork(), reason="no safe fork on this platform: the moves run in one process")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    return write(SIZE, tmp_path_factory.mktemp("aside"))


def _by_hand(scenario: Path) -> FirstFit:
    """A plan the ejection moves improve (first fit on the earliest days; the solver's own first
    fit, on the cheapest days, leaves them nothing to do on a scenario this small)."""
    fit = FirstFit(Instance(load(scenario)), Policy(venue="total", people="cheapest"))
    fit.run()
    return fit


def test_moves_made_in_a_child_process_give_the_same_plan(scenario, monkeypatch, tmp_path):
    alone = _by_hand(scenario)
    before = dict(alone.placed)
    assert Ejection(alone).run(rounds=firstplan.EJECTION_ROUNDS) > 0, "no move kept: the test shows nothing"

    where = tmp_path / "pid"
    eject = firstplan.eject_aside

    def recorded(*args):
        where.write_text(str(os.getpid()))
        eject(*args)

    monkeypatch.setattr(firstplan.PendingFit, "ASIDE_FROM", 0)
    monkeypatch.setattr(firstplan, "eject_aside", recorded)
    lines: list[str] = []
    fit = _by_hand(scenario)
    pending = firstplan.PendingFit(fit, SolveOptions(workers=2, progress=lines.append), time.monotonic(), None)
    assert fit.placed == before  # nothing moved here: the child has the moves
    aside = pending.wait()
    assert int(where.read_text()) != os.getpid()
    assert aside.placed == alone.placed != before
    assert len(lines) == 1 and "better plan (ejection moves)" in lines[0]


def test_a_solve_with_the_moves_aside_writes_the_same_plan(scenario, monkeypatch):
    def plan() -> dict:
        return to_dict(solve(Instance(load(scenario)), SolveOptions(workers=2, time_limit=None)))

    monkeypatch.setattr(firstplan.PendingFit, "ASIDE_FROM", 10**9)
    in_one = plan()
    monkeypatch.setattr(firstplan.PendingFit, "ASIDE_FROM", 0)
    assert plan() == in_one


def _by_first_fit_alone(scenario: Path):
    fit = firstplan.best_first_fit(Instance(load(scenario)))
    fit.improve(passes=1)
    return fit.placed


def test_a_stop_while_the_moves_run_aside_keeps_first_fits_plan_and_ends_the_child(scenario, monkeypatch):
    monkeypatch.setattr(firstplan.PendingFit, "ASIDE_FROM", 0)
    monkeypatch.setattr(firstplan, "eject_aside", lambda *args: time.sleep(60))
    interrupt = Interrupt()
    options = SolveOptions(workers=2, interrupt=interrupt)
    pending = firstplan.start_first_fit(Instance(load(scenario)), options, time.monotonic())
    child = pending.process
    threading.Timer(0.3, interrupt.request).start()
    began = time.monotonic()
    fit = pending.wait(interrupt)
    assert time.monotonic() - began < 5
    assert not child.is_alive() and pending.process is None
    assert fit.placed == _by_first_fit_alone(scenario)


def test_a_child_that_dies_leaves_first_fits_plan(scenario, monkeypatch):
    monkeypatch.setattr(firstplan.PendingFit, "ASIDE_FROM", 0)
    monkeypatch.setattr(firstplan, "eject_aside", lambda *args: os._exit(3))
    lines: list[str] = []
    options = SolveOptions(workers=2, progress=lines.append)
    fit = firstplan.first_fit(Instance(load(scenario)), options, time.monotonic())
    assert fit.placed == _by_first_fit_alone(scenario)
    assert not any("ejection moves" in line for line in lines)
