"""What each calendar of a scenario blocks in the planning horizon, for ``scheduler validate``.

Every busy file of a person and every booking calendar of a venue is read (not only those of
people and venues that some event uses), so a broken file is reported before anyone relies on
it, and all broken files are reported at once. Days a calendar blocks are counted apart from
leave and closures given as date ranges, so a coordinator can see whether an export was read
as expected ("37 days" for an officer's calendar that should block three weeks is a hint).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scheduler.calendars.busy import CalendarFileError, busy_days

from scheduler.errors import Problem, ScenarioError
from scheduler.scenario.domain import DateRange, Scenario


@dataclass(frozen=True)
class Blocking:
    """Days in the horizon one source blocks: all of them, and those that are working days."""

    source: str  # "busy calendar x.ics", "leave", "booking calendar y.ics", "closed"
    days: int
    working_days: int

    def show(self) -> str:
        return f"{self.source} {_days(self.days)} ({self.working_days} working)"


@dataclass(frozen=True)
class Availability:
    kind: str  # "person" or "venue"
    id: str
    name: str
    blocking: tuple[Blocking, ...]


@dataclass(frozen=True)
class CalendarReport:
    rows: tuple[Availability, ...]
    notes: tuple[str, ...]  # things in the files that were read with a guess


def calendar_report(scenario: Scenario) -> CalendarReport:
    """Read every calendar of ``scenario``; raises ``ScenarioError`` listing every file that
    cannot be used, at its place in the scenario (``people[3].busy``)."""
    from scheduler.model.instance import TRAVEL_PAD

    project = scenario.project
    horizon = DateRange(project.start, project.end)
    working = project.days_of_week
    rows: list[Availability] = []
    notes: list[str] = []
    problems: list[Problem] = []

    def counted(source: str, days: Iterable[dt.date]) -> Blocking | None:
        inside = {day for day in days if day in horizon}
        if not inside:
            return None
        return Blocking(source, len(inside), sum(1 for day in inside if day.weekday() in working))

    pad = dt.timedelta(days=TRAVEL_PAD)
    for index, person in enumerate(scenario.people.values()):
        blocking = []
        if person.busy is not None:
            zone = scenario.locations[person.home].timezone
            try:
                read = busy_days(person.busy, zone, project.start - pad, project.end + pad)
            except CalendarFileError as error:
                problems.append(Problem(f"people[{index}].busy", str(error), person.id))
            else:
                notes.extend(f"{_shown(person.busy, scenario)}: {note}" for note in read.notes)
                source = f"busy calendar {_shown(person.busy, scenario)}"
                blocking.append(counted(source, read.days) or Blocking(source, 0, 0))
        blocking.append(counted("leave", (day for leave in person.unavailable for day in leave.days())))
        _add(rows, "person", person.id, person.name, blocking)
    for index, venue in enumerate(scenario.venues.values()):
        blocking = []
        zone = scenario.locations[venue.location].timezone
        for path in venue.busy:
            try:
                read = busy_days(path, zone, project.start, project.end)
            except CalendarFileError as error:
                problems.append(Problem(f"venues[{index}].unavailable", str(error), venue.id))
                continue
            notes.extend(f"{_shown(path, scenario)}: {note}" for note in read.notes)
            source = f"booking calendar {_shown(path, scenario)}"
            blocking.append(counted(source, read.days) or Blocking(source, 0, 0))
        blocking.append(counted("closed", (day for closed in venue.unavailable for day in closed.days())))
        _add(rows, "venue", venue.id, venue.name, blocking)
    if problems:
        raise ScenarioError(str(scenario.path), problems)
    return CalendarReport(tuple(rows), tuple(dict.fromkeys(notes)))


def _add(rows: list[Availability], kind: str, ident: str, name: str, blocking: list[Blocking | None]) -> None:
    kept = tuple(item for item in blocking if item is not None)
    if kept:
        rows.append(Availability(kind, ident, name, kept))


def _shown(path: Path, scenario: Scenario) -> str:
    """The path as the coordinator wrote it: relative to the scenario's folder where it can be."""
    try:
        return Path(path).relative_to(scenario.path.parent.resolve()).as_posix()
    except ValueError:
        return str(path)


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
