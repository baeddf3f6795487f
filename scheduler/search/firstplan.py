"""The search's first plan in plain Python: first fit with cost-aware choices, one pass of local
improvement and the ejection moves, reported at once.

It needs no CP-SAT model, so on large scenarios it comes long before the model is even built, and
a time limit or Ctrl-C that stops the search before any better plan still leaves it.
"""

from __future__ import annotations

import multiprocessing
import signal
import time

from scheduler.model.instance import Instance
from scheduler.model.objectives import summary
from scheduler.processes import can_fork
from scheduler.search.ejection import Ejection
from scheduler.search.firstfit import FirstFit, Policy
from scheduler.search.published import drop_orphans, seed_published
from scheduler.search.settings import SearchSettings

EJECTION_ROUNDS = 8


def first_fit(instance: Instance, options: SearchSettings, started: float) -> FirstFit | None:
    """First fit's plan with its ejection moves made; None where it places not every required
    occurrence."""
    pending = start_first_fit(instance, options, started)
    if pending is None:
        return None
    try:
        return pending.wait(options.interrupt)
    finally:
        pending.cancel()


def start_first_fit(instance: Instance, options: SearchSettings, started: float) -> PendingFit | None:
    """``first_fit``, with its ejection moves run in a process of their own where that pays (see
    ``PendingFit``): the caller builds the CP-SAT model meanwhile, then calls ``wait``."""
    fit = best_first_fit(instance, options.previous, options.skip_rules)
    if any(not o.event.optional and o.id not in fit.placed for o in instance.occurrences):
        return None  # not a plan: CP-SAT searches on its own (and explains, where there is none)
    fit.improve(passes=1)
    if options.progress is not None:
        options.progress(f"{time.monotonic() - started:7.2f}s  first plan (first fit): {_fit_summary(fit, options)}")
    deadline = None
    if options.time_limit is not None:
        deadline = started + options.time_limit / 4
    return PendingFit(fit, options, started, deadline)


class PendingFit:
    """The ejection moves of a first-fit plan, run in a forked process while the caller builds the
    CP-SAT model, or at once where they are not.

    On the largest scenarios the moves take about as long as the model takes to build, and neither
    needs the other: with two workers or more the moves
    run in a child process (``fork``: it inherits the plan without pickling it; the placements come
    back pickled), and the neighbourhoods start that much sooner. The child runs exactly the moves
    this process would run (the same plan, the same deterministic order, the same deadline), so the
    plan is the same either way. Only with ``--workers`` 2 or more (the second processor is the
    second worker's), at least ``ASIDE_FROM`` occurrences (a fork costs more than the moves of a
    small plan take), and where ``fork`` is safe (not on Windows or macOS). The child ignores
    Ctrl-C; a stop request while waiting for it ends it, and the plan is first fit's."""

    ASIDE_FROM = 300

    def __init__(self, fit: FirstFit, options: SearchSettings, started: float, deadline: float | None):
        self.fit, self.options, self.started = fit, options, started
        self.process = self.conn = None
        self.moves: int | None = None
        if options.workers >= 2 and len(fit.inst.occurrences) >= self.ASIDE_FROM and can_fork():
            context = multiprocessing.get_context("fork")
            self.conn, child_end = context.Pipe(duplex=False)
            self.process = context.Process(target=eject_aside, args=(fit, deadline, child_end), daemon=True)
            self.process.start()
            child_end.close()
        else:
            self.moves = Ejection(fit).run(rounds=EJECTION_ROUNDS, deadline=deadline)
            self._report()

    def wait(self, interrupt=None) -> FirstFit:
        """The plan with the ejection moves made (first fit's as it was, where a stop was asked for
        or the child failed)."""
        if self.process is not None:
            received = None
            while received is None and not (interrupt is not None and interrupt.requested):
                if self.conn.poll(_POLL_SECONDS):
                    try:
                        received = self.conn.recv()
                    except EOFError:  # the child died without an answer: its moves are lost
                        break
            self.cancel()
            if received is not None:
                self.moves, self.fit.placed = received
                self._report()
        return self.fit

    def cancel(self) -> None:
        """End the child process, if any is still running."""
        if self.process is None:
            return
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()
        self.process = None

    def _report(self) -> None:
        if self.moves and self.options.progress is not None:
            self.options.progress(
                f"{time.monotonic() - self.started:7.2f}s  better plan (ejection moves): "
                f"{_fit_summary(self.fit, self.options)}"
            )


_POLL_SECONDS = 0.1


def eject_aside(fit: FirstFit, deadline: float | None, conn) -> None:
    """In the child: the ejection moves, then the moves kept and the placements to the parent
    (where only ``placed`` is read from then on)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    moves = Ejection(fit).run(rounds=EJECTION_ROUNDS, deadline=deadline)
    conn.send((moves, fit.placed))
    conn.close()


def _fit_summary(fit: FirstFit, options: SearchSettings) -> str:
    """The plan's objectives, as the progress lines of the search show them."""
    held = {oid: p.held(fit.inst.by_id[oid]) for oid, p in fit.placed.items()}
    return summary(fit.inst, held, options.previous)


def best_first_fit(instance: Instance, previous=None, skip: tuple[str, ...] = ()) -> FirstFit:
    """First fit on the cheapest days; where that leaves out optional occurrences (cheap days
    taken early can crowd them out), also on the earliest days, and the better of the two in the
    objective's order: the hint never schedules less than planning by hand."""

    def plan_worth(fit: FirstFit) -> tuple[int, ...]:
        terms = [fit.worth(o, fit.placed.get(o.id)) for o in instance.occurrences]
        return tuple(map(sum, zip(*terms, strict=True)))

    def planned(policy: Policy) -> FirstFit:
        fit = FirstFit(instance, policy, skip, previous)
        if previous is not None:
            seed_published(fit, previous)
        fit.run()
        if previous is not None:
            drop_orphans(fit)
        return fit

    best = planned(Policy(venue="total", people="cheapest", day="cheapest"))
    if any(o.event.optional and o.id not in best.placed for o in instance.occurrences):
        other = planned(Policy(venue="total", people="cheapest", day="earliest"))
        if plan_worth(other) < plan_worth(best):
            best = other
    return best
