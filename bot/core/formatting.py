"""Dates and numbers in the user's language, with Babel.

CLDR has no data for most of Viet Nam's minority languages (``Locale.parse("bru")`` raises), so a
language formats with the registry's ``format_locale`` (Vietnamese for those). With no locale given,
the functions use the one the pipeline set for the current message (see ``bot.core.i18n``). None of
them raises for a locale Babel does not know: it falls back to Vietnamese.
"""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from bot.core.i18n import current_format_locale
from bot.core.languages import SOURCE_LANG

FALLBACK_LOCALE = SOURCE_LANG

Width = Literal["full", "long", "medium", "short"]
Number = int | float | Decimal


def babel_locale(code: str | None = None) -> Locale:
    """The Babel locale for a code (default: the current message's); Vietnamese if CLDR lacks it."""
    return _parse(code or current_format_locale())


@lru_cache(maxsize=64)
def _parse(code: str) -> Locale:
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(FALLBACK_LOCALE)


def format_date(value: date, width: Width = "long", locale: str | None = None) -> str:
    return babel_dates.format_date(value, format=width, locale=babel_locale(locale))


def format_time(
    value: time | datetime,
    width: Width = "short",
    locale: str | None = None,
    zone: tzinfo | None = None,
) -> str:
    return babel_dates.format_time(value, format=width, tzinfo=zone, locale=babel_locale(locale))


def format_datetime(
    value: datetime, width: Width = "medium", locale: str | None = None, zone: tzinfo | None = None
) -> str:
    return babel_dates.format_datetime(
        value, format=width, tzinfo=zone, locale=babel_locale(locale)
    )


def format_number(value: Number, locale: str | None = None) -> str:
    return babel_numbers.format_decimal(value, locale=babel_locale(locale))


def format_percent(value: Number, locale: str | None = None) -> str:
    return babel_numbers.format_percent(value, locale=babel_locale(locale))
