"""Public holidays per country from the ``holidays`` package: the official calendar of each year.

What the package gives is taken as it is, because it follows each country's law year by year:

- weekend shifts: where a country moves a holiday that falls on a weekend, the package adds the
  day off it moves to ("… (observed)"), and bridge days that a government decree grants ("Day off
  (substituted from …)");
- the Orthodox Easter cycle for Romania, Moldova, Serbia, Georgia, Ukraine, North Macedonia … and
  the Western one for Hungary, Austria …; both in Kosovo (XK) and Bosnia;
- Ukraine's martial law: from 15 March 2022 the package puts every holiday in its "workday"
  category (the law suspends them as days off), so from then on none blocks a day;
- only the national public holidays (the ``PUBLIC`` category), not regional ones nor bank holidays.

Names are kept (in English unless another supported language is asked for) so that explanations,
agendas and the report can say which holiday a day is. A country for which the installed package
has no calendar raises ``UnknownCountryCalendar``; the scheduler then warns and assumes none.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

DEFAULT_LANGUAGE = "en_US"


class UnknownCountryCalendar(LookupError):
    """The installed ``holidays`` package has no calendar for this country code."""


@cache
def _country_calendar(country: str, first_year: int, last_year: int, language: str) -> dict[dt.date, str]:
    import holidays

    try:
        calendar = holidays.country_holidays(country, years=range(first_year, last_year + 1), language=language)
    except NotImplementedError:
        raise UnknownCountryCalendar(country) from None
    return {day: str(name) for day, name in sorted(calendar.items())}


def public_holidays(
    country: str, first: dt.date, last: dt.date, language: str = DEFAULT_LANGUAGE
) -> dict[dt.date, str]:
    """Public holidays of ``country`` (ISO 3166-1 alpha-2, XK for Kosovo) from ``first`` to
    ``last`` (inclusive), by day, each with its name; two holidays on one day share it, their
    names joined by "; ". ``language`` is a locale such as "ro" or "uk"; names fall back to
    English where the package has no translation.

    Raises ``UnknownCountryCalendar`` where the package has no calendar for the country."""
    if last < first:
        return {}
    language = language if language in supported_languages(country) else DEFAULT_LANGUAGE
    calendar = _country_calendar(country, first.year, last.year, language)
    return {day: name for day, name in calendar.items() if first <= day <= last}


def holiday_name(country: str, day: dt.date, language: str = DEFAULT_LANGUAGE) -> str | None:
    """The name of the public holiday of ``country`` on ``day``, or None (also for a country the
    package does not know)."""
    try:
        return public_holidays(country, day, day, language).get(day)
    except UnknownCountryCalendar:
        return None


@cache
def supported_languages(country: str) -> tuple[str, ...]:
    """The languages the package can name ``country``'s holidays in (empty for an unknown one)."""
    import holidays

    try:
        return tuple(holidays.country_holidays(country).supported_languages)
    except NotImplementedError:
        return ()


def has_calendar(country: str) -> bool:
    import holidays

    return country in holidays.list_supported_countries()
