"""Rendering a large plan on several processors: the files of a format are independent.

``fan_out(context, items, function)`` calls ``function(context, chunk)`` on consecutive chunks of
``items`` and returns the concatenation of what the calls return, in the order of ``items``: the
same list, and the same files, as ``function(context, items)``. It is one ``Batch`` run on its
own by ``scheduler.render.pool`` (see there for the worker processes, ``--option workers=N`` and
how failures come back). The built-in formats do not call it: they yield their batches to the
host (``renderpool.staged``), which runs the batches of every format on the same processes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from scheduler.render.pool import MAX_WORKERS, MIN_ITEMS, WORKERS_OPTION, Batch, run_batches, workers

__all__ = ["MAX_WORKERS", "MIN_ITEMS", "WORKERS_OPTION", "fan_out", "workers"]


def fan_out(context, items: Sequence, function: Callable[[Any, Sequence], list]) -> list:
    """``function(context, items)``, in chunks, on ``workers(context, len(items))`` processes."""
    [result] = run_batches(context, [Batch(items, function)])
    if isinstance(result, BaseException):
        raise result
    return result
