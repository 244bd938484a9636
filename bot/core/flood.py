"""Flood control: a user sending faster than a person types gets one notice, then silence.

The safety check still runs on every message; only the dialog's answers are held back.

Counting is per fixed window (a minute by default) in a :class:`Counter`: this process's memory
(:class:`LocalCounter`), or Redis when several workers share the users (``REDIS_URL``:
``bot.storage.redis_counter``), so a user cannot multiply the limit by the number of workers.
A fixed window lets at most twice the limit through around a window's edge; it costs one
atomic INCR per message.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.messages import UserRef

MAX_KEYS = 100_000  # LocalCounter: windows remembered before the old ones are dropped


class Counter(Protocol):
    async def hit(self, key: str, window: timedelta, now: datetime) -> int:
        """Count one more for ``key`` in the window holding ``now``; the count so far in it."""
        ...


def window_of(now: datetime, window: timedelta) -> int:
    """The fixed window holding ``now`` (windows are aligned to the epoch)."""
    return int(now.timestamp() // window.total_seconds())


class LocalCounter:
    """Windows counted in this process."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}

    async def hit(self, key: str, window: timedelta, now: datetime) -> int:
        return self.hit_now(key, window, now)

    def hit_now(self, key: str, window: timedelta, now: datetime) -> int:
        slot = (key, window_of(now, window))
        count = self._counts.get(slot, 0) + 1
        self._counts[slot] = count
        if len(self._counts) > MAX_KEYS:
            self._forget_before(now, window)
        return count

    def _forget_before(self, now: datetime, window: timedelta) -> None:
        current = window_of(now, window)
        for slot in [slot for slot in self._counts if slot[1] < current]:
            del self._counts[slot]
        if len(self._counts) > MAX_KEYS:  # one window with too many keys: start it again
            self._counts.clear()


def user_key(user: UserRef) -> str:
    """Hashed: external ids are personal data and must not sit in Redis in clear."""
    return hashlib.sha256(str(user).encode()).hexdigest()[:32]


class FloodGate:
    def __init__(
        self,
        limit: int = 20,
        window: timedelta = timedelta(minutes=1),
        counter: Counter | None = None,
    ) -> None:
        self.limit = limit
        self.window = window
        self.counter: Counter = counter or LocalCounter()

    async def check(self, user: UserRef, now: datetime) -> tuple[bool, bool]:
        """(allowed, first_refusal): first_refusal is True once per flood, to send one notice."""
        count = await self.counter.hit("flood:" + user_key(user), self.window, now)
        if count <= self.limit:
            return True, False
        return False, count == self.limit + 1
