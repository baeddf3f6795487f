"""``VTIMEZONE`` components computed from the zoneinfo database, for a span of years.

icalendar can generate these (``Timezone.from_tzid``), but in the versions we use it writes the
onset of daylight saving time in the new offset (``DTSTART:20220327T040000`` for Bucharest, where
the clocks go from 03:00 to 04:00): RFC 5545 wants the onset as a local time in ``TZOFFSETFROM``
(``03:00``), and an independent parser then places the hour after the change an hour wrong. This
module finds the transitions itself and writes each as the RFC wants, grouping the transitions of
each observance under a yearly rule where they follow one, as Outlook expects.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar

_DAY = dt.timedelta(days=1)


def _state(zone: ZoneInfo, instant: dt.datetime) -> tuple[dt.timedelta, dt.timedelta, str]:
    local = instant.astimezone(zone)
    return local.utcoffset(), local.dst() or dt.timedelta(0), local.tzname() or ""


def transitions(tzid: str, first: dt.date, last: dt.date) -> list[tuple[dt.datetime, tuple, tuple]]:
    """Every change of offset, DST flag or name between ``first`` and ``last``: (UTC instant, before, after)."""
    zone = ZoneInfo(tzid)
    found = []
    day = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last, dt.time(), tzinfo=dt.UTC) + _DAY
    state = _state(zone, day)
    while day < end:
        following = _state(zone, day + _DAY)
        if following != state:
            low, high = day, day + _DAY  # the change happens in (low, high]: find the minute
            while high - low > dt.timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    middle = low + dt.timedelta(minutes=1)
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            found.append((high, state, _state(zone, high)))
            state = _state(zone, high)
            if state != following:  # two changes in one day: look again from the first
                day = high
                continue
        day += _DAY
    return found


def vtimezone(tzid: str, first: dt.date, last: dt.date) -> icalendar.Timezone:
    """The ``VTIMEZONE`` of ``tzid``, correct for every instant from ``first`` to ``last``."""
    zone = ZoneInfo(tzid)
    # The opening observance starts a day early, so the first instant of the span is well inside it.
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC) - _DAY
    initial = _state(zone, start)
    changes = transitions(tzid, start.date(), last)
    # Zones whose tzdata gives winter a negative DST (Europe/Dublin): their summer time is the daylight one.
    negative_dst = initial[1] < dt.timedelta(0) or any(after[1] < dt.timedelta(0) for _, _, after in changes)
    # Each observance: (kind, offset from, offset to, name) -> onsets as local times in "offset from".
    opening = _key(initial, initial, negative_dst)
    observances: dict[tuple, list[dt.datetime]] = {opening: [start.astimezone(zone).replace(tzinfo=None)]}
    for instant, before, after in changes:
        onset = (instant + before[0]).replace(tzinfo=None)
        observances.setdefault(_key(before, after, negative_dst), []).append(onset)
    timezone = icalendar.Timezone()
    timezone.add("tzid", tzid)
    components = []
    for key, onsets in observances.items():
        rule = _yearly_rule(onsets)
        if rule is not None:
            if onsets[-1].year < last.year:  # the rule stopped inside the span (a zone that left DST)
                rule["UNTIL"] = (onsets[-1] - key[1]).replace(tzinfo=dt.UTC)
            components.append(_observance(key, onsets[0], rule))
        else:
            components.extend(_observance(key, onset, None) for onset in onsets)
    for component in sorted(components, key=lambda c: (c.DTSTART, c.name)):
        timezone.add_component(component)
    return timezone


def _key(before: tuple, after: tuple, negative_dst: bool) -> tuple:
    offset, dst, name = after
    daylight = dst > dt.timedelta(0) or (negative_dst and dst == dt.timedelta(0) and offset > before[0])
    return ("DAYLIGHT" if daylight else "STANDARD", before[0], offset, name)


def _observance(key: tuple, onset: dt.datetime, rule: dict | None):
    kind, offset_from, offset_to, name = key
    observance = icalendar.TimezoneDaylight() if kind == "DAYLIGHT" else icalendar.TimezoneStandard()
    observance.add("dtstart", onset)
    if rule is not None:
        observance.add("rrule", rule)
    observance.add("tzoffsetfrom", offset_from)
    observance.add("tzoffsetto", offset_to)
    if name:
        observance.add("tzname", name)
    return observance


def _yearly_rule(onsets: list[dt.datetime]) -> dict | None:
    """``FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`` where the onsets follow one (every year, same month,
    weekday, week of the month and time), as Outlook and most clients expect; else ``None`` and
    each onset gets its own observance."""
    if len(onsets) < 2:
        return None
    first = onsets[0]
    years = [o.year for o in onsets]
    if years != list(range(first.year, first.year + len(onsets))):
        return None
    if any((o.month, o.weekday(), o.time()) != (first.month, first.weekday(), first.time()) for o in onsets):
        return None
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[first.weekday()]
    if all(_is_last_in_month(o) for o in onsets):
        return {"FREQ": "YEARLY", "BYMONTH": first.month, "BYDAY": f"-1{weekday}"}
    ordinals = {(o.day - 1) // 7 + 1 for o in onsets}
    if len(ordinals) == 1:
        return {"FREQ": "YEARLY", "BYMONTH": first.month, "BYDAY": f"{ordinals.pop()}{weekday}"}
    return None


def _is_last_in_month(moment: dt.datetime) -> bool:
    return (moment + dt.timedelta(days=7)).month != moment.month
