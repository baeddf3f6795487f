"""Time zones named by the TZID parameters of an .ics file.

A TZID is looked up in this order:

1. an IANA name (``Europe/Berlin``, ``UTC``): the zone from the tz database, which knows past rule
   changes that the file's VTIMEZONE (current rules only) may not;
2. a VTIMEZONE in the file: its rules, expanded into a table of transitions. This is how
   Outlook's Windows names (``W. Europe Standard Time``) and its "Customized Time Zone" are read,
   exactly as the file defines them;
3. a Windows zone name without a VTIMEZONE: the IANA zone that CLDR maps it to; a "globally
   unique" name such as ``/mozilla.org/20070129_1/Europe/Berlin``: the IANA name at its end;
4. otherwise the name is unknown and the caller decides (``busy`` reads such times in the
   person's home zone and says so).

Why not dateutil's ``tzical``, which icalendar uses for VTIMEZONE blocks: it walks its rules
from their start (1601 in Outlook files) at every conversion, which makes a daily meeting over
ten years take seconds. The table here is built once per zone and searched by bisection.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from functools import cache
from itertools import islice, takewhile
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from scheduler.calendars.icsfile import CalendarFileError, Component

LAST_TRANSITION_YEAR = 2100  # transitions are tabulated from each rule's start to here
_LIMIT = dt.datetime(LAST_TRANSITION_YEAR, 1, 1)
MAX_TRANSITIONS_PER_RULE = 2_000  # a yearly rule since 1601 has ~600; anything more is not a zone

_OFFSET = re.compile(r"^([+-])(\d{2})(\d{2})(\d{2})?$")


@cache
def iana_zone(name: str) -> dt.tzinfo | None:
    """The tz database zone called ``name``, or None (also for names that are not valid keys)."""
    if not name or name.startswith(("/", ".")) or ".." in name or "\\" in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


@cache
def windows_zone(name: str) -> dt.tzinfo | None:
    """The IANA zone for a Windows zone name, from the CLDR table that icalendar ships."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    olson = WINDOWS_TO_OLSON.get(name)
    return iana_zone(olson) if olson else None


class ZoneTable:
    """Resolves the TZIDs of one file (each resolved once)."""

    def __init__(self, path, timezones: dict[str, Component]):
        self.path = path
        self.timezones = timezones
        self._resolved: dict[str, dt.tzinfo | None] = {}

    def get(self, tzid: str) -> dt.tzinfo | None:
        if tzid not in self._resolved:
            self._resolved[tzid] = self._resolve(tzid)
        return self._resolved[tzid]

    def _resolve(self, tzid: str) -> dt.tzinfo | None:
        zone = iana_zone(tzid)
        if zone is not None:
            return zone
        if tzid in self.timezones:
            return DefinedZone.from_component(self.path, tzid, self.timezones[tzid])
        return windows_zone(tzid) or _vendor_prefixed_zone(tzid)


def _vendor_prefixed_zone(tzid: str) -> dt.tzinfo | None:
    """A "globally unique" TZID such as /mozilla.org/20070129_1/America/New_York (older
    Thunderbird and libical): the IANA name at its end, as icalendar also guesses."""
    if not tzid.startswith("/"):
        return None
    segments = tzid.strip("/").split("/")
    for first in range(1, len(segments) - 1):
        zone = iana_zone("/".join(segments[first:]))
        if zone is not None:
            return zone
    return None


class DefinedZone(dt.tzinfo):
    """A zone given by a VTIMEZONE block, as a sorted table of UTC transitions (PEP 495 folds)."""

    def __init__(self, tzid: str, transitions: list[tuple[dt.datetime, dt.timedelta, dt.timedelta]]):
        """``transitions``: (UTC moment, offset before, offset after), sorted by moment."""
        self.tzid = tzid
        self._utc = [moment for moment, _, _ in transitions]
        first_offset = transitions[0][1] if transitions else dt.timedelta(0)
        self._offsets = [first_offset] + [after for _, _, after in transitions]
        # Wall-clock points where each transition takes effect: for fold=0 a time in a gap or
        # an overlap keeps the offset before, for fold=1 it takes the offset after.
        self._wall = (
            [moment + max(before, after) for moment, before, after in transitions],
            [moment + min(before, after) for moment, before, after in transitions],
        )
        self._transitions = transitions

    @classmethod
    def from_component(cls, path, tzid: str, component: Component) -> DefinedZone:
        transitions: list[tuple[dt.datetime, dt.timedelta, dt.timedelta]] = []
        if not component.parts:
            raise CalendarFileError(
                f"{path}: line {component.line}: VTIMEZONE {tzid!r} has neither STANDARD nor DAYLIGHT rules"
            )
        for part in component.parts:
            transitions.extend(_part_transitions(path, tzid, part))
        transitions.sort(key=lambda item: item[0])
        return cls(tzid, transitions)

    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta:
        if moment is None:
            return self._offsets[-1]
        index = bisect_right(self._wall[moment.fold], moment.replace(tzinfo=None))
        return self._offsets[index]

    def dst(self, moment: dt.datetime | None) -> dt.timedelta | None:
        return None  # only utcoffset matters for the blocking rule

    def tzname(self, moment: dt.datetime | None) -> str:
        return self.tzid

    def fromutc(self, moment: dt.datetime) -> dt.datetime:
        naive = moment.replace(tzinfo=None)
        index = bisect_right(self._utc, naive)
        local = naive + self._offsets[index]
        fold = 0
        if index > 0:
            at, before, after = self._transitions[index - 1]
            if after < before and local < at + before:
                fold = 1  # the second pass through a wall-clock hour that repeats
        return local.replace(tzinfo=self, fold=fold)

    def __repr__(self) -> str:
        return f"DefinedZone({self.tzid!r}, {len(self._utc)} transitions)"


