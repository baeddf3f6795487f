"""Languages of the outputs: gettext catalogs for the words, babel for dates and money.

A message is written in one language from its first word to its last: the person's ``language``
where a catalog exists for it (``templates/locale/<lang>/LC_MESSAGES/scheduler.mo``, or the same
path inside the user's ``--templates`` folder, which wins), else English. Dates, times, money and
country names follow the language the words are in, so an invitation never mixes an English text
with Georgian dates. English uses British conventions (``1 March 2022``, ``€1,234.50``), as fits
EU-funded projects; a person whose language is a regional English such as ``en_US`` gets that
region's conventions.

Languages and conventions are made once per render (``context.memo``) and remember what babel
formatted for them: a plan asks for the same few hundred dates and amounts thousands of times.
"""

from __future__ import annotations

import datetime as dt
import gettext
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from scheduler.errors import UsageError

DOMAIN = "scheduler"
SOURCE_LANGUAGE = "en"
ENGLISH_CONVENTIONS = "en_GB"
LOCALE_OPTION = "locale"  # --option locale=...: the dates of the agendas and the report


def N_(message: str) -> str:  # noqa: N802 - the conventional name gettext tools look for
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


class Conventions:
    """How one babel locale writes dates, times, money and country names; each answer is kept,
    since babel takes a while and the same values come again and again."""

    def __init__(self, locale: Locale) -> None:
        self.locale = locale
        self._known: dict[tuple, str] = {}

    def date(self, day: dt.date, pattern: str = "full") -> str:
        """babel's ``format_date``: ``full`` is ``Tuesday, 1 March 2022``."""
        return self._kept(("date", day, pattern), babel_dates.format_date, day, pattern, locale=self.locale)

    def interval(self, first: dt.date, last: dt.date, skeleton: str) -> str:
        """babel's ``format_interval``, e.g. ``1–2 Mar 2022`` for ``yMMMd``."""
        return self._kept(
            ("interval", first, last, skeleton), babel_dates.format_interval, first, last, skeleton, locale=self.locale
        )

    def time(self, moment: dt.time) -> str:
        return self._kept(("time", moment), babel_dates.format_time, moment, "short", locale=self.locale)

    def money(self, cents: int, currency: str) -> str:
        """Cents printed exactly (no float on the way)."""
        return self._kept(("money", cents, currency), _format_money, cents, currency, self.locale)

    def country(self, code: str) -> str:
        return self.locale.territories.get(code, code)

    def _kept(self, key: tuple, function, *args, **kwargs) -> str:
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = function(*args, **kwargs)
        return found


def _format_money(cents: int, currency: str, locale: Locale) -> str:
    return babel_numbers.format_currency(Decimal(cents).scaleb(-2), currency, locale=locale)


class Language:
    """The words (a gettext catalog) and the conventions (a babel locale) of one message."""

    def __init__(self, code: str, translations: gettext.NullTranslations, conventions: Conventions) -> None:
        self.code = code  # the catalog actually used: "ro", or "en" for the English source text
        self.translations = translations
        self.conventions = conventions
        self.locale = conventions.locale

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)

    def date(self, day: dt.date) -> str:
        """``Tuesday, 1 March 2022`` / ``marți, 1 martie 2022``: full, so no one misreads a day."""
        return self.conventions.date(day, "full")

    def short_date(self, day: dt.date) -> str:
        """``1 March 2022`` / ``1 martie 2022``."""
        return self.conventions.date(day, "long")

    def date_range(self, first: dt.date, last: dt.date) -> str:
        """Both days inclusive, each written out in full."""
        if first == last:
            return self.date(first)
        return self.gettext("%(first)s to %(last)s") % {"first": self.date(first), "last": self.date(last)}

    def short_range(self, first: dt.date, last: dt.date) -> str:
        """``1–2 Mar 2022`` / ``1–2 mar. 2022``: for subject lines."""
        if first == last:
            return self.conventions.date(first, "medium")
        return self.conventions.interval(first, last, "yMMMd")

    def time(self, moment: dt.time) -> str:
        return self.conventions.time(moment)

    def money(self, cents: int, currency: str) -> str:
        return self.conventions.money(cents, currency)

    def country(self, code: str) -> str:
        return self.conventions.country(code)


def language_for(context, requested: str | None) -> Language:
    """The language to write to a person whose scenario says ``language = requested``: one object
    per catalog and locale in a render, whoever asks."""
    requested = (requested or SOURCE_LANGUAGE).replace("-", "_")
    return context.memo.get(("scheduler.content.languages", requested), lambda: _language(context, requested))


def conventions_for(context, locale: str | Locale) -> Conventions:
    """The conventions of a babel locale (a name such as ``en_GB``, or a ``Locale``), one per render."""
    name = str(locale)
    return context.memo.get(
        ("scheduler.content.conventions", name),
        lambda: Conventions(Locale.parse(locale) if isinstance(locale, str) else locale),
    )


def locale_option(context) -> str:
    """``--option locale=...`` (en_GB by default), checked against babel's locales."""
    name = context.options.get(LOCALE_OPTION, ENGLISH_CONVENTIONS)
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        raise UsageError(f"--option locale={name}: not a locale babel knows; try en_GB, en_US or fr") from None
    return name


def _language(context, requested: str) -> Language:
    for candidate in _candidates(requested):
        if candidate.split("_")[0] == SOURCE_LANGUAGE:
            return _shared(context, SOURCE_LANGUAGE, _english_locale(requested), None)
        translations = _catalog(context.templates_dir, candidate)
        if translations is not None:
            return _shared(context, candidate, Locale.parse(candidate), translations)
    return _shared(context, SOURCE_LANGUAGE, _english_locale(SOURCE_LANGUAGE), None)


def _shared(context, code: str, locale: Locale, translations: gettext.NullTranslations | None) -> Language:
    """One ``Language`` per catalog and locale: a dozen requested languages without a catalog of
    their own are all English with British conventions."""
    return context.memo.get(
        ("scheduler.content.language", code, str(locale)),
        lambda: Language(code, translations or gettext.NullTranslations(), conventions_for(context, locale)),
    )


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


def _catalog_roots(user_dir: Path | None):
    if user_dir is not None:
        yield Path(user_dir) / "locale"
    yield files("scheduler.templates") / "locale"


def _catalog(user_dir: Path | None, code: str) -> gettext.NullTranslations | None:
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
