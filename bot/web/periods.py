"""The period a report page shows, from its ``from`` and ``to`` query parameters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from bot.core.reports import Period


def period_from(query: Mapping[str, str], today: date, default_days: int) -> tuple[Period, str]:
    """The asked period, or the last ``default_days`` with a reason when it is malformed."""
    default = Period(today - timedelta(days=default_days - 1), today)
    start, end = query.get("from", ""), query.get("to", "")
    if not start and not end:
        return default, ""
    try:
        return Period(date.fromisoformat(start), date.fromisoformat(end)), ""
    except ValueError:
        return default, "Give the period as two dates (YYYY-MM-DD), the first not after the second."
