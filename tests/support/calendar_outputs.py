"""Helpers for the tests of the ``ical`` and ``invitations`` formats: render a plan through the
plugin host (with or without a previous plan), and read calendars back with libical.

libical is the reference C implementation of RFC 5545/5546 (Evolution and GNOME use it); Debian's
``gir1.2-ical-3.0`` binds it for the system Python only, so it runs in a ``/usr/bin/python3``
subprocess that receives every calendar at once as JSON.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
from pathlib import Path

EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z, stands for "now" (SOURCE_DATE_EPOCH)
NOW = dt.datetime.fromtimestamp(EPOCH, dt.UTC)
SYSTEM_PYTHON = "/usr/bin/python3"


def render(plan, scenario, folder: Path, *formats: str, previous=None, options=None, templates_dir=None):
    """Run the named formats exactly as ``scheduler solve``/``render`` do; returns the files written."""
    from scheduler.render.context import RenderContext
    from scheduler.render.host import output_formats, plugin_manager, render_all, select

    folder.mkdir(parents=True, exist_ok=True)
    manager = plugin_manager()
    chosen = select(output_formats(manager), formats)
    context = RenderContext(
        plan=plan,
        scenario=scenario,
        folder=folder,
        now=NOW,
        templates_dir=templates_dir,
        previous=previous,
        options=dict(options or {}),
    )
    return render_all(manager, chosen, context)


def replanned(plan, *, drop: str, move: str, remove: tuple[str, str]):
    """A re-solve of ``plan`` as a coordinator would publish it after changes: occurrence ``drop``
    left out, ``move`` a week later (SEQUENCE raised), and person ``remove[1]`` taken off
    occurrence ``remove[0]`` (SEQUENCE raised). The plugins do not re-check the rules, so the
    shifted dates need not be a valid plan."""
    new = copy.deepcopy(plan)
    for occurrence in new.occurrences:
        if occurrence.id == drop:
            occurrence.scheduled = False
            occurrence.reason = "budget"
            occurrence.start = occurrence.end = occurrence.venue = None
            occurrence.attendees, occurrence.cost = [], {}
        elif occurrence.id == move:
            week = dt.timedelta(days=7)
            occurrence.start += week
            occurrence.end += week
            occurrence.attendees = [
                type(a)(a.person, a.first_away + week, a.last_away + week) for a in occurrence.attendees
            ]
            occurrence.sequence += 1
        elif occurrence.id == remove[0]:
            occurrence.attendees = [a for a in occurrence.attendees if a.person != remove[1]]
            occurrence.sequence += 1
    return new


def crowded(plan, scenario):
    """The plan with a second occurrence at the same venue on the same days as the first one with
    attendees, for other people (speaking other languages, living elsewhere): nothing of the
    first may leak into the second."""
    plan = copy.deepcopy(plan)
    first = next(o for o in plan.scheduled if o.attendees)
    others = [p for p in scenario.people.values() if p.id not in {a.person for a in first.attendees}]
    others = sorted(others, key=lambda p: (p.language == scenario.people[first.attendees[0].person].language, p.id))
    twin = copy.deepcopy(first)
    twin.id, twin.index = f"{first.id}-twin", first.index + 100
    twin.attendees = [type(a)(p.id, a.first_away, a.last_away) for a, p in zip(first.attendees, others, strict=False)]
    plan.occurrences.append(twin)
    return plan


_LIBICAL = r"""
import json, sys
import gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib


def single_event_calendars(text):
    # libical's restriction check stops at the first component that fails, so every VEVENT is
    # also checked alone: the calendar's properties and VTIMEZONEs around it, cut from the text.
    head, timezones, events, block, depth = [], [], [], [], 0
    for line in text.split("\r\n"):
        if line.startswith("BEGIN:"):
            depth += 1
        if depth >= 2:
            block.append(line)
        elif line and line not in ("BEGIN:VCALENDAR", "END:VCALENDAR"):
            head.append(line)
        if line.startswith("END:"):
            depth -= 1
            if depth == 1:
                (timezones if block[0] == "BEGIN:VTIMEZONE" else events).append(block)
                block = []
    for event in events:
        lines = ["BEGIN:VCALENDAR", *head, *[l for tz in timezones for l in tz], *event, "END:VCALENDAR", ""]
        yield "\r\n".join(lines)


def errors_of(component):
    unfolded = component.as_ical_string().replace("\r\n ", "").replace("\n ", "")
    return [line.split(":", 1)[1] for line in unfolded.splitlines() if line.startswith("X-LIC-ERROR")]


result = {}
for name, text in json.load(sys.stdin).items():
    try:
        root = ICalGLib.Component.new_from_string(text)
    except TypeError:
        result[name] = {"parsed": False}
        continue
    errors = errors_of(root)  # parse errors of the whole file
    checked = 0
    for single in single_event_calendars(text):
        component = ICalGLib.Component.new_from_string(single)
        ICalGLib.restriction_check(component)
        errors += errors_of(component)
        checked += 1
    events = []
    kind = ICalGLib.ComponentKind.VEVENT_COMPONENT
    event = root.get_first_component(kind)
    while event is not None:
        start = event.get_dtstart()
        zone = start.get_timezone()
        events.append({
            "uid": event.get_uid(),
            "is_date": bool(start.is_date()),
            "tzid": zone.get_tzid() if zone is not None else None,
            "utc": start.as_timet_with_zone(zone) if zone is not None and not start.is_date() else None,
        })
        event = root.get_next_component(kind)
    result[name] = {"parsed": True, "errors": errors, "events": events, "checked": checked,
                    "vtimezones": root.count_components(ICalGLib.ComponentKind.VTIMEZONE_COMPONENT)}
json.dump(result, sys.stdout)
"""


def libical_available() -> bool:
    try:
        probe = subprocess.run(
            [
                SYSTEM_PYTHON,
                "-c",
                "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib",
            ],
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def libical_read(calendars: dict[str, str]) -> dict[str, dict]:
    """Parse each calendar with libical, run its RFC 5546 restriction checks on every VEVENT, and
    report per calendar: ``errors`` (the ``X-LIC-ERROR`` texts), ``checked`` (VEVENTs checked),
    ``events`` (UID, all-day or not, TZID and the start as a UTC timestamp as libical computes it)
    and the number of ``vtimezones``."""
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", _LIBICAL],
        input=json.dumps(calendars),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)
