"""iCalendar calendars (``VCALENDAR``) with the icalendar API: their head, their time zones, their bytes.

- A calendar carries ``PRODID``, ``VERSION``, ``CALSCALE``, ``METHOD`` and, where it has a name,
  RFC 7986 ``NAME`` and ``X-WR-CALNAME`` (what Outlook, Google and Apple read).
- Every ``TZID`` used gets a ``VTIMEZONE`` computed from the zoneinfo database
  (``scheduler.content.timezones``), covering the project's years and the next, so clients need
  not know the zone name; one component per zone and render, shared by every calendar using it.
- Everything is serialised with sorted properties: the same plan and ``SOURCE_DATE_EPOCH`` give
  the same bytes.
"""

from __future__ import annotations

import datetime as dt

import icalendar

from scheduler import __version__
from scheduler.content.timezones import vtimezone

PRODID = f"-//scheduler//scheduler {__version__}//EN"


def new_calendar(method: str, name: str | None = None) -> icalendar.Calendar:
    """An empty ``VCALENDAR`` with ``PRODID``, ``VERSION``, ``CALSCALE``, ``METHOD`` and a display name."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("name", name)  # RFC 7986
        calendar.add("x-wr-calname", name)  # what Outlook, Google and Apple read
    return calendar


def calendar_bytes(context, calendar: icalendar.Calendar) -> bytes:
    """The calendar as RFC 5545 bytes (CRLF, folded, escaped), with a ``VTIMEZONE`` for every
    ``TZID`` it uses (added to it, before the events, in ``TZID`` order).

    Not icalendar's ``add_missing_timezones``: it walks a set, whose order changes from run to run,
    and its generator writes daylight-saving onsets in the wrong offset (see ``timezones``)."""
    existing = len(calendar.timezones)
    for offset, tzid in enumerate(sorted(calendar.get_missing_tzids())):
        calendar.subcomponents.insert(existing + offset, timezone(context, tzid))
    return calendar.to_ical(sorted=True)


def timezone(context, tzid: str) -> icalendar.Timezone:
    """The ``VTIMEZONE`` of ``tzid`` for the project's years and the next, once per render (walking
    a zone's transitions takes a while); shared, so not to be changed."""
    project = context.scenario.project
    first, last = project.start.year, project.end.year
    return context.memo.get(
        ("scheduler.content.timezone", tzid, first, last),
        lambda: vtimezone(tzid, dt.date(first, 1, 1), dt.date(last + 1, 12, 31)),
    )


def split_by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Calendar]:
    """One calendar per UID, without ``METHOD``, each with the ``VTIMEZONE`` components it uses.

    CalDAV (RFC 4791, 4.1) stores one UID per resource and no ``METHOD``: this is how a publisher
    turns a feed into resources to ``PUT``."""
    timezones = {tz["tzid"]: tz for tz in calendar.walk("VTIMEZONE")}
    parts: dict[str, icalendar.Calendar] = {}
    for component in calendar.subcomponents:
        if component.name == "VTIMEZONE":
            continue
        uid = str(component["uid"])
        if uid not in parts:
            part = icalendar.Calendar()
            for name, value in calendar.property_items(recursive=False):
                if name not in ("BEGIN", "END", "METHOD"):
                    part[name] = value
            parts[uid] = part
        parts[uid].add_component(component)
    for part in parts.values():
        for tzid in sorted(part.get_used_tzids()):
            if tzid in timezones:
                part.subcomponents.insert(len(part.timezones), timezones[tzid])
    return parts
