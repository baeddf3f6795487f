"""Withdrawals (``scheduler.content.withdrawals``): what a re-plan must tell the people invited
before, with a SEQUENCE above the one they hold."""

from __future__ import annotations

from pathlib import Path

from scheduler.content.withdrawals import previously_published, withdrawals
from scheduler.render.context import RenderContext
from tests.support.calendar_outputs import NOW, replanned


def test_a_dropped_occurrence_tells_everyone_invited_and_a_removed_person_is_told_alone(plan):
    new = replanned(plan, drop="sv-serbia-1", move="crm-2", remove=("sc-2", "donor-isf"))
    found = {w.occurrence.id: w for w in withdrawals(new, plan)}
    assert set(found) == {"sv-serbia-1", "sc-2"}
    dropped, removed = found["sv-serbia-1"], found["sc-2"]
    before = plan.occurrence("sv-serbia-1")
    assert dropped.dropped and dropped.people == tuple(a.person for a in before.attendees)
    assert dropped.occurrence is before and dropped.sequence == before.sequence + 1
    assert not removed.dropped and removed.people == ("donor-isf",)
    assert removed.sequence == max(plan.occurrence("sc-2").sequence + 1, new.occurrence("sc-2").sequence)
    starts = [w.occurrence.start for w in withdrawals(new, plan)]
    assert starts == sorted(starts)


def test_without_a_previous_plan_nothing_is_withdrawn_or_published_before(plan, scenario):
    assert withdrawals(plan, None) == []
    assert withdrawals(plan, plan) == []
    context = RenderContext(plan=plan, scenario=scenario, folder=Path("unused"), now=NOW)
    assert previously_published(context, plan.scheduled[0].id) is None


def test_what_was_published_before_is_the_previous_plans_scheduled_occurrence(plan, scenario):
    new = replanned(plan, drop="sv-serbia-1", move="crm-2", remove=("sc-2", "donor-isf"))
    context = RenderContext(plan=plan, scenario=scenario, folder=Path("unused"), now=NOW, previous=new)
    assert previously_published(context, "crm-2") is new.occurrence("crm-2")
    assert previously_published(context, "sv-serbia-1") is None  # not scheduled there
    assert previously_published(context, "no-such-occurrence") is None
