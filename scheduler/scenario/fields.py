"""Reading one TOML table at a time, collecting every problem instead of stopping at the first.

A ``Table`` wraps the dict of one table together with its place in the file (``events[3]``). Each
``take`` parses one key with a parser function; a parser raises ``FieldError`` with a message that
says what would be right, and the table records it as a ``Problem`` at ``events[3].window``. At the
end ``finish`` reports the keys nobody asked for, with a "did you mean" suggestion.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from scheduler.errors import Problem
from scheduler.money import MoneyError, to_cents
from scheduler.scenario.domain import DateRange

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_TEXT = 500

MISSING = object()


class FieldError(ValueError):
    """A value that does not fit; the message says what would be right."""


def show(value: Any) -> str:
    """A value as the coordinator typed it, short enough for one line."""
    if isinstance(value, str):
        text = value.encode("unicode_escape").decode("ascii") if not value.isprintable() else value
        text = f'"{text}"'
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, dict):
        text = "a table"
    elif isinstance(value, list):
        text = "[" + ", ".join(show(v) for v in value[:5]) + (", …" if len(value) > 5 else "") + "]"
    else:
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


class Table:
    """One TOML table being read; see the module docstring."""

    def __init__(self, data: Any, place: str, problems: list[Problem], ident: str | None = None):
        self.place = place
        self.problems = problems
        self.ident = ident
        self.ok = isinstance(data, dict)
        self.data: dict[str, Any] = data if self.ok else {}
        self.seen: set[str] = set()
        if not self.ok:
            self.problem("", f"{show(data)} should be a table (key = value pairs)")

    def at(self, key: str) -> str:
        if not key:
            return self.place
        return f"{self.place}.{key}" if self.place else key

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.at(key), message, self.ident))

    def has(self, key: str) -> bool:
        return key in self.data

    def take(self, key: str, parse: Callable[[Any], Any], default: Any = MISSING) -> Any:
        """The parsed value of ``key``; ``default`` where it is absent (absent with no default is a
        problem). Returns None where the value is wrong; the problem is recorded."""
        self.seen.add(key)
        if key not in self.data:
            if default is MISSING:
                if self.ok:
                    self.problem(key, "is required")
                return None
            return default
        try:
            return parse(self.data[key])
        except FieldError as error:
            self.problem(key, str(error))
            return None

    def table(self, key: str, required: bool = False) -> Table | None:
        self.seen.add(key)
        if key not in self.data:
            if required and self.ok:
                self.problem(key, "is required")
            return None
        return Table(self.data[key], self.at(key), self.problems, self.ident)

    def finish(self, allowed_extra: Iterable[str] = ()) -> None:
        known = self.seen | set(allowed_extra)
        for key in self.data:
            if key not in known:
                self.problem(key, f"unknown key{suggest(key, known)}")


def items(value: Any, what: str) -> list:
    if not isinstance(value, list):
        raise FieldError(f"{show(value)} should be a list of {what}")
    return value


# --- parsers ----------------------------------------------------------------------------------


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise FieldError(f"{show(value)} should be text in quotes")
    if not value.strip():
        raise FieldError("should not be empty")
    # A printable text holds none of these (the test of every character only for the others).
    if not value.isprintable() and any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
        raise FieldError(f"{show(value)} contains a line break or control character; write it on one line")
    if len(value) > MAX_TEXT:
        raise FieldError(f"is {len(value)} characters long; at most {MAX_TEXT}")
    return value


def long_text(value: Any) -> str:
    """Free text that may span lines (descriptions), but no other control characters."""
    if not isinstance(value, str):
        raise FieldError(f"{show(value)} should be text in quotes")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        raise FieldError("contains a control character")
    if len(value) > 20 * MAX_TEXT:
        raise FieldError(f"is {len(value)} characters long; at most {20 * MAX_TEXT}")
    return value


def ident(value: Any) -> str:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise FieldError(
            f"{show(value)} is not a valid id; use 1 to 63 lowercase letters, digits, '-' or '_', "
            'starting with a letter or digit (e.g. "sv-serbia")'
        )
    return value


def email(value: Any) -> str:
    if not isinstance(value, str) or not EMAIL_PATTERN.fullmatch(value) or len(value) > 254:
        raise FieldError(f'{show(value)} is not an e-mail address such as "name@example.org"')
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"{show(value)} should be true or false")
    return value


def integer(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError(f"{show(value)} should be a whole number from {low} to {high}")
        if not low <= value <= high:
            raise FieldError(f"{show(value)} is out of range; expected a whole number from {low} to {high}")
        return value

    return parse


def number(low: float, high: float) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise FieldError(f"{show(value)} should be a number from {low} to {high}")
        if not low <= value <= high:
            raise FieldError(f"{show(value)} is out of range; expected a number from {low} to {high}")
        return float(value)

    return parse


def money(value: Any) -> int:
    try:
        return to_cents(value)
    except MoneyError as error:
        raise FieldError(str(error)) from None


def date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise FieldError(f"{show(value)} has a time of day; give a date such as 2023-05-22")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and DATE_PATTERN.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise FieldError(f"{show(value)} is not a day of the calendar") from None
    raise FieldError(f"{show(value)} is not a date; expected YYYY-MM-DD, e.g. 2023-05-22")


def date_range(value: Any) -> DateRange:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return DateRange(value, value)
    if isinstance(value, str):
        parts = value.split("/")
        if (
            len(parts) == 2
            and all(DATE_PATTERN.fullmatch(p) for p in parts)
            or (len(parts) == 1 and DATE_PATTERN.fullmatch(parts[0]))
        ):
            try:
                first, last = (dt.date.fromisoformat(parts[0]), dt.date.fromisoformat(parts[-1]))
            except ValueError:
                raise FieldError(f"{show(value)} names a day that is not in the calendar") from None
            if first > last:
                raise FieldError(
                    f"{show(value)} ends before it starts; write the earlier day first "
                    f'("{last.isoformat()}/{first.isoformat()}")'
                )
            return DateRange(first, last)
    raise FieldError(
        f'{show(value)} is not a date range; expected "YYYY-MM-DD/YYYY-MM-DD" (both days inclusive) or a single date'
    )


def list_of(parse: Callable[[Any], Any], what: str, max_items: int = 10_000) -> Callable[[Any], list]:
    def parse_list(value: Any) -> list:
        values = items(value, what)
        if len(values) > max_items:
            raise FieldError(f"has {len(values)} entries; at most {max_items}")
        return parse_each(((f"[{i}]", item) for i, item in enumerate(values)), parse)

    return parse_list


def parse_each(labelled, parse: Callable[[Any], Any]) -> list:
    """``parse(value)`` for each ``(label, value)``; every value that fails is reported at once,
    as "label: what is wrong"."""
    out, errors = [], []
    for label, value in labelled:
        try:
            out.append(parse(value))
        except FieldError as error:
            errors.append(f"{label}: {error}")
    if errors:
        raise FieldError("; ".join(errors))
    return out


def country(value: Any) -> str:
    from scheduler.scenario.countries import country_names, is_country

    if isinstance(value, str) and is_country(value):
        return value
    hint = ""
    if isinstance(value, str) and is_country(value.upper()):
        hint = f'; did you mean "{value.upper()}"?'
    elif isinstance(value, str):
        by_name = {name.lower(): code for code, name in country_names().items()}
        if value.lower() in by_name:
            hint = f'; {value} is "{by_name[value.lower()]}"'
    raise FieldError(f'{show(value)} is not an ISO 3166-1 alpha-2 country code (e.g. "MD", "XK" for Kosovo){hint}')


def timezone(value: Any) -> str:
    import zoneinfo

    zones = _zones()
    if isinstance(value, str) and value in zones:
        try:
            zoneinfo.ZoneInfo(value)
            return value
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    hint = suggest(value, zones) if isinstance(value, str) else ""
    raise FieldError(f'{show(value)} is not an IANA time zone such as "Europe/Chisinau"{hint}')


def _zones() -> set[str]:
    import zoneinfo

    global _ZONES
    if _ZONES is None:
        _ZONES = zoneinfo.available_timezones()
    return _ZONES


_ZONES: set[str] | None = None
