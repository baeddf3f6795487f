"""Languages of the participant-facing outputs: gettext catalogs for words, babel for dates and money.

A message is written in one language from its first word to its last: the person's ``language``
where a catalog exists for it (``templates/locale/<lang>/LC_MESSAGES/scheduler.mo``, or the same
path inside the user's ``--templates`` folder, which wins), else English. Dates, times, money and
country names follow the language the words are in, so an invitation never mixes an English text
with Georgian dates. English uses British conventions (``1 March 2022``, ``€1,234.50``), as fits
EU-funded projects; a person whose language is a regional English such as ``en_US`` gets that
region's conventions.

Plugins call ``language_for(context, person.language)`` and then ``gettext``/``ngettext`` and the
``date``/``money`` helpers of the returned ``Language``.
"""

from __future__ import annotations

import datetime as dt
import gettext
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

DOMAIN = "scheduler"
SOURCE_LANGUAGE = "en"
ENGLISH_CONVENTIONS = "en_GB"


def N_(message: str) -> str:  # noqa: N802 - the conventional name gettext tools look for
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


@dataclass(frozen=True)
class Language:
    """The words (a gettext catalog) and conventions (a babel locale) of one message.

    Every answer is a pure function of the language and the arguments, and babel takes a while to
    format a date or an amount, while a large plan asks for the same few hundred dates and amounts
    thousands of times (once per invitation, feed entry and agenda): each answer is kept in
    ``_memo``, shared by every ``Language`` of the same locale (a dozen languages without a
    catalog of their own are English with British conventions) and kept for the process's life."""

    code: str  # the catalog actually used: "ro", or "en" for the English source text
    locale: Locale
    translations: gettext.NullTranslations
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_memo", _formatted.setdefault(str(self.locale), {}))

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)

    def date(self, day: dt.date) -> str:
        """``Tuesday, 1 March 2022`` / ``marți, 1 martie 2022``: full, so no one misreads a day."""
        return self._remember(("date", day), babel_dates.format_date, day, "full", locale=self.locale)

    def short_date(self, day: dt.date) -> str:
        """``1 March 2022`` / ``1 martie 2022``."""
        return self._remember(("short_date", day), babel_dates.format_date, day, "long", locale=self.locale)

    def date_range(self, first: dt.date, last: dt.date) -> str:
        """Both days inclusive, each written out in full."""
        if first == last:
            return self.date(first)
        return self.gettext("%(first)s to %(last)s") % {"first": self.date(first), "last": self.date(last)}

    def short_range(self, first: dt.date, last: dt.date) -> str:
        """``1–2 Mar 2022`` / ``1–2 mar. 2022``: for subject lines."""
        if first == last:
            return self._remember(("medium_date", first), babel_dates.format_date, first, "medium", locale=self.locale)
        return self._remember(
            ("short_range", first, last), babel_dates.format_interval, first, last, "yMMMd", locale=self.locale
        )

    def time(self, moment: dt.time) -> str:
        return self._remember(("time", moment), babel_dates.format_time, moment, "short", locale=self.locale)

    def money(self, cents: int, currency: str) -> str:
        """Cents printed in the language's conventions, exactly (no float on the way)."""
        return self._remember(("money", cents, currency), _format_money, cents, currency, self.locale)

    def country(self, code: str) -> str:
        return self.locale.territories.get(code, code)

    def _remember(self, key: tuple, function, *args, **kwargs) -> str:
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = function(*args, **kwargs)
        return found


_formatted: dict[str, dict] = {}  # per locale: every date, time and amount babel formatted for it


def _format_money(cents: int, currency: str, locale: Locale) -> str:
    return babel_numbers.format_currency(Decimal(cents).scaleb(-2), currency, locale=locale)


def language_for(context, requested: str | None) -> Language:
    """The language to write to a person whose scenario says ``language = requested``."""
    user_dir = str(context.templates_dir) if context.templates_dir is not None else None
    return _language(user_dir, (requested or SOURCE_LANGUAGE).replace("-", "_"))


@lru_cache(maxsize=64)
def _language(user_dir: str | None, requested: str) -> Language:
    for candidate in _candidates(requested):
        if candidate.split("_")[0] == SOURCE_LANGUAGE:
            return Language(SOURCE_LANGUAGE, _english_locale(requested), gettext.NullTranslations())
        translations = _catalog(user_dir, candidate)
        if translations is not None:
            return Language(candidate, Locale.parse(candidate), translations)
    return Language(SOURCE_LANGUAGE, _english_locale(SOURCE_LANGUAGE), gettext.NullTranslations())


def _candidates(requested: str) -> list[str]:
    """``ro_MD`` -> ``["ro_MD", "ro"]``: the regional catalog first, then the language's."""
    parts = requested.split("_")
    return ["_".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _english_locale(requested: str) -> Locale:
    if requested.split("_")[0] == SOURCE_LANGUAGE and "_" in requested:
        try:
            return Locale.parse(requested)
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(ENGLISH_CONVENTIONS)


def _catalog_roots(user_dir: str | None):
    if user_dir is not None:
        yield Path(user_dir) / "locale"
    yield files("scheduler.templates") / "locale"


def _catalog(user_dir: str | None, code: str) -> gettext.NullTranslations | None:
    """The user's catalog for ``code`` with the package's behind it, or whichever exists."""
    found: list[gettext.GNUTranslations] = []
    for root in _catalog_roots(user_dir):
        resource = root / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if resource.is_file():
            with resource.open("rb") as stream:
                found.append(gettext.GNUTranslations(stream))
    if not found:
        return None
    for better, fallback in zip(found, found[1:], strict=False):
        better.add_fallback(fallback)
    return found[0]
