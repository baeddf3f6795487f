"""The shared pool of worker processes (``scheduler.render.pool``): every format's work runs on the
same processes, and what comes out (files, the list of files, errors) is what running the formats
one after the other in this process gives."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.errors import UsageError
from scheduler.render import pool
from scheduler.render.context import OutputFormat, RenderContext
from scheduler.render.host import PluginError, render_all
from scheduler.render.pool import Batch, drive, run_batches, staged, stages_of
from tests.support import ILECU
from tests.support.calendar_outputs import NOW, render

EXAMPLE = ILECU
WORKER_SETTINGS = ["1", "2"]


def context_in(folder: Path, workers: str) -> RenderContext:
    folder.mkdir(parents=True, exist_ok=True)
    return RenderContext(plan=None, scenario=None, folder=folder, now=NOW, options={"workers": workers})


def no_hooks():
    return SimpleNamespace(hook=SimpleNamespace(prepare_render=lambda context: None))


def numbered_files(prefix: str, rounds: int = 2):
    """A staged format writing one file per item in each of ``rounds`` batches, then one of its own."""

    def stages(context):
        written = []
        for round_number in range(rounds):
            items = list(range(70))
            written += yield Batch(items, lambda context, chunk, r=round_number: _write_each(context, prefix, r, chunk))
        written.append(context.write_text(f"{prefix}/last.txt", f"{len(written)} before\n"))
        return written

    return staged(stages)


def _write_each(context, prefix, round_number, chunk):
    return [context.write_text(f"{prefix}/{round_number}-{item}.txt", f"{item} from {os.getpid()}\n") for item in chunk]


def plain_format(context):
    return [context.write_text("plain.txt", "written in the host's process\n")]


@pytest.mark.parametrize("workers", WORKER_SETTINGS)
def test_staged_and_plain_formats_give_the_files_and_list_of_one_process_after_the_other(tmp_path, workers):
    formats = [
        OutputFormat("a", "staged", numbered_files("a"), "test"),
        OutputFormat("b", "plain", plain_format, "test"),
        OutputFormat("c", "staged", numbered_files("c", rounds=3), "test"),
    ]
    written = render_all(no_hooks(), formats, context_in(tmp_path / "out", workers))
    expected = [tmp_path / "out" / "a" / f"{r}-{i}.txt" for r in range(2) for i in range(70)]
    expected += [tmp_path / "out" / "a" / "last.txt", tmp_path / "out" / "plain.txt"]
    expected += [tmp_path / "out" / "c" / f"{r}-{i}.txt" for r in range(3) for i in range(70)]
    expected += [tmp_path / "out" / "c" / "last.txt"]
    assert [p.resolve() for p in written] == [p.resolve() for p in expected]
    assert (tmp_path / "out" / "c" / "last.txt").read_text() == "210 before\n"
    writers = {path.read_text().split(" from ")[1] for path in written if " from " in path.read_text()}
    here = {f"{os.getpid()}\n"}
    assert writers == here if workers == "1" else not writers & here  # the batches ran in worker processes


def test_a_staged_render_function_still_renders_alone(tmp_path):
    render_function = numbered_files("alone", rounds=1)
    assert stages_of(render_function) is not None and stages_of(plain_format) is None
    written = render_function(context_in(tmp_path, "2"))
    assert len(written) == 71 and written[-1].read_text() == "70 before\n"


def test_batches_over_the_same_items_run_item_by_item_in_one_process():
    """Formats that compute the same things for an item can share them: for every item, every
    format's work runs in the same process, one right after the other, in format order."""
    items = [object() for _ in range(100)]

    def record_with_order(label):
        return lambda context, chunk: [(label, items.index(item), os.getpid(), _order(label)) for item in chunk]

    context = SimpleNamespace(options={"workers": "2"})
    first, second, other = run_batches(
        context,
        [
            Batch(items, record_with_order("first")),
            Batch(items, record_with_order("second")),
            Batch(list(range(9)), lambda context, chunk: list(chunk)),
        ],
    )
    assert [entry[1] for entry in first] == list(range(100)) == [entry[1] for entry in second]
    assert [entry[2] for entry in first] == [entry[2] for entry in second]  # same process per item
    assert all(b[3] == a[3] + 1 for a, b in zip(first, second, strict=True))  # second right after first
    assert os.getpid() not in {entry[2] for entry in first}  # in the workers
    assert other == list(range(9))


_counter = iter(range(10**9))


def _order(label):
    return next(_counter)


class Exploding(Exception):
    pass


def exploding_batch(context, chunk):
    if 50 in chunk:
        raise Exploding("item 50")
    return [context.write_text(f"e/{item}.txt", "x") for item in chunk]


