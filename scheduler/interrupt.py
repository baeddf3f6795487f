"""Stopping a search from outside (Ctrl-C) so that the best plan found so far is kept.

CP-SAT's ``solve`` is one long C++ call. Python runs signal handlers only in the main thread and
only between bytecodes, so a handler installed with ``signal.signal`` would run after the search
has ended; and CP-SAT's own SIGINT catching (``catch_sigint_signal``, on by default) ends the
current solve as if its time limit had passed, without telling Python, so the next stage would
start as if nothing had happened. ``Interrupt.solve`` therefore turns CP-SAT's catching off, runs
the solve in a worker thread and waits for it in the main thread, where the handler runs at once;
the handler calls ``Interrupt.request``, which stops the running solver (``stop_search``): the solve
returns with its best solution, and the lexicographic loop starts no further stage.

A CP-SAT solve that does catch SIGINT resets it to the system default when it ends (the process
would then die on Ctrl-C without cleaning up), whatever Python had installed; ``Interrupt.solve``
re-installs Python's handler before each search for that reason; every solve of the project goes
through ``solve_stoppable``.
"""

from __future__ import annotations

import signal
import threading
import time

from ortools.sat.python import cp_model

# How often the waiting thread repeats a pending stop: ``stop_search`` is lost when it comes before
# the solver has set up its search, so the request is repeated until the solve returns.
_POLL_SECONDS = 0.1


class SearchInterrupted(KeyboardInterrupt):
    """The search was interrupted before it found any plan: there is nothing to write (exit 130).

    A ``KeyboardInterrupt``, so that code catching ``Exception`` does not swallow a user's stop."""


class Interrupt:
    """A stop request shared by a signal handler and the search; one per solve."""

    def __init__(self) -> None:
        self.requested = False
        self._running: list[cp_model.CpSolver] = []

    def request(self) -> None:
        """Ask the search to stop. Safe to call from a signal handler, and more than once."""
        self.requested = True
        self._stop_all()

    def solve(
        self,
        solver: cp_model.CpSolver,
        model: cp_model.CpModel,
        callback: cp_model.CpSolverSolutionCallback | None = None,
    ):
        """``solver.solve(model, callback)``, stoppable by ``request``; returns the CP-SAT status.

        A stop requested before the call stops the search as soon as it has started."""
        return self.solve_all([(solver, model, callback)])[0]

    def solve_all(self, searches) -> list:
        """Several ``(solver, model, callback)`` solved at once, each in a thread of its own (CP-SAT
        releases the GIL while it searches), all stoppable by ``request``; their statuses in order.
        ``searches`` may be a generator: each search starts as soon as it is given, so the next one
        can be put together while the first runs."""
        _rearm_sigint()
        outcomes: list[dict[str, object]] = []
        # Waited on instead of ``Thread.join``: a signal handler that raises while ``join`` waits
        # makes CPython 3.11 mark the still-running thread as stopped (its ``bpo-45274`` clean-up
        # releases the thread's own lock), so a later ``join`` returns at once and the process could
        # exit under a running CP-SAT search, which aborts it ("terminate called without an
        # active exception").
        finished: list[threading.Event] = []

        def search(solver: cp_model.CpSolver, model: cp_model.CpModel, callback, outcome, done) -> None:
            try:
                outcome["status"] = solver.solve(model, callback)
            except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
                outcome["error"] = error
            finally:
                done.set()

        self._running = []
        try:
            for solver, model, callback in searches:
                solver.parameters.catch_sigint_signal = False
                outcomes.append({})
                finished.append(threading.Event())
                self._running.append(solver)
                thread = threading.Thread(
                    target=search, args=(solver, model, callback, outcomes[-1], finished[-1]), name="cp-sat-search"
                )
                thread.daemon = True
                thread.start()
            for event in finished:
                while not event.wait(_POLL_SECONDS):
                    if self.requested:
                        self._stop_all()
        except BaseException:
            # A second Ctrl-C (the handler raised): stop the searches before leaving them behind.
            give_up = time.monotonic() + 5
            self._stop_all()
            while not all(event.is_set() for event in finished) and time.monotonic() < give_up:
                time.sleep(_POLL_SECONDS)
                self._stop_all()  # repeated: a stop that comes before the search has set up is lost
            raise
        finally:
            self._running = []
        for outcome in outcomes:
            if "error" in outcome:
                raise outcome["error"]  # type: ignore[misc]
        return [outcome["status"] for outcome in outcomes]

    def _stop_all(self) -> None:
        for solver in list(self._running):
            solver.stop_search()


def _rearm_sigint() -> None:
    """Install Python's SIGINT handler again at the C level (see the module docstring)."""
    if threading.current_thread() is not threading.main_thread():
        return
    handler = signal.getsignal(signal.SIGINT)
    if handler is not None:
        signal.signal(signal.SIGINT, handler)


def solve_stoppable(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    callback: cp_model.CpSolverSolutionCallback | None = None,
    interrupt: Interrupt | None = None,
):
    """``solver.solve(model, callback)`` where Ctrl-C acts at once: through ``interrupt`` when the
    caller handles SIGINT with it; else under Python's own handler, whose ``KeyboardInterrupt``
    stops the search and propagates (CP-SAT would have swallowed it)."""
    return (interrupt or Interrupt()).solve(solver, model, callback)


def solve_all_stoppable(searches: list[tuple], interrupt: Interrupt | None = None) -> list:
    """Several ``(solver, model, callback)`` at once (``Interrupt.solve_all``), with Ctrl-C acting
    as in ``solve_stoppable``; their statuses in order."""
    return (interrupt or Interrupt()).solve_all(searches)
