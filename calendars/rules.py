"""Checks on a recurrence rule (RRULE) before ``recurring-ical-events`` expands it with dateutil.

dateutil walks a rule from its DTSTART, however long before the planning horizon that is, and
keeps what it generates; a rule that can never match (30 February) is walked up to the year
9999, and INTERVAL=0 never ends. So, before expansion: values out of their RFC 5545 ranges are
refused, rules that can never occur are recognised (the event is then skipped with a note), and
the number of steps to the end of the horizon is estimated so that a file whose rules would take
too long is refused with a message instead.
"""

from __future__ import annotations

import datetime as dt
from math import prod

from scheduler.calendars.values import coarse_day

FREQ_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 28 * 86400,
    "YEARLY": 365 * 86400,
}
_ORDER = list(FREQ_SECONDS)
# Parts that list values, with the range each value must be in (negative values count back).
_RANGES = {
    "BYSECOND": (0, 60, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
}
_KNOWN_PARTS = {"FREQ", "UNTIL", "COUNT", "INTERVAL", "BYDAY", "WKST", *_RANGES}
_TIME_PARTS = {"BYHOUR": "HOURLY", "BYMINUTE": "MINUTELY", "BYSECOND": "SECONDLY"}
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February of a leap year


class RuleError(ValueError):
    """What is wrong with a rule, in words for the coordinator (without file and line)."""


def rule_parts(text: str) -> dict[str, str]:
    """``FREQ=WEEKLY;BYDAY=MO, TU`` as {"FREQ": "WEEKLY", "BYDAY": "MO,TU"} (blanks dropped)."""
    parts = {}
    for item in "".join(text.split()).split(";"):
        key, _, value = item.partition("=")
        if key:
            parts[key.upper()] = value.upper()
    return parts


def rule_text(parts: dict[str, str]) -> str:
    """The rule as dateutil and icalendar read it, without what real exports add that they do
    not accept: blanks, and a negative COUNT ("for ever", written by some tools; dropped as
    recurring-ical-events does)."""
    kept = {key: value for key, value in parts.items() if not (key == "COUNT" and value.startswith("-"))}
    return ";".join(f"{key}={value}" for key, value in kept.items())


def check_rule(parts: dict[str, str]) -> None:
    """Raise ``RuleError`` for a part whose value RFC 5545 does not allow."""
    if "RSCALE" in parts:
        raise RuleError(f"repeats in the {parts['RSCALE'].lower()} calendar (RSCALE); only Gregorian rules are read")
    unknown = sorted(set(parts) - _KNOWN_PARTS)
    if unknown:
        raise RuleError(
            f"{', '.join(unknown)} is not a part of a recurrence rule (known: {', '.join(sorted(_KNOWN_PARTS))})"
        )
    freq = parts.get("FREQ")
    if freq not in FREQ_SECONDS:
        raise RuleError(f"FREQ should be one of {', '.join(FREQ_SECONDS)}")
    if parts.get("COUNT", "").startswith("-"):
        parts = {key: value for key, value in parts.items() if key != "COUNT"}
    for key in ("INTERVAL", "COUNT"):
        if key in parts and not (parts[key].isdigit() and int(parts[key]) >= 1):
            raise RuleError(f"{key} should be a whole number of at least 1")
    for key, (low, high, signed) in _RANGES.items():
        for value in _numbers(parts, key):
            allowed = value is not None and (low <= abs(value) <= high if signed else low <= value <= high)
            if not allowed:
                also = f" (or -{high} to -1, counting from the end)" if signed else ""
                raise RuleError(f"{key} values should be between {low} and {high}{also}")


def never_occurs(parts: dict[str, str]) -> str | None:
    """Why the rule can never produce a time, for the combinations that make it so, or None."""
    months = [m for m in _numbers(parts, "BYMONTH") if m] or list(range(1, 13))
    days = [d for d in _numbers(parts, "BYMONTHDAY") if d]
    if days and not any(abs(day) <= _DAYS_IN_MONTH[month - 1] for day in days for month in months):
        return f"no month in BYMONTH has the day BYMONTHDAY={parts['BYMONTHDAY']}"
    return None


def rule_steps(parts: dict[str, str], start: dt.date | dt.datetime, end: dt.date) -> int:
    """About how many candidate times dateutil walks through from ``start`` to ``end``."""
    freq = parts["FREQ"]
    interval = int(parts.get("INTERVAL") or 1)
    first_day = start.date() if isinstance(start, dt.datetime) else start
    until = coarse_day(parts.get("UNTIL", ""))
    last_day = min(end, until) if until is not None else end
    seconds = max(0, (last_day - first_day).days + 1) * 86400
    steps = seconds // (FREQ_SECONDS[freq] * interval) + 1
    per_step = prod(
        len(parts[key].split(","))
        for key, finest in _TIME_PARTS.items()
        if key in parts and _ORDER.index(freq) > _ORDER.index(finest)
    )
    if parts.get("COUNT", "").isdigit() and not any(key.startswith("BY") for key in parts):
        steps = min(steps, int(parts["COUNT"]))
    return steps * per_step


def _numbers(parts: dict[str, str], key: str) -> list[int | None]:
    if key not in parts:
        return []
    values: list[int | None] = []
    for item in parts[key].split(","):
        item = item.strip()
        try:
            values.append(int(item))
        except ValueError:
            values.append(None)
    return values
