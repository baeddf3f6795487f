"""Kinds of event (``scheduler.content.kinds``): their names in English and in a catalog's words,
and the indicative programme of an event without an agenda, made once per event and render."""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import pytest

from scheduler.content.kinds import default_programme, kind_label, kind_name, programme
from scheduler.content.languages import language_for
from scheduler.render.memo import RenderMemo
from scheduler.scenario.domain import EVENT_KINDS


@pytest.mark.parametrize("kind", EVENT_KINDS)
@pytest.mark.parametrize("days", [1, 2, 3, 5])
def test_default_programme_fills_every_day_in_order_without_overlaps(kind, days):
    items = default_programme(kind, days)
    assert {item.day for item in items} == set(range(1, days + 1))
    for day in range(1, days + 1):
        sessions = [item for item in items if item.day == day]
        for before, after in zip(sessions, sessions[1:], strict=False):
            assert before.start < before.end <= after.start, (kind, day, before, after)
    if days > 1:
        last_titles = " ".join(item.title for item in items if item.day == days).lower()
        assert any(word in last_titles for word in ("clos", "conclusion", "evaluation", "debrief", "decision"))
    if kind == "training":
        modules = [int(m) for item in items for m in re.findall(r"^Module (\d+)$", item.title)]
        assert modules == list(range(1, days + 1))


def test_an_events_programme_is_its_agenda_in_order_or_the_default_of_its_kind(scenario):
    context = SimpleNamespace(memo=RenderMemo())
    with_agenda = next(e for e in scenario.events.values() if e.agenda)
    sessions, indicative = programme(context, with_agenda)
    assert not indicative and sorted(sessions, key=lambda i: (i.day, i.start)) == list(sessions)
    assert programme(context, with_agenda)[0] is sessions  # once per event and render
    bare = dataclasses.replace(with_agenda, agenda=())
    other = SimpleNamespace(memo=RenderMemo())
    assert programme(other, bare) == (default_programme(bare.kind, bare.duration_days), True)


def test_kinds_are_named_in_english_and_in_the_readers_words():
    context = SimpleNamespace(templates_dir=None, memo=RenderMemo())
    assert [kind_name(k) for k in EVENT_KINDS] == [
        "Conference",
        "Study visit",
        "Workshop",
        "Training",
        "Steering committee",
        "Meeting",
    ]
    assert kind_name("field_trip") == "Field trip"
    assert kind_label("study_visit", language_for(context, "ro")) == "Vizită de studiu"
    assert kind_label("study_visit", language_for(context, "ka")) == "Study visit"
