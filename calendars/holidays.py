"""Public holidays per country from the ``holidays`` package (the official calendar of each year).

Weekend shifts ("observed" days), Orthodox and Western Easter and Ukraine's martial-law rule (no
public holidays as days off since 24 February 2022) come from the package as it gives them. Names
are kept, so explanations, agendas and the report can say which holiday a day is.
"""

from __future__ import annotations

import datetime as dt
from functools import cache


class UnknownCountryCalendar(LookupError):
    pass


@cache
def _country_calendar(country: str, first_year: int, last_year: int) -> dict[dt.date, str]:
    import holidays

    try:
        calendar = holidays.country_holidays(country, years=range(first_year, last_year + 1), language="en_US")
    except NotImplementedError:
        raise UnknownCountryCalendar(country) from None
    return {day: str(name) for day, name in sorted(calendar.items())}


def public_holidays(country: str, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """Public holidays of ``country`` between ``first`` and ``last`` (inclusive), with names.

    Raises ``UnknownCountryCalendar`` where the package has no calendar for the country."""
    calendar = _country_calendar(country, first.year, last.year)
    return {day: name for day, name in calendar.items() if first <= day <= last}


def has_calendar(country: str) -> bool:
    import holidays

    return country in holidays.list_supported_countries()
