"""Rendering a large plan on several processors: the files of a format are independent.

``fan_out(context, items, function)`` calls ``function(context, chunk)`` on consecutive chunks of
``items`` and returns the concatenation of what the calls return, in the order of ``items``: the
same list, and the same files, as ``function(context, items)``. Where the plan is large it runs
the chunks in worker processes forked from this one (so they share the plan, the scenario and
whatever was computed before, without pickling any of it); the workers write their files
themselves and send back what ``function`` returns (paths, or small serialised pieces).

Decisions:

- How many workers: ``--option workers=N`` (1: no worker processes); by default as many as there
  are processors, at most ``MAX_WORKERS``, and only for at least ``MIN_ITEMS`` items (forking
  costs more than a small plan takes). Given explicitly, ``workers`` applies to any size.
- Only where ``fork`` exists (Linux and the BSDs; not Windows; not macOS, where forking a process
  that has loaded system frameworks is unsafe): elsewhere everything runs in this process.
- A failure in a worker is raised here as the same exception (type and message), so the plugin
  host reports it as it would any plugin error; one that cannot be sent between processes is
  replaced by a ``RuntimeError`` naming it. Workers ignore Ctrl-C: the main process handles it.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from scheduler.errors import UsageError

WORKERS_OPTION = "workers"
MAX_WORKERS = 4
MIN_ITEMS = 64
CHUNKS_PER_WORKER = 4  # several chunks each, so a worker that gets the large occurrences is not last by far

_job: tuple[Callable, Any, Sequence] | None = None  # what the forked workers run, inherited


def workers(context, items: int) -> int:
    """How many processes render ``items`` items (1: this one alone)."""
    value = context.options.get(WORKERS_OPTION)
    if value is not None:
        try:
            count = int(value)
        except ValueError:
            count = 0
        if count < 1:
            raise UsageError(f"--option {WORKERS_OPTION}={value!r}: expected a whole number of processes, 1 or more")
    else:
        count = min(os.cpu_count() or 1, MAX_WORKERS) if items >= MIN_ITEMS else 1
    if not _can_fork():
        return 1
    return max(1, min(count, items))


def fan_out(context, items: Sequence, function: Callable[[Any, Sequence], list]) -> list:
    """``function(context, items)``, in chunks, on ``workers(context, len(items))`` processes."""
    count = workers(context, len(items))
    if count <= 1:
        return list(function(context, items))
    global _job
    if _job is not None:  # a format fanning out inside a worker: stay in this process
        return list(function(context, items))
    chunks = _chunks(len(items), count * CHUNKS_PER_WORKER)
    _job = (function, context, items)
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"), initializer=_worker_started)
    try:
        futures = [pool.submit(_run_chunk, start, stop) for start, stop in chunks]
        return [result for future in futures for result in future.result()]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _job = None


def _chunks(length: int, wanted: int) -> list[tuple[int, int]]:
    size, extra = divmod(length, max(1, min(wanted, length)))
    bounds, start = [], 0
    while start < length:
        stop = start + size + (1 if extra > 0 else 0)
        extra -= 1
        bounds.append((start, stop))
        start = stop
    return bounds


def _can_fork() -> bool:
    return sys.platform != "darwin" and "fork" in multiprocessing.get_all_start_methods()


def _worker_started() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_chunk(start: int, stop: int) -> list:
    function, context, items = _job
    try:
        return list(function(context, items[start:stop]))
    except Exception as error:
        if _sendable(error):
            raise
        raise RuntimeError(f"{type(error).__name__}: {error}") from None


def _sendable(error: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - whatever pickling raises, the error cannot cross
        return False
    return True
