"""Languages (``scheduler.content.languages``): a catalog where one exists, else English; dates and
money in the conventions of the words; one object per catalog and locale in a render."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from scheduler.content.languages import conventions_for, language_for, locale_option
from scheduler.errors import UsageError
from scheduler.render.memo import RenderMemo

MARCH_1 = dt.date(2022, 3, 1)


def a_render(templates_dir=None, **options):
    return SimpleNamespace(templates_dir=templates_dir, memo=RenderMemo(), options=options)


def test_a_language_with_a_catalog_writes_its_words_and_its_dates():
    romanian = language_for(a_render(), "ro")
    assert romanian.code == "ro" and romanian.gettext("Travel") != "Travel"
    assert romanian.date(MARCH_1) == "marți, 1 martie 2022"
    assert (
        romanian.date_range(MARCH_1, MARCH_1 + dt.timedelta(days=1)) == "marți, 1 martie 2022 – miercuri, 2 martie 2022"
    )


def test_a_regional_code_uses_its_languages_catalog_and_without_one_english():
    context = a_render()
    assert language_for(context, "ro-MD").code == "ro"
    georgian = language_for(context, "ka")
    assert georgian.code == "en" and georgian.date(MARCH_1) == "Tuesday, 1 March 2022"
    assert georgian.money(123450, "EUR") == "€1,234.50"
    assert language_for(context, "en_US").date(MARCH_1) == "Tuesday, March 1, 2022"


def test_one_language_per_catalog_and_locale_in_a_render_and_none_shared_between_renders():
    context = a_render()
    english = language_for(context, "en")
    assert language_for(context, "ka") is english and language_for(context, None) is english
    assert language_for(context, "en_US") is not english
    assert language_for(a_render(), "en") is not english
    assert english.conventions is conventions_for(context, "en_GB")


def test_a_users_catalog_comes_before_the_built_in_one(tmp_path):
    catalog = Catalog(locale="ro", domain="scheduler")
    catalog.add("Travel", "Drumul")
    (tmp_path / "locale" / "ro" / "LC_MESSAGES").mkdir(parents=True)
    with (tmp_path / "locale" / "ro" / "LC_MESSAGES" / "scheduler.mo").open("wb") as stream:
        write_mo(stream, catalog)
    romanian = language_for(a_render(tmp_path), "ro")
    assert romanian.gettext("Travel") == "Drumul"
    assert romanian.gettext("Where") == language_for(a_render(), "ro").gettext("Where") != "Where"


def test_conventions_write_dates_intervals_times_money_and_countries():
    british = conventions_for(a_render(), "en_GB")
    assert british.date(MARCH_1, "EEE d MMM") == "Tue 1 Mar"
    assert british.interval(MARCH_1, MARCH_1 + dt.timedelta(days=1), "yMMMd") == "1\u2009–\u20092 Mar 2022"
    assert british.time(dt.time(9, 30)) == "09:30"
    assert british.money(5, "EUR") == "€0.05" and british.country("MD") == "Moldova"


def test_the_locale_option_is_checked():
    assert locale_option(a_render()) == "en_GB"
    assert locale_option(a_render(locale="fr")) == "fr"
    with pytest.raises(UsageError, match="locale=xx_QQ"):
        locale_option(a_render(locale="xx_QQ"))
