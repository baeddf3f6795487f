"""The garbage collector while formats are driven (``scheduler.render.pool.eased_collector``): what
exists is frozen and young collections are rarer, in this process and in the forked workers, and
both are put back as they were once the formats are done."""

from __future__ import annotations

import gc
import os
from types import SimpleNamespace

import pytest

from scheduler.render.pool import COLLECT_AFTER, Batch, drive, eased_collector


def collector_state(context, chunk) -> list[tuple[int, int, int]]:
    """Per item: the process, its young-collection threshold and how many objects are frozen."""
    return [(os.getpid(), gc.get_threshold()[0], gc.get_freeze_count()) for _item in chunk]


def staged_format(seen: dict):
    def stages(context):
        seen["host"] = (os.getpid(), gc.get_threshold()[0], gc.get_freeze_count())  # between two yields
        seen["batch"] = yield Batch(list(range(80)), collector_state)
        return []

    return stages


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_collector_is_eased_in_the_host_and_the_workers_and_put_back_afterwards(workers):
    if gc.get_freeze_count():
        gc.unfreeze()
    threshold = gc.get_threshold()
    seen: dict = {}
    outcomes: dict = {}
    context = SimpleNamespace(options={"workers": workers})
    drive(context, {"format": staged_format(seen)(context)}, outcomes)
    assert outcomes == {"format": []}
    _pid, host_threshold, host_frozen = seen["host"]
    assert host_threshold >= COLLECT_AFTER and host_frozen > 0
    processes = {pid for pid, _threshold, _frozen in seen["batch"]}
    assert (processes == {os.getpid()}) if workers == "1" else (os.getpid() not in processes)
    assert all(t >= COLLECT_AFTER and frozen > 0 for _pid, t, frozen in seen["batch"])
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0


def test_objects_frozen_by_someone_else_stay_frozen_and_a_higher_threshold_is_kept():
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(COLLECT_AFTER * 2, *before[1:])
    try:
        frozen = gc.get_freeze_count()
        with eased_collector():
            assert gc.get_threshold()[0] == COLLECT_AFTER * 2  # never lowered
        assert gc.get_threshold() == (COLLECT_AFTER * 2, *before[1:])
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def test_the_collector_is_put_back_when_a_format_fails():
    threshold = gc.get_threshold()

    def failing(context):
        raise RuntimeError("broken")
        yield  # a generator

    outcomes: dict = {}
    drive(SimpleNamespace(options={"workers": "1"}), {"format": failing(None)}, outcomes)
    assert isinstance(outcomes["format"], RuntimeError)
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
