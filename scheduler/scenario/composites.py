"""Parsers for the composite values of a scenario file: seat groups, ``after`` orders, repeats,
cost and money tables, distance bands, fares, agenda items, and the project's codes (currency,
days of the week, language, kind of event). Each takes the raw TOML value and returns the domain
value or raises ``FieldError`` with what would be right; ``scheduler.scenario.tables`` applies them."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from scheduler.scenario import fields as f
from scheduler.scenario import rates as default_rates
from scheduler.scenario.domain import EVENT_KINDS, WEEKDAYS, After, AgendaItem, Repeat, Seat
from scheduler.scenario.fields import FieldError, show, suggest


def currency(value: Any) -> str:
    if isinstance(value, str) and len(value) == 3 and value.isalpha() and value.isupper():
        return value
    raise FieldError(f'{show(value)} is not an ISO 4217 currency code such as "EUR"')


def weekdays(value: Any) -> frozenset[int]:
    days = f.list_of(lambda v: weekday(v), 'day names ("mon" … "sun")')(value)
    if not days:
        raise FieldError("should name at least one day")
    return frozenset(days)


def weekday(value: Any) -> int:
    if isinstance(value, str) and value.lower() in WEEKDAYS:
        return WEEKDAYS.index(value.lower())
    raise FieldError(f'{show(value)} is not a day; use "mon", "tue", "wed", "thu", "fri", "sat" or "sun"')


def language(value: Any) -> str:
    if isinstance(value, str) and _is_language(value):
        return value
    raise FieldError(f'{show(value)} is not a language code such as "en", "ro" or "uk"')


@lru_cache(maxsize=1024)
def _is_language(value: str) -> bool:
    """Whether babel knows the language; asked once per code (a scenario's thousands of people
    speak a few dozen languages)."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(value.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def kind(value: Any) -> str:
    if isinstance(value, str) and value in EVENT_KINDS:
        return value
    hint = suggest(value, EVENT_KINDS) if isinstance(value, str) else ""
    raise FieldError(f"{show(value)} is not a kind of event; use one of {', '.join(EVENT_KINDS)}{hint}")


def non_empty(parse):
    def inner(value: Any) -> list:
        out = parse(value)
        if not out:
            raise FieldError("should name at least one")
        return out

    return inner


def attendee(value: Any) -> str:
    if isinstance(value, str) and value.startswith("role:"):
        return "role:" + f.ident(value[5:])
    return f.ident(value)


def sub_table(value: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FieldError(f"{show(value)} should be a table {{ {', '.join(k + ' = ...' for k in keys)} }}")
    for key in value:
        if key not in keys:
            raise FieldError(f'unknown key "{key}"{suggest(key, keys)}')
    return value


def field(table: dict[str, Any], key: str, parse, default: Any = f.MISSING) -> Any:
    if key not in table:
        if default is f.MISSING:
            raise FieldError(f'"{key}" is required')
        return default
    try:
        return parse(table[key])
    except FieldError as error:
        raise FieldError(f"{key}: {error}") from None


def seat(value: Any) -> Seat:
    t = sub_table(value, ("role", "per_country", "countries", "count"))
    role = field(t, "role", f.ident)
    per_country = field(t, "per_country", f.integer(1, 1000), None)
    count = field(t, "count", f.integer(1, 10_000), None)
    countries = field(t, "countries", f.list_of(f.country, "country codes"), [])
    if (per_country is None) == (count is None):
        raise FieldError("give either per_country (with countries) or count")
    if per_country is not None and not countries:
        raise FieldError("per_country needs countries = [...]")
    if len(set(countries)) != len(countries):
        raise FieldError("a country is listed twice in countries")
    return Seat(role, per_country, tuple(countries), count)


def after(value: Any) -> After:
    t = sub_table(value, ("event", "min_gap_days", "max_gap_days"))
    event = field(t, "event", f.ident)
    low = field(t, "min_gap_days", f.integer(0, 3660), 0)
    high = field(t, "max_gap_days", f.integer(0, 3660), None)
    if high is not None and high < low:
        raise FieldError(f"max_gap_days {high} is less than min_gap_days {low}")
    return After(event, low, high)


def repeat(value: Any) -> Repeat:
    t = sub_table(value, ("count", "every_months", "tolerance_days"))
    count = field(t, "count", f.integer(1, 1000))
    every = field(t, "every_months", f.integer(1, 120))
    tolerance = field(t, "tolerance_days", f.integer(0, 366), 14)
    return Repeat(count, every, tolerance)


def costs(value: Any) -> dict[str, int]:
    return money_table(f.ident, "category = amount, e.g. { interpretation = 2400 }")(value)


def year_key(value: str) -> int:
    if isinstance(value, str) and value.isdigit() and len(value) == 4:
        return int(value)
    raise FieldError(f"{show(value)} is not a year such as 2023")


def money_table(parse_key, entries: str = "key = amount"):
    """A parser of a table of amounts, its keys read by ``parse_key``."""

    def parse(value: Any) -> dict:
        if not isinstance(value, dict):
            raise FieldError(f"{show(value)} should be a table of {entries}")
        pairs = f.parse_each(((key, (key, amount)) for key, amount in value.items()), _amount_of(parse_key))
        return dict(pairs)

    return parse


def _amount_of(parse_key):
    return lambda pair: (parse_key(pair[0]), f.money(pair[1]))


def bands(value: Any) -> tuple[tuple[int, int], ...]:
    if isinstance(value, str):
        if value in default_rates.ERASMUS_2025_BANDS:
            return default_rates.distance_bands_cents(value)
        raise FieldError(f'{show(value)} is not a shipped table; use "standard", "green" or a list of [max km, amount]')
    bands, errors, last = [], [], -1
    for i, band in enumerate(f.items(value, "[max km, amount] pairs")):
        if not isinstance(band, list) or len(band) != 2 or isinstance(band[0], bool) or not isinstance(band[0], int):
            errors.append(f"[{i}]: {show(band)} should be [max km, amount], e.g. [499, 211]")
            continue
        try:
            amount = f.money(band[1])
        except FieldError as error:
            errors.append(f"[{i}]: {error}")
            continue
        if band[0] <= last:
            errors.append(f"[{i}]: max km {band[0]} is not above the previous band's {last}")
        last = band[0]
        bands.append((band[0], amount))
    if not bands and not errors:
        errors.append("should have at least one band")
    if errors:
        raise FieldError("; ".join(errors))
    return tuple(bands)


def fare(value: Any) -> tuple[str, str, int]:
    t = sub_table(value, ("from", "to", "amount"))
    return field(t, "from", f.ident), field(t, "to", f.ident), field(t, "amount", f.money)


def agenda_item(value: Any) -> AgendaItem:
    t = sub_table(value, ("day", "time", "title"))
    day = field(t, "day", f.integer(1, 366))
    span = field(t, "time", time_span)
    title = field(t, "title", f.text)
    return AgendaItem(day, span[0], span[1], title)


def time_span(value: Any) -> tuple[dt.time, dt.time]:
    if isinstance(value, str) and len(value) == 11 and value[5] == "-":
        try:
            start, end = dt.time.fromisoformat(value[:5]), dt.time.fromisoformat(value[6:])
        except ValueError:
            start = end = None
        if start and end:
            if end <= start:
                raise FieldError(f"{show(value)} ends before it starts")
            return start, end
    raise FieldError(f'{show(value)} is not a time span such as "09:00-10:30"')
