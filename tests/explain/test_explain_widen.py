"""The widening that `scheduler explain` suggests is the smallest step that resolves the conflict
under every rule, checked by planning the scenario with the suggested window (and one step less).

The search first bounds the widening with the conflict's own rules alone, then tries the whole
scenario from there: these cases make the two answers differ (a rule outside the conflict, the
working days, decides) and make no widening help at all."""

from __future__ import annotations

import datetime as dt

from scheduler.explain import explain
from scheduler.scenario.loader import load
from tests.support.scenarios import event, person, scenario, venue


def leave_scenario(window: str, unavailable: str, **project) -> str:
    """A 2-day workshop whose only attendee is away part of the time."""
    return scenario(
        events=[event("ws", ["rs"], duration_days=2, attendees=["p"], window=window)],
        venues=[venue("rs", "belgrade")],
        people=[person("p", "belgrade", unavailable=[unavailable])],
        project=project or None,
    )


def widenings(explanation) -> list[str]:
    return [s for c in explanation.conflicts for s in c.suggestions if s.startswith("widen the window")]


def test_widening_is_the_smallest_that_keeps_the_working_days(write_scenario):
    # The window is Monday 4 to Friday 8 March 2024. Away until Friday 8 March: alone, the conflict would end with a widening of 2 days (start on
    # Saturday 9); the working days push the start to Monday 11, which needs 5 days on each side.
    explanation = explain(load(write_scenario(leave_scenario("2024-03-04/2024-03-08", "2024-03-01/2024-03-08"))))
    assert not explanation.feasible
    assert widenings(explanation) == ["widen the window of ws by 5 days on each side (to 2024-02-28/2024-03-13)"]
    # The suggested window holds a plan; the step below it (3 days: up to Monday 11) does not.
    assert explain(load(write_scenario(leave_scenario("2024-02-28/2024-03-13", "2024-03-01/2024-03-08")))).feasible
    assert not explain(load(write_scenario(leave_scenario("2024-03-01/2024-03-11", "2024-03-01/2024-03-08")))).feasible


def test_no_widening_is_suggested_where_none_would_help(write_scenario):
    # A five-year project; away from 2025 on, and the window is in December 2026: the widest
    # widening tried (365 days on each side) still ends in the leave, though 2022-2024 are free.
    text = leave_scenario(
        "2026-12-07/2026-12-11", "2025-01-01/2026-12-31", start=dt.date(2022, 1, 1), end=dt.date(2026, 12, 31)
    )
    explanation = explain(load(write_scenario(text)))
    (conflict,) = explanation.conflicts
    assert {fact.key[0] for fact in conflict.facts} == {"required", "window", "leave"}
    assert widenings(explanation) == []
    assert any("make ws optional" in s for s in conflict.suggestions)