def _part_transitions(path, tzid: str, part: Component) -> list[tuple[dt.datetime, dt.timedelta, dt.timedelta]]:
    def need(name: str):
        found = part.first(name)
        if found is None:
            raise CalendarFileError(f"{path}: line {part.line}: {part.name} of VTIMEZONE {tzid!r} has no {name}")
        return found

    before = parse_offset(path, need("TZOFFSETFROM"))
    after = parse_offset(path, need("TZOFFSETTO"))
    start_prop = need("DTSTART")
    text = start_prop.value.strip().rstrip("Zz")
    start = _naive_datetime(text + "T000000" if len(text) == 8 else text)  # a date: its midnight
    if start is None:
        raise CalendarFileError(
            f"{path}: line {start_prop.line}: DTSTART {start_prop.value!r} of VTIMEZONE {tzid!r} is not a date-time"
        )
    onsets = [start]
    for rule in part.all("RRULE"):
        try:
            expanded = rrulestr(_local_until(rule.value, before), dtstart=start, cache=False)
            upcoming = takewhile(lambda moment: moment < _LIMIT, expanded.xafter(start, inc=False))
            found = list(islice(upcoming, MAX_TRANSITIONS_PER_RULE + 1))
        except (ValueError, TypeError) as error:
            raise CalendarFileError(
                f"{path}: line {rule.line}: RRULE {rule.value!r} of VTIMEZONE {tzid!r} is not valid: {error}"
            ) from None
        if len(found) > MAX_TRANSITIONS_PER_RULE:
            raise CalendarFileError(
                f"{path}: line {rule.line}: RRULE {rule.value!r} of VTIMEZONE {tzid!r} changes the offset too often"
            )
        onsets.extend(found)
    for rdate in part.all("RDATE"):
        for item in rdate.value.split(","):
            moment = _naive_datetime(item.strip().rstrip("Z"))
            if moment is not None:
                onsets.append(moment)
    # Onsets are wall-clock times in the offset in force before them.
    return [(onset - before, before, after) for onset in sorted(set(onsets))]


def _local_until(rule: str, offset: dt.timedelta) -> str:
    """RFC 5545 writes UNTIL in UTC while the onsets are local times: dateutil refuses that mix,
    so UNTIL is turned into local time with the offset in force before the onsets."""
    parts = []
    for item in "".join(rule.split()).split(";"):
        key, _, value = item.partition("=")
        if key.upper() == "UNTIL" and value[-1:] in ("Z", "z"):
            moment = _naive_datetime(value[:-1]) or _naive_datetime(value[:8] + "T000000")
            if moment is not None:
                value = (moment + offset).strftime("%Y%m%dT%H%M%S")
        parts.append(f"{key}={value}")
    return ";".join(parts)


def parse_offset(path, prop) -> dt.timedelta:
    match = _OFFSET.match(prop.value.strip())
    if not match:
        raise CalendarFileError(f"{path}: line {prop.line}: {prop.name} {prop.value!r} is not a UTC offset like +0100")
    sign, hours, minutes, seconds = match.groups()
    offset = dt.timedelta(hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0))
    return -offset if sign == "-" else offset


def _naive_datetime(text: str) -> dt.datetime | None:
    if len(text) != 15 or text[8] not in "Tt" or not (text[:8].isdigit() and text[9:].isdigit()):
        return None
    try:
        return dt.datetime(
            int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[9:11]), int(text[11:13]), int(text[13:15])
        )
    except ValueError:
        return None