@pytest.mark.parametrize("workers", WORKER_SETTINGS)
def test_a_batch_that_fails_in_the_pool_is_the_plugin_error_of_its_format(tmp_path, workers):
    def stages(context):
        written = yield Batch(list(range(80)), exploding_batch)
        return written

    formats = [
        OutputFormat("fine", "staged", numbered_files("fine"), "good-plugin"),
        OutputFormat("fragile", "fails", staged(stages), "fragile-plugin"),
    ]
    with pytest.raises(PluginError, match=r"format 'fragile' \(plugin 'fragile-plugin'\) failed: Exploding: item 50"):
        render_all(no_hooks(), formats, context_in(tmp_path, workers))


@pytest.mark.parametrize("workers", WORKER_SETTINGS)
def test_a_format_can_catch_its_batch_failure_at_the_yield(tmp_path, workers):
    def stages(context):
        try:
            yield Batch(list(range(80)), exploding_batch)
        except Exploding as error:
            return [context.write_text("recovered.txt", f"recovered from {error}\n")]
        return []

    [written] = render_all(no_hooks(), [OutputFormat("f", "", staged(stages), "p")], context_in(tmp_path, workers))
    assert written.read_text() == "recovered from item 50\n"


@pytest.mark.parametrize("workers", WORKER_SETTINGS)
def test_the_first_failing_format_in_order_is_reported_whichever_failed_first(tmp_path, workers):
    """``b`` fails at once (before its batch), ``a`` only in its second round, ``c`` is plain and
    fails too: as one after the other, ``a``'s failure is the one reported."""
    later = []

    def fails_late(context):
        yield Batch(list(range(70)), lambda context, chunk: list(chunk))
        yield Batch(list(range(70)), exploding_batch_of_70)
        return []

    def fails_early(context):
        raise ValueError("b fails first")
        yield  # pragma: no cover - a generator

    def after_the_failures(context):
        later.append("ran")
        yield Batch(list(range(70)), lambda context, chunk: list(chunk))
        later.append("second batch")
        yield Batch(list(range(70)), lambda context, chunk: list(chunk))
        return []

    def plain_failure(context):
        raise KeyError("c")

    formats = [
        OutputFormat("a", "", staged(fails_late), "pa"),
        OutputFormat("b", "", staged(fails_early), "pb"),
        OutputFormat("c", "", plain_failure, "pc"),
        OutputFormat("d", "", staged(after_the_failures), "pd"),
    ]
    with pytest.raises(PluginError, match=r"format 'a' \(plugin 'pa'\) failed: RuntimeError: 69 is the last"):
        render_all(no_hooks(), formats, context_in(tmp_path, workers))
    assert later == []  # a format after a failed one is not driven further


def exploding_batch_of_70(context, chunk):
    if 69 in chunk:
        raise RuntimeError("69 is the last")
    return list(chunk)


def test_a_usage_error_in_a_batch_stays_a_usage_error(tmp_path):
    def stages(context):
        yield Batch(list(range(70)), lambda context, chunk: _refuse(chunk))
        return []

    with pytest.raises(UsageError, match="--option colour: expected red or blue"):
        render_all(no_hooks(), [OutputFormat("f", "", staged(stages), "p")], context_in(tmp_path, "2"))


def _refuse(chunk):
    raise UsageError("--option colour: expected red or blue")


def test_drive_hands_each_generator_its_own_results(tmp_path):
    outcomes = {}

    def doubling(factor):
        def stages(context):
            first = yield Batch(list(range(100)), lambda context, chunk: [i * factor for i in chunk])
            second = yield Batch(first[:10], lambda context, chunk: [-i for i in chunk])
            return second

        return stages

    context = SimpleNamespace(options={"workers": "2"})
    drive(context, {"two": doubling(2)(context), "three": doubling(3)(context)}, outcomes)
    assert outcomes == {"two": [-i * 2 for i in range(10)], "three": [-i * 3 for i in range(10)]}


@pytest.mark.parametrize("workers", ["1", "3"])
def test_a_failing_built_in_in_the_shared_pool_exits_2_naming_its_plugin(
    tmp_path, monkeypatch, workers, ilecu_plan_file
):
    def broken(*args, **kwargs):
        raise ValueError("no invitation today")

    monkeypatch.setattr("scheduler.plugins.invitations.invitation", broken)
    args = ["render", str(ilecu_plan_file), "--scenario", str(EXAMPLE), "-o", str(tmp_path / "out")]
    result = CliRunner().invoke(main, [*args, "--option", f"workers={workers}"])
    assert result.exit_code == 2, result.output
    assert "format 'invitations' (plugin 'invitations') failed: ValueError: no invitation today" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_every_format_of_a_plan_gives_the_same_files_with_one_process_and_with_workers(plan, scenario, tmp_path):
    """The built-ins through the shared pool: the files and their list do not depend on ``workers``."""
    results = {}
    for workers in ("1", "2", "5"):
        folder = tmp_path / workers
        written = render(plan, scenario, folder, options={"workers": workers})
        results[workers] = [(p.relative_to(folder), p.read_bytes()) for p in written]
    assert results["1"] == results["2"] == results["5"]
    assert len(results["1"]) > 100


