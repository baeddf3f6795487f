"""The render's memo (``scheduler.render.memo``): a value per key for the render, one item's values
at a time, nothing shared between renders."""

from __future__ import annotations

from scheduler.render.context import RenderContext
from scheduler.render.memo import RenderMemo
from tests.support.calendar_outputs import NOW


def counting():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_a_value_is_computed_once_per_key_for_the_whole_render():
    memo = RenderMemo()
    calls, compute = counting()
    assert memo.get("a", compute) == 1
    assert memo.for_item("x", "b", compute) == 2
    assert memo.for_item("y", "b", compute) == 3  # another item: its own value
    assert memo.get("a", compute) == 1 and memo.get(("a", 2), compute) == 4
    assert len(calls) == 4


def test_an_items_values_are_kept_while_it_is_the_latest_item_asked_about():
    memo = RenderMemo()
    calls, compute = counting()
    assert memo.for_item("occurrence-1", "k", compute) == 1
    assert memo.for_item("occurrence-1", "k", compute) == 1
    assert memo.for_item("occurrence-1", "other", compute) == 2
    assert memo.for_item("occurrence-2", "k", compute) == 3
    assert memo.for_item("occurrence-1", "k", compute) == 4  # forgotten when the second came
    assert memo.get("k", compute) == 5  # the render's values are apart from the items'


def test_every_render_context_starts_with_a_memo_of_its_own(tmp_path):
    first = RenderContext(plan=None, scenario=None, folder=tmp_path, now=NOW)
    second = RenderContext(plan=None, scenario=None, folder=tmp_path, now=NOW)
    first.memo.get("k", lambda: "first")
    assert second.memo.get("k", lambda: "second") == "second"
    assert first == second  # the memo is not part of what a context is
