"""Quiet hours: no unsolicited message (a tip, a campaign) is delivered at night; it waits.

One setting for the whole deployment (``CAMPAIGNS_QUIET_HOURS``, default 21:00-07:00 in
``TIMEZONE``): a province's users share one time zone. Messages to someone who wrote, and case
messages, are never held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.hours import Hours
from bot.core.outbox import UNSOLICITED, Priority


@dataclass(frozen=True)
class QuietHours:
    hours: Hours | None  # None: never quiet
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))

    def held_from(self, now: datetime) -> Priority | None:
        """The priority from which rows wait now (None: nothing waits)."""
        if self.hours is None or not self.hours.contains(now.astimezone(self.zone)):
            return None
        return UNSOLICITED

    def quiet(self, now: datetime) -> bool:
        return self.held_from(now) is not None


NEVER = QuietHours(None)
