"""scheduler output format ``attendance-list``: ``attendance.txt``, who is away when, and where.

One block per participant (by name): their organisation and country, then each occurrence they
attend in date order with the days they are away (travel included), and their total days away.
People who attend nothing are not listed. The file is plain UTF-8 text, the same bytes for the
same plan.
"""

from __future__ import annotations

from pathlib import Path

from scheduler import OutputFormat, RenderContext, hookimpl


@hookimpl
def register_output_formats():
    return [
        OutputFormat(
            "attendance-list",
            "Who travels to which occurrence and when: attendance.txt",
            render_attendance,
        )
    ]


def render_attendance(context: RenderContext) -> list[Path]:
    plan, scenario = context.plan, context.scenario
    trips: dict[str, list[str]] = {}
    days_away: dict[str, int] = {}
    for occurrence in sorted(plan.scheduled, key=lambda o: (o.start, o.id)):
        city = scenario.locations[occurrence.location].city
        for attendance in occurrence.attendees:
            away = (attendance.last_away - attendance.first_away).days + 1
            trips.setdefault(attendance.person, []).append(
                f"  {attendance.first_away} to {attendance.last_away}  {occurrence.id}  "
                f"{occurrence.title}, {city} ({occurrence.country})"
            )
            days_away[attendance.person] = days_away.get(attendance.person, 0) + away
    project = plan.project
    lines = [
        f"Attendance list: {project['name']} ({project['id']})",
        f"{len(plan.scheduled)} occurrences scheduled; {len(trips)} people attend.",
    ]
    for person in sorted((scenario.people[p] for p in trips), key=lambda p: (p.name, p.id)):
        lines += [
            "",
            f"{person.name} ({person.id}), {person.organisation}, {person.country}",
            *trips[person.id],
            f"  {_count(len(trips[person.id]), 'occurrence')}, {_count(days_away[person.id], 'day')} away",
        ]
    return [context.write_text("attendance.txt", "\n".join(lines) + "\n")]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