def test_folders_named_plainly_are_made_once_and_links_are_still_followed_or_refused(tmp_path):
    """``RenderContext`` finds each folder once (a new folder inside a known one is not resolved
    again), yet a folder that is a link is resolved in full: followed inside, refused outside."""
    out, beside = tmp_path / "out", tmp_path / "beside"
    (out / "inside").mkdir(parents=True)
    beside.mkdir()
    (out / "to-inside").symlink_to(out / "inside")
    (out / "to-beside").symlink_to(beside)
    (out / "a-file").write_text("not a folder")
    context = RenderContext(plan=None, scenario=None, folder=out, now=NOW)
    assert context.write_text("new/deeper/x.txt", "x") == out / "new" / "deeper" / "x.txt"
    assert (
        context.write_text("to-inside/deeper/y.txt", "y").resolve() == (out / "inside" / "deeper" / "y.txt").resolve()
    )
    assert (out / "inside" / "deeper" / "y.txt").read_text() == "y"
    for refused in ("to-beside/z.txt", "to-beside/deeper/z.txt", "new/../../z.txt"):
        with pytest.raises(ValueError, match="outside the output folder"):
            context.write_text(refused, "z")
    assert list(beside.iterdir()) == [] and not (tmp_path / "z.txt").exists()
    with pytest.raises(FileExistsError):
        context.write_text("a-file/z.txt", "z")


def _fails_on_seven(context, items):
    if 7 in items:
        raise KeyError("seven")
    return [item * 2 for item in items]


class Unsendable(Exception):
    def __reduce__(self):
        raise TypeError("cannot be pickled")


def _fails_unsendably(context, items):
    raise Unsendable("a lock inside")


def test_a_batch_keeps_the_order_and_comes_back_with_what_a_worker_raised():
    context = SimpleNamespace(options={"workers": "2"})
    doubled, seven, unsendable = run_batches(
        context,
        [
            Batch(list(range(20)), lambda c, items: [i * 2 for i in items]),
            Batch(list(range(20, 0, -1)), _fails_on_seven),
            Batch(list(range(30)), _fails_unsendably),
        ],
    )
    assert doubled == list(range(0, 40, 2))
    assert isinstance(seven, KeyError) and seven.args == ("seven",)
    assert isinstance(unsendable, RuntimeError) and str(unsendable) == "Unsendable: a lock inside"


def test_a_failing_worker_is_a_plugin_error_not_a_traceback(plan, scenario, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("no agenda today")

    monkeypatch.setattr("scheduler.plugins.agenda.build_agenda", broken)
    with pytest.raises(PluginError, match=r"format 'agenda' .*failed: ValueError: no agenda today"):
        render(plan, scenario, tmp_path, "agenda", options={"workers": "2"})


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_worker_count_is_a_usage_error(value):
    with pytest.raises(UsageError, match="--option workers"):
        pool.workers(SimpleNamespace(options={"workers": value}), 100)


def test_a_rounds_longer_tasks_are_queued_first_and_its_results_stay_in_order():
    shared_items, own_items = list(range(40)), list(range(30))
    batches = [
        Batch(shared_items, lambda context, chunk: [("first", item) for item in chunk]),
        Batch(own_items, lambda context, chunk: [("alone", item) for item in chunk]),
        Batch(shared_items, lambda context, chunk: [("second", item) for item in chunk]),
    ]
    groups = pool._groups(batches)
    assert groups == [(0, 2), (1,)]
    tasks = pool._tasks(batches, groups, 2)
    sizes = [len(group) for group, _start, _stop in tasks]
    assert sizes == sorted(sizes, reverse=True) and sizes.count(2) == sizes.count(1) == 2 * pool.CHUNKS_PER_WORKER
    for group in groups:
        starts = [start for g, start, _stop in tasks if g == group]
        assert starts == sorted(starts)
    assert [task[0] for task in pool._tasks(batches, groups, 1)] == [(0, 2), (1,)]
    pieces = [pool._execute(None, batches, task, here=True) for task in tasks]
    results = pool._assemble(batches, tasks, pieces)
    assert results == [
        [("first", item) for item in shared_items],
        [("alone", item) for item in own_items],
        [("second", item) for item in shared_items],
    ]
