"""A language CLDR lacks (Bru–Vân Kiều), end to end: picked in the picker, its own strings, the
Vietnamese for the rest, dates formatted the Vietnamese way, content falling back with a note.

The bru catalog here holds marked copies of a few English msgids, never Bru text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel import Locale, UnknownLocaleError

from bot.core.formatting import format_date, format_number
from bot.core.i18n import _, use_locale
from bot.core.services import Services
from tests.i18n.conftest import ChatFactory, add_partial, build_services, copy_locales, marked

OWN = ["Who are you? This helps me choose advice that fits you.", "📚 Topics", "Sources: {sources}"]
FALLBACK_NOTE = "This article is not yet available in your language, so here it is in Vietnamese."


@pytest.fixture
def bru_services(tmp_path: Path) -> Services:
    locales = copy_locales(tmp_path / "locales")
    add_partial(locales, "bru", OWN)
    return build_services(locales, beta=True)


def vietnamese(services: Services, msgid: str) -> str:
    with use_locale(services.catalogs, "vi"):
        return _(msgid)


def test_cldr_really_lacks_bru() -> None:
    with pytest.raises(UnknownLocaleError):
        Locale.parse("bru")


async def test_pick_bru_get_its_strings_and_vietnamese_for_the_rest(
    bru_services: Services, make_chat: ChatFactory
) -> None:
    chat = make_chat(bru_services)
    await chat.send("/start")
    label = chat.button("lang:bru").label
    assert label.startswith("Bru (Tiếng Bru – Vân Kiều)")  # endonym first
    assert "thử nghiệm" in label  # below LANG_MIN_COVERAGE: offered as beta (LANG_BETA on)
    await chat.press("lang:bru")
    assert chat.last[0].text == marked("bru", OWN[0])  # its own string
    parent = chat.button("role:parent").label
    assert parent == vietnamese(bru_services, "👪 A parent or carer")  # missing: Vietnamese
    await chat.press("role:parent")
    await chat.press("consent:self")
    assert chat.button("menu:topics").label == marked("bru", "📚 Topics")

    await chat.tap("topic:drowning-prevention")
    article = chat.last[0].text
    assert article.startswith(vietnamese(bru_services, FALLBACK_NOTE))  # told in Vietnamese
    vi_title = bru_services.content.library.articles[("drowning-prevention", "vi")].title
    assert vi_title in article
    assert "«bru:Sources: " in article  # its own string, placeholder filled


def test_dates_and_numbers_borrow_vietnamese_formats(bru_services: Services) -> None:
    day = date(2026, 12, 1)
    with use_locale(bru_services.catalogs, "vi"):
        vi_date, vi_number = format_date(day), format_number(1234567.5)
    with use_locale(bru_services.catalogs, "bru"):
        assert format_date(day) == vi_date == "1 tháng 12, 2026"
        assert format_number(1234567.5) == vi_number == "1.234.567,5"
    assert format_date(day, locale="bru") == vi_date  # an unknown code never raises


def test_languages_with_thin_cldr_data_format_as_the_registry_says(bru_services: Services) -> None:
    day = date(2026, 12, 1)
    catalogs = bru_services.catalogs
    for code in ("hnj", "blt", "pac", "tth", "tyz"):
        with use_locale(catalogs, code):
            assert format_date(day) == "1 tháng 12, 2026", code
    with use_locale(catalogs, "en"):
        assert format_date(day) == "December 1, 2026"
    with use_locale(catalogs, "km"):
        assert format_date(day) == format_date(day, locale="km")


def test_without_beta_a_thin_catalog_is_not_offered(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path / "locales")
    add_partial(locales, "bru", OWN)
    assert "bru" not in build_services(locales).offered_languages()
    assert "bru" in build_services(locales, min_coverage=0.01).offered_languages()
