"""Dates, times, durations and periods of an .ics file, as Python values.

Every date-time comes out aware: UTC (``Z``), in its TZID's zone, or, when floating (no zone at
all, as some tools write) or in a zone nobody knows, in the person's home zone, which is the only
sensible reading of "09:00" on their own calendar. Unknown zone names are collected so the
coordinator can be told.
"""

from __future__ import annotations

import datetime as dt
import re

from scheduler.calendars.icsfile import CalendarFileError, Property
from scheduler.calendars.zones import ZoneTable

Moment = dt.date | dt.datetime
MAX_DURATION = dt.timedelta(days=3660)

_DURATION = re.compile(
    r"^(?P<sign>[+-])?P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


class ValueReader:
    """Reads the values of one file, with its zones, in the home zone of one person or venue."""

    def __init__(self, path, zones: ZoneTable, home: dt.tzinfo):
        self.path = path
        self.zones = zones
        self.home = home
        self.unknown_zones: dict[str, int] = {}  # TZID -> line where it is first used
        self.notes: list[str] = []  # things read with a guess, for the coordinator

    def fail(self, prop: Property, message: str) -> CalendarFileError:
        return CalendarFileError(f"{self.path}: line {prop.line}: {prop.name} {prop.value.strip()!r} {message}")

    def zone(self, prop: Property) -> dt.tzinfo:
        tzid = prop.params.get("TZID")
        if tzid is None:
            return self.home  # floating time: the person's own clock
        zone = self.zones.get(tzid)
        if zone is None:
            self.unknown_zones.setdefault(tzid, prop.line)
            return self.home
        return zone

    def moment(self, prop: Property) -> Moment:
        """The single DATE or DATE-TIME value of DTSTART, DTEND or RECURRENCE-ID."""
        text = prop.value.strip()
        if "," in text:
            raise self.fail(prop, "holds a list where one date or date-time is expected")
        return self._one(prop, text, self.zone(prop))

    def moments(self, prop: Property) -> list[Moment | tuple[Moment, Moment]]:
        """The comma-separated values of RDATE or EXDATE; RDATE may hold periods (start/end or
        start/duration), returned as (start, end) pairs."""
        zone = self.zone(prop)
        values: list[Moment | tuple[Moment, Moment]] = []
        for text in prop.value.split(","):
            text = text.strip()
            if not text:
                continue
            if "/" in text:
                first, _, second = text.partition("/")
                start = self._one(prop, first, zone)
                if second.upper().lstrip("+-").startswith("P"):
                    end = start + self.duration(prop, second)
                else:
                    end = self._one(prop, second, zone)
                values.append((start, end))
            else:
                values.append(self._one(prop, text, zone))
        return values

    def duration(self, prop: Property, text: str | None = None) -> dt.timedelta:
        match = _DURATION.match((text if text is not None else prop.value).strip().upper())
        if not match or not any(match.group(key) for key in ("weeks", "days", "hours", "minutes", "seconds")):
            raise self.fail(prop, "is not an iCalendar duration such as PT1H30M or P2D")
        parts = {key: int(match.group(key) or 0) for key in ("weeks", "days", "hours", "minutes", "seconds")}
        try:
            value = dt.timedelta(**parts)
        except OverflowError:
            value = dt.timedelta.max
        if value > MAX_DURATION:
            raise self.fail(prop, "is longer than ten years; no busy time lasts that long")
        return -value if match.group("sign") == "-" else value

    @staticmethod
    def _which(prop: Property, text: str) -> str:
        """In a list of values, which one is wrong; nothing when the value is the whole line's."""
        return "" if text == prop.value.strip() else f"{text!r} "

    def _one(self, prop: Property, text: str, zone: dt.tzinfo) -> Moment:
        value_type = prop.params.get("VALUE", "").upper()
        if len(text) == 8 and text.isdigit():
            try:
                return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
            except ValueError:
                raise self.fail(prop, self._which(prop, text) + "is not a day of the calendar") from None
        if value_type == "DATE":
            raise self.fail(prop, self._which(prop, text) + "is not a date (YYYYMMDD)")
        utc = text[-1:] in ("Z", "z")
        digits = text[:-1] if utc else text
        if len(digits) != 15 or digits[8] not in "Tt" or not (digits[:8].isdigit() and digits[9:].isdigit()):
            raise self.fail(prop, self._which(prop, text) + "is not a date (YYYYMMDD) or a date-time (YYYYMMDDTHHMMSS)")
        try:
            naive = dt.datetime(
                int(digits[0:4]),
                int(digits[4:6]),
                int(digits[6:8]),
                int(digits[9:11]),
                int(digits[11:13]),
                min(int(digits[13:15]), 59),  # a leap second is read as :59
            )
        except ValueError:
            raise self.fail(prop, self._which(prop, text) + "is not a moment of the calendar") from None
        return naive.replace(tzinfo=dt.UTC if utc else zone)


def coarse_day(text: str) -> dt.date | None:
    """The calendar day written at the start of a DATE or DATE-TIME value, without reading its
    zone: used to drop events far from the horizon before reading them properly."""
    text = text.strip()
    if len(text) < 8 or not text[:8].isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
