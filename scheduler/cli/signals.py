"""How the command line answers SIGINT (Ctrl-C) and SIGTERM (``kill``, systemd, CI runners).

Both signals mean "stop", and both are handled the same way, so that a coordinator's Ctrl-C and a
runner's time-out end a solve alike:

- While ``solve`` searches (``stop_search_on_signals``), the first signal stops the search and
  the best plan found so far is written (exit 0, status ``FEASIBLE``); a second one quits at once.
- Anywhere else (reading the scenario, writing the outputs, ``render``, ``explain``), the signal
  raises ``KeyboardInterrupt`` (SIGINT, Python's own handler) or ``Terminated`` (SIGTERM,
  ``terminate_on_sigterm``): the atomic output folder removes its temporary folder, the previous
  output stays as it was, and the command exits 130 or 143 (128 + the signal's number, as shells
  report a process ended by a signal) with a one-line message, never a traceback.

Python runs signal handlers in the main thread only, between bytecodes; the search runs in a
worker thread while the main thread waits (see ``scheduler.interrupt``), so the handlers run
at once. Handlers can only be installed from the main thread: elsewhere (a host program running
the command in a thread) they are left as they are.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: stop without writing (exit 143). A ``KeyboardInterrupt``, like Ctrl-C's, so
    that code cleaning up on ``BaseException`` (the atomic output folder, the search) treats both
    alike and code catching ``Exception`` does not swallow it."""


def exit_code_of(stop: KeyboardInterrupt) -> int:
    """128 + the signal's number: 143 for SIGTERM, 130 for Ctrl-C."""
    return 128 + (signal.SIGTERM if isinstance(stop, Terminated) else signal.SIGINT)


def word_for(stop: KeyboardInterrupt) -> str:
    """How the one-line message starts: "terminated" (SIGTERM) or "interrupted" (Ctrl-C)."""
    return "terminated" if isinstance(stop, Terminated) else "interrupted"


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _install(signum: int, handler) -> object:
    """Install ``handler`` for ``signum``; returns what was there, ready to be put back."""
    previous = signal.signal(signum, handler)
    return signal.SIG_DFL if previous is None else previous  # None: installed outside Python


@contextmanager
def terminate_on_sigterm() -> Iterator[None]:
    """While a command runs, SIGTERM raises ``Terminated`` in the main thread, as Ctrl-C raises
    ``KeyboardInterrupt``; without it the process would die on the spot, leaving its temporary
    output folder behind."""
    if not _in_main_thread():
        yield
        return

    def on_sigterm(signum, frame) -> None:
        raise Terminated

    previous = _install(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class SearchStop:
    """The signal that asked the search to stop (``None`` while none has), shared with ``solve``."""

    def __init__(self, interrupt) -> None:
        self.interrupt = interrupt  # a scheduler.interrupt.Interrupt
        self.signal: int | None = None

    @property
    def word(self) -> str:
        """The first word of the messages on stderr: "terminated" after SIGTERM, else "interrupted"."""
        return "terminated" if self.signal == signal.SIGTERM else "interrupted"


_FIRST_SIGNAL_NOTE = {
    signal.SIGINT: "\ninterrupted: stopping the search; Ctrl-C again to quit without writing",
    signal.SIGTERM: "\nterminated: stopping the search; a second SIGTERM or Ctrl-C quits without writing",
}


@contextmanager
def stop_search_on_signals(interrupt) -> Iterator[SearchStop]:
    """While the search runs, the first SIGINT or SIGTERM stops it and keeps its best plan (see
    ``scheduler.interrupt``); a second one quits at once, writing nothing (exit 130 or 143,
    after that second signal). Where the search had found no plan yet, a stop by SIGTERM leaves as
    ``Terminated`` (exit 143) rather than as the solver's ``SearchInterrupted`` (exit 130)."""
    stop = SearchStop(interrupt)
    if not _in_main_thread():
        yield stop  # signal handlers can only be set from the main thread
        return

    def on_signal(signum, frame) -> None:
        if interrupt.requested:
            raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt
        stop.signal = signum
        interrupt.request()
        try:
            click.echo(_FIRST_SIGNAL_NOTE[signum], err=True)
        except RuntimeError:  # the main thread was itself writing to stderr
            pass

    previous = {signum: _install(signum, on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    except KeyboardInterrupt as error:
        from scheduler.interrupt import SearchInterrupted  # loaded already: the search ran

        if stop.signal == signal.SIGTERM and isinstance(error, SearchInterrupted):
            raise Terminated("the search was stopped before any plan was found; nothing written") from None
        raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
