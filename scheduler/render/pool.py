"""One set of worker processes for every output format of a render, instead of one per format.

A large plan writes tens of thousands of independent files. Run one format after the other, each
spreading its own files over the processors, the render takes as long as the sum of the formats,
each ending with processors idle while its last chunk finishes and its sequential parts run alone.
Here the formats' work runs together, interleaved over the same processes, so the render takes
about its processor time divided by the number of processors.

How a format offers its work (an internal mechanism of the built-ins: the plugin interface stays a
function ``render(context) -> files``):

- Its render function is made with ``staged(stages)``. ``stages(context)`` is a generator that
  yields ``Batch``es and returns the files written, as a render function returns them. A batch is
  independent work: ``work(context, chunk)`` on consecutive chunks of ``items``, each call
  returning a list; the generator receives the concatenation of those lists, in the order of
  ``items`` (or the exception of the first failing chunk, raised at its ``yield``). Its code between
  two ``yield``\\ s runs in the host's process.
- The host (``scheduler.render.host.render_all``) calls ``drive`` with every staged format: each
  *round* runs the current batch of every format on the same worker processes, then hands each
  format its results and collects its next batch. Plain render functions (third-party formats,
  small built-ins) run in the host's process, in name order, while the first round runs.
- Batches of one round over the same items (the same objects in the same order) run item by item
  in one task: every format's work for item *k* in the same process, one right after the other,
  in format order. Formats that need the same things for an item (``ical`` and ``invitations``:
  each attendee's briefing of an occurrence) find what the first computed in the render's memo
  (``context.memo.for_item``, ``scheduler.render.memo``), which keeps one item's values at a time.

Decisions:

- Workers are forked for each round (``fork``: they inherit the plan, the scenario, the batches'
  functions and whatever the formats computed before, without pickling any of it; the results come
  back pickled). Where ``fork`` is missing (Windows) or unsafe (macOS) everything runs in this
  process, as it does with ``--option workers=1``.
- How many: ``--option workers=N`` (1: no worker processes), for any plan size; by default as many
  as there are processors, at most ``MAX_WORKERS``, and only when a batch has at least
  ``MIN_ITEMS`` items (forking costs more than a small plan takes).
- Each batch is cut into ``CHUNKS_PER_WORKER`` chunks per worker, and the tasks of the formats are
  queued in turn (first chunk of each, then the second, ...), those of groups of more batches
  first (each of their chunks is several formats' work), so that a round ends on short tasks and
  no processor waits long for the last chunk of a large format.
- The files, and the list of files, are the same whatever the number of workers: each file is
  written by exactly one call, and the results are put back in item order.
- A failure in a worker comes back as the same exception (type and message); one that cannot be
  pickled becomes a ``RuntimeError`` naming it. Workers ignore Ctrl-C: the host handles it.
- The garbage collector is eased while formats are driven (``eased_collector``): what exists when
  a round starts (the plan, the scenario, the formats' templates and results so far) is frozen
  (``gc.freeze``), so that no collection walks it again, in this process or in a forked worker,
  whose walk would also copy every page it touches; and a young collection waits for
  ``COLLECT_AFTER`` new objects rather than 700. A render makes millions of short-lived objects,
  nearly all freed by their reference counts, so collecting them is work spent for nothing
  (benchmarks/README.md, "Rendering", third round). Both are put back as they were when
  ``drive`` returns.
- A format whose batch fails is not driven further. Once a format has failed, the formats after it
  (in the order given to ``drive``) are not driven further either (their outcome cannot change the
  error reported: the host reports the first failing format), while those before it go on.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from scheduler.errors import UsageError
from scheduler.processes import can_fork

WORKERS_OPTION = "workers"
MAX_WORKERS = 4
MIN_ITEMS = 64
CHUNKS_PER_WORKER = 8
COLLECT_AFTER = 20_000  # new container objects between two young collections while formats are driven


@dataclass(frozen=True)
class Batch:
    """Independent work of one format: ``work(context, chunk)`` for consecutive chunks of ``items``."""

    items: Sequence
    work: Callable[[Any, Sequence], list]


Stages = Callable[[Any], Generator[Batch, list, list]]


def staged(stages: Stages) -> Callable[[Any], list]:
    """A render function running ``stages`` on its own (for callers other than the host); the host
    finds ``stages`` on it (``stages_of``) and drives it together with the other formats."""

    @functools.wraps(stages)
    def render(context) -> list:
        outcomes: dict[str, list | BaseException] = {}
        drive(context, {"format": stages(context)}, outcomes)
        outcome = outcomes["format"]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    render.stages = stages
    return render


def stages_of(render: Callable) -> Stages | None:
    """The generator function behind a render function made with ``staged``, else None."""
    return getattr(render, "stages", None)


def workers(context, items: int) -> int:
    """How many processes run a round whose largest batch has ``items`` items (1: this one alone)."""
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
    if not can_fork():
        return 1
    return max(1, min(count, items))


def drive(
    context,
    generators: dict[str, Generator[Batch, list, list]],
    outcomes: dict[str, list | BaseException],
    *,
    while_waiting: Callable[[], None] | None = None,
    order: Sequence[str] = (),
) -> None:
    """Run the staged formats' generators round by round; each one's outcome (the files it
    returned, or the exception that stopped it) goes into ``outcomes`` under its key.

    ``while_waiting`` runs once in this process while the first round's batches run in the workers
    (the formats that are not staged); it may add outcomes of its own. ``order`` is the order of
    every format, staged or not (by default the generators' order): see the module's decisions."""
    order = list(order) or list(generators)
    current: dict[str, Batch] = {}
    with eased_collector():
        _drive(context, generators, outcomes, current, while_waiting, order)


def _drive(context, generators, outcomes, current: dict[str, Batch], while_waiting, order: list[str]) -> None:
    try:
        for key, generator in generators.items():
            if not failed_before(key, outcomes, order):
                _advance(key, generator, _START, current, outcomes)
        waiting = while_waiting
        while current or waiting is not None:
            _stop_after_failures(generators, current, outcomes, order)
            keys = list(current)
            results = run_batches(context, [current.pop(key) for key in keys], while_waiting=waiting)
            waiting = None
            for key, result in zip(keys, results, strict=True):
                _advance(key, generators[key], result, current, outcomes)
            _stop_after_failures(generators, current, outcomes, order)
    finally:
        for generator in generators.values():
            generator.close()


@contextlib.contextmanager
def eased_collector():
    """The collector eased while the body runs (see the module's decisions): what exists is frozen
    and young collections are rarer; the threshold is put back afterwards, and the frozen objects
    are unfrozen unless something else had frozen objects before (theirs stay as they were)."""
    threshold = gc.get_threshold()
    already_frozen = gc.get_freeze_count() > 0
    gc.freeze()
    gc.set_threshold(max(threshold[0], COLLECT_AFTER), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if not already_frozen:
            gc.unfreeze()


_START = object()  # what _advance sends a generator that has not started


def _advance(key: str, generator, result, current: dict, outcomes: dict) -> None:
    try:
        if result is _START:
            batch = next(generator)
        elif isinstance(result, BaseException):
            batch = generator.throw(result)
        else:
            batch = generator.send(result)
    except StopIteration as stop:
        outcomes[key] = stop.value or []
        return
    except Exception as error:  # noqa: BLE001 - the format's failure, reported by the host
        outcomes[key] = error
        return
    if not isinstance(batch, Batch):
        generator.close()
        outcomes[key] = TypeError(f"a staged render yielded {type(batch).__name__}, not a Batch")
        return
    current[key] = batch


def failed_before(key: str, outcomes: dict, order: list[str]) -> bool:
    """Whether a format before ``key`` (in ``order``) has failed."""
    position = order.index(key)
    return any(
        isinstance(outcome, BaseException) and order.index(other) < position for other, outcome in outcomes.items()
    )


def _stop_after_failures(generators: dict, current: dict, outcomes: dict, order: list[str]) -> None:
    for key in list(current):
        if failed_before(key, outcomes, order):
            del current[key]
            generators[key].close()


def run_batches(context, batches: list[Batch], *, while_waiting: Callable[[], None] | None = None) -> list:
    """Each batch's results (the concatenated lists) or the exception of its first failing chunk.

    Runs in worker processes where ``workers`` says so, else here; ``while_waiting`` runs here
    meanwhile (or afterwards, without workers)."""
    global _round
    largest = max((len(batch.items) for batch in batches), default=0)
    count = workers(context, largest) if batches else 1
    groups = _groups(batches)
    if count <= 1 or _round is not None or _in_worker:
        tasks = _tasks(batches, groups, 1)
        pieces = [_execute(context, batches, task, here=True) for task in tasks]
        if while_waiting is not None:
            while_waiting()
        return _assemble(batches, tasks, pieces)
    tasks = _tasks(batches, groups, count)
    _round = (context, batches, tasks)
    gc.freeze()  # what the workers inherit is left alone by their collections (and by ours)
    pool = ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork"), initializer=_worker_started)
    try:
        futures = [pool.submit(_run_task, index) for index in range(len(tasks))]
        if while_waiting is not None:
            while_waiting()
        pieces = []
        for future, (group, _start, _stop) in zip(futures, tasks, strict=True):
            try:
                pieces.append(future.result())
            except BrokenProcessPool as error:  # a worker died (killed, or crashed in C code)
                pieces.append([(index, False, RuntimeError(f"a worker process died: {error}")) for index in group])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _round = None
    return _assemble(batches, tasks, pieces)


_round: tuple | None = None  # (context, batches, tasks) of the round in flight: what the workers inherit
_in_worker = False  # set in the forked workers: a batch run there stays in that process


def _groups(batches: list[Batch]) -> list[tuple[int, ...]]:
    """Batch indexes grouped by their items: the same objects in the same order."""
    groups: list[list[int]] = []
    for index, batch in enumerate(batches):
        for group in groups:
            other = batches[group[0]].items
            if len(other) == len(batch.items) and all(a is b for a, b in zip(other, batch.items, strict=True)):
                group.append(index)
                break
        else:
            groups.append([index])
    return [tuple(group) for group in groups]


Task = tuple[tuple[int, ...], int, int]  # batch indexes, first item, item after the last


def _tasks(batches: list[Batch], groups: list[tuple[int, ...]], count: int) -> list[Task]:
    """Every group cut into chunks, queued in turn: each group's first chunk, then each one's
    second...; with workers, the chunks of groups of more batches first (a chunk of three formats'
    work on its items takes about three times as long as one format's), so that the round ends
    on short tasks, which even out the processes' shares instead of leaving one idle while the
    other finishes a long one."""
    per_group = []
    for group in groups:
        length = len(batches[group[0]].items)
        wanted = 1 if count <= 1 else count * CHUNKS_PER_WORKER
        per_group.append([(group, start, stop) for start, stop in _chunks(length, wanted)])
    tasks = []
    for turn in range(max((len(chunks) for chunks in per_group), default=0)):
        tasks += [chunks[turn] for chunks in per_group if turn < len(chunks)]
    if count > 1:
        tasks.sort(key=lambda task: -len(task[0]))  # stable: in turn among groups of as many batches
    return tasks


def _chunks(length: int, wanted: int) -> list[tuple[int, int]]:
    if length == 0:
        return [(0, 0)]
    size, extra = divmod(length, max(1, min(wanted, length)))
    bounds, start = [], 0
    while start < length:
        stop = start + size + (1 if extra > 0 else 0)
        extra -= 1
        bounds.append((start, stop))
        start = stop
    return bounds


def _execute(context, batches: list[Batch], task: Task, *, here: bool) -> list[tuple[int, bool, Any]]:
    """``(batch index, succeeded, results or exception)`` for each batch of the task's group.

    A group of one batch is one call on the whole chunk; a larger group goes item by item, every
    batch's work for an item right after the others'."""
    group, start, stop = task
    results: dict[int, list] = {index: [] for index in group}
    failed: dict[int, BaseException] = {}
    if len(group) == 1:
        steps = [(group[0], start, stop)]
    else:
        steps = [(index, item, item + 1) for item in range(start, stop) for index in group]
    for index, first, last in steps:
        if index in failed:
            continue
        batch = batches[index]
        try:
            results[index].extend(batch.work(context, batch.items[first:last]))
        except Exception as error:  # noqa: BLE001 - the format's failure, handed to the format
            failed[index] = error if here else _sendable(error)
    return [(index, index not in failed, failed.get(index, results[index])) for index in group]


def _assemble(batches: list[Batch], tasks: list[Task], pieces: list) -> list:
    """Per batch: its tasks' results in item order, or the error of its first failing task."""
    ordered = sorted(zip(tasks, pieces, strict=True), key=lambda pair: pair[0][1])
    results: list = [[] for _ in batches]
    for _task, answers in ordered:
        for index, succeeded, value in answers:
            if isinstance(results[index], BaseException):
                continue
            if succeeded:
                results[index].extend(value)
            else:
                results[index] = value
    return results


def _worker_started() -> None:
    global _in_worker
    _in_worker = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_task(index: int) -> list:
    context, batches, tasks = _round
    return _execute(context, batches, tasks[index], here=False)


def _sendable(error: BaseException) -> BaseException:
    """The exception itself where it survives pickling, else a ``RuntimeError`` naming it."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - whatever pickling raises, the error cannot cross
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
