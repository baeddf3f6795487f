"""The kinds of event: what each is called, and the usual shape of its programme.

Coordinators often solve a plan long before anyone writes the sessions. An agenda with empty days
is of no use to a host preparing rooms and catering, so where the scenario gives no ``agenda`` for
an event the agenda shows the usual shape of that kind of event (registration, opening, working
sessions, breaks, conclusions) and says plainly that it is indicative. The shapes follow the
programmes of EU-funded police cooperation projects: a conference opens with registration and
welcome addresses and closes with conclusions; a study visit starts with the host institution's
presentation; a training runs in numbered modules with an evaluation at the end; a steering
committee follows progress report, finances, work plan and decisions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scheduler.content.languages import N_, Language
from scheduler.scenario.domain import AgendaItem, Event

# The English names, marked for the catalogs: the participant-facing texts translate them.
KIND_NAMES = {
    "conference": N_("Conference"),
    "study_visit": N_("Study visit"),
    "workshop": N_("Workshop"),
    "training": N_("Training"),
    "steering_committee": N_("Steering committee"),
    "meeting": N_("Meeting"),
}


def kind_name(kind: str) -> str:
    """``study_visit`` -> ``Study visit``; a kind without a name of its own is written out."""
    return KIND_NAMES.get(kind, kind.replace("_", " ").capitalize())


def kind_label(kind: str, language: Language) -> str:
    """``kind_name`` in ``language``."""
    return language.gettext(kind_name(kind))


Slot = tuple[str, str, str]  # "09:00", "09:30", title; {n} in a title is the module number


@dataclass(frozen=True)
class DayShapes:
    """The sessions of an event's days: a one-day event is its opening and ``single``; the first day
    of a longer one its opening and ``first``, then ``middle`` days and the ``last``."""

    opening: tuple[Slot, ...]
    single_rest: tuple[Slot, ...]
    first_rest: tuple[Slot, ...]
    middle: tuple[Slot, ...]
    last: tuple[Slot, ...]

    @property
    def single(self) -> tuple[Slot, ...]:
        return self.opening + self.single_rest

    @property
    def first(self) -> tuple[Slot, ...]:
        return self.opening + self.first_rest


_LUNCH = ("12:30", "13:30", "Lunch")

SHAPES: dict[str, DayShapes] = {
    "conference": DayShapes(
        opening=(
            ("09:00", "09:30", "Registration of participants"),
            ("09:30", "10:30", "Opening session and welcome addresses"),
            ("10:30", "11:00", "Coffee break"),
            ("11:00", "12:30", "Plenary session"),
            _LUNCH,
            ("13:30", "15:00", "Panel discussion"),
            ("15:00", "15:30", "Coffee break"),
        ),
        single_rest=(("15:30", "16:30", "Conclusions and closing"),),
        first_rest=(("15:30", "17:00", "Parallel sessions"),),
        middle=(
            ("09:30", "11:00", "Plenary session"),
            ("11:00", "11:30", "Coffee break"),
            ("11:30", "12:30", "Panel discussion"),
            _LUNCH,
            ("13:30", "16:30", "Parallel sessions"),
        ),
        last=(
            ("09:30", "11:00", "Reports from the parallel sessions"),
            ("11:00", "11:30", "Coffee break"),
            ("11:30", "12:30", "Conclusions and recommendations"),
            ("12:30", "13:00", "Closing session"),
            ("13:00", "14:00", "Lunch"),
        ),
    ),
    "study_visit": DayShapes(
        opening=(
            ("09:30", "10:00", "Welcome by the host institution"),
            ("10:00", "12:30", "Presentation of the host institution and its mandate"),
            _LUNCH,
        ),
        single_rest=(
            ("13:30", "15:30", "Visit of the operational units"),
            ("15:30", "16:30", "Exchange of good practices and debriefing"),
        ),
        first_rest=(("13:30", "16:30", "Visit of the operational units"),),
        middle=(
            ("09:30", "12:30", "Working sessions with the host's experts"),
            _LUNCH,
            ("13:30", "16:30", "On-site visit and practical demonstration"),
        ),
        last=(
            ("09:30", "11:30", "Exchange of good practices"),
            ("11:30", "12:30", "Debriefing, conclusions and evaluation"),
            _LUNCH,
        ),
    ),
    "workshop": DayShapes(
        opening=(
            ("09:00", "09:30", "Registration of participants"),
            ("09:30", "10:00", "Opening and objectives of the workshop"),
            ("10:00", "12:30", "Introductory presentations"),
            _LUNCH,
        ),
        single_rest=(
            ("13:30", "15:30", "Working groups"),
            ("15:30", "16:30", "Results, recommendations and closing"),
        ),
        first_rest=(("13:30", "16:30", "Working groups"),),
        middle=(
            ("09:30", "12:30", "Working groups"),
            _LUNCH,
            ("13:30", "16:30", "Case studies and exercises"),
        ),
        last=(
            ("09:30", "11:30", "Presentation of the working groups' results"),
            ("11:30", "12:30", "Recommendations and closing"),
            _LUNCH,
        ),
    ),
    "training": DayShapes(
        opening=(
            ("09:00", "09:30", "Registration and pre-training assessment"),
            ("09:30", "12:30", "Module {n}"),
            _LUNCH,
        ),
        single_rest=(
            ("13:30", "15:30", "Module {n}: practical exercises"),
            ("15:30", "16:30", "Post-training assessment, evaluation and certificates"),
        ),
        first_rest=(("13:30", "16:30", "Module {n}: practical exercises"),),
        middle=(
            ("09:30", "12:30", "Module {n}"),
            _LUNCH,
            ("13:30", "16:30", "Module {n}: practical exercises"),
        ),
        last=(
            ("09:30", "12:30", "Module {n}"),
            _LUNCH,
            ("13:30", "14:30", "Post-training assessment and evaluation"),
            ("14:30", "15:00", "Closing and certificates"),
        ),
    ),
    "steering_committee": DayShapes(
        opening=(
            ("09:30", "10:00", "Opening and adoption of the agenda"),
            ("10:00", "11:00", "Progress report of the project"),
            ("11:00", "11:30", "Coffee break"),
            ("11:30", "12:30", "Financial report and budget execution"),
            _LUNCH,
        ),
        single_rest=(
            ("13:30", "15:00", "Work plan for the next period"),
            ("15:00", "15:30", "Conclusions and decisions"),
        ),
        first_rest=(("13:30", "16:00", "Review of the activities"),),
        middle=(
            ("09:30", "12:30", "Review of the activities"),
            _LUNCH,
            ("13:30", "16:00", "Risks and mitigation"),
        ),
        last=(
            ("09:30", "11:00", "Work plan for the next period"),
            ("11:00", "11:30", "Coffee break"),
            ("11:30", "12:30", "Conclusions and decisions"),
        ),
    ),
    "meeting": DayShapes(
        opening=(
            ("09:30", "10:00", "Opening"),
            ("10:00", "12:30", "Meeting session"),
            _LUNCH,
        ),
        single_rest=(
            ("13:30", "15:30", "Meeting session"),
            ("15:30", "16:00", "Conclusions and next steps"),
        ),
        first_rest=(("13:30", "16:30", "Meeting session"),),
        middle=(
            ("09:30", "12:30", "Meeting session"),
            _LUNCH,
            ("13:30", "16:30", "Meeting session"),
        ),
        last=(
            ("09:30", "11:30", "Meeting session"),
            ("11:30", "12:30", "Conclusions and next steps"),
            _LUNCH,
        ),
    ),
}


def default_programme(kind: str, duration_days: int) -> tuple[AgendaItem, ...]:
    """The indicative programme of an event of ``kind`` lasting ``duration_days`` days."""
    shapes = SHAPES.get(kind, SHAPES["meeting"])
    items: list[AgendaItem] = []
    module = 0
    for day in range(1, duration_days + 1):
        if duration_days == 1:
            slots = shapes.single
        elif day == 1:
            slots = shapes.first
        elif day == duration_days:
            slots = shapes.last
        else:
            slots = shapes.middle
        if any("{n}" in title for _, _, title in slots):
            module += 1
        for start, end, title in slots:
            items.append(
                AgendaItem(day, dt.time.fromisoformat(start), dt.time.fromisoformat(end), title.format(n=module))
            )
    return tuple(items)


def programme(context, event: Event) -> tuple[tuple[AgendaItem, ...], bool]:
    """The event's sessions in day and time order, and whether they are the indicative default;
    made once per event in a render (thousands of occurrences share a few events)."""
    return context.memo.get(("scheduler.content.kinds.programme", event.id), lambda: _programme(event))


def _programme(event: Event) -> tuple[tuple[AgendaItem, ...], bool]:
    if event.agenda:
        return tuple(sorted(event.agenda, key=lambda item: (item.day, item.start, item.end))), False
    return default_programme(event.kind, event.duration_days), True
