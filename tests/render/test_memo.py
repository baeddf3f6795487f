"""The render's memo (``scheduler.render.memo``): a value per key for the render, one item's values
at a time, nothing shared between renders; and the formats that share through it (``ical`` and
``invitations``) write together what each writes alone, computing each briefing once."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.content import briefing
from scheduler.render.context import RenderContext
from scheduler.render.memo import RenderMemo
from tests.support.calendar_outputs import NOW, render, replanned


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


def files_of(folder: Path, written) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in written}


@pytest.mark.parametrize("replan", [False, True])
def test_formats_together_write_what_each_writes_alone(plan, scenario, tmp_path, replan):
    """``ical`` and ``invitations`` share each attendee's briefing of the occurrence at hand:
    together (one process, or workers) or alone, the same files; with a previous plan too, where
    the two formats ask for briefings of different changes (an attendee not invited before)."""
    current, previous = plan, None
    if replan:
        current = replanned(plan, drop="sv-serbia-1", move="crm-2", remove=("sc-2", "donor-isf"))
        previous = plan
    alone: dict[str, bytes] = {}
    for name in ("ical", "invitations"):
        folder = tmp_path / f"alone-{name}"
        alone.update(
            files_of(folder, render(current, scenario, folder, name, previous=previous, options={"workers": "1"}))
        )
    for workers in ("1", "2"):
        folder = tmp_path / f"together-{workers}"
        together = files_of(
            folder,
            render(current, scenario, folder, "ical", "invitations", previous=previous, options={"workers": workers}),
        )
        assert together.keys() == alone.keys()
        assert [name for name, data in alone.items() if together[name] != data] == []


def test_together_each_attendees_briefing_is_made_once(plan, scenario, tmp_path, monkeypatch):
    made = []
    original = briefing.attendee_briefing

    def counting_briefing(context, occurrence, person, *args, **kwargs):
        made.append((occurrence.id, person.id))
        return original(context, occurrence, person, *args, **kwargs)

    monkeypatch.setattr(briefing, "attendee_briefing", counting_briefing)
    render(plan, scenario, tmp_path, "ical", "invitations", options={"workers": "1"})
    attendances = [(o.id, a.person) for o in plan.scheduled for a in o.attendees]
    assert sorted(made) == sorted(attendances)  # not twice: the feeds' serve the invitations
