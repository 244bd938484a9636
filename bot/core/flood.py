"""Flood control: a user sending faster than a person types gets one notice, then silence.

The safety check still runs on every message; only the dialog's answers are held back.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from bot.core.messages import UserRef


class FloodGate:
    def __init__(self, limit: int = 20, window: timedelta = timedelta(minutes=1)) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[UserRef, deque[datetime]] = {}

    def check(self, user: UserRef, now: datetime) -> tuple[bool, bool]:
        """(allowed, first_refusal): first_refusal is True once per flood, to send one notice."""
        times = self._seen.setdefault(user, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        times.append(now)
        if len(times) > 4 * self.limit:
            times.popleft()  # bound memory for one abusive user
        if len(times) <= self.limit:
            if len(self._seen) > 10_000:
                self._forget_idle(now)
            return True, False
        return False, len(times) == self.limit + 1

    def _forget_idle(self, now: datetime) -> None:
        for user in [u for u, t in self._seen.items() if not t or now - t[-1] > self.window]:
            del self._seen[user]
