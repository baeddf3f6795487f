"""ISO 3166-1 alpha-2 country codes, with XK for Kosovo (user-assigned, used by the EU and IMF).

The list comes from the CLDR territory names that babel ships (babel is already needed for
localised dates), less CLDR's codes that are not countries (EU, UN, ZZ, …) and its exceptional
reservations (AC, CP, DG, …).
"""

from __future__ import annotations

from functools import cache

_NOT_COUNTRIES = {
    "AC",
    "CP",
    "CQ",
    "DG",
    "EA",
    "EU",
    "EZ",
    "IC",
    "QO",
    "TA",
    "UN",
    "XA",
    "XB",
    "ZZ",
}


@cache
def country_names() -> dict[str, str]:
    from babel import Locale

    territories = Locale("en").territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def is_country(code: str) -> bool:
    return code in country_names()


def country_name(code: str) -> str:
    return country_names().get(code, code)
