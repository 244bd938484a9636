"""Telegram's flood limits as waiting: per chat (groups slower) and for the whole bot.

Each limit is a GCRA bucket (the "virtual scheduling" form of a token bucket): a caller reserves
the next free slot at once, without awaiting, so callers are served in the order they asked, then
sleeps until its slot. ``burst`` messages may go back to back before the sustained rate applies.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bot.channels.telegram.config import TelegramConfig

PRUNE_EVERY = 1024


class Bucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.interval = 1.0 / rate
        self.tolerance = (burst - 1) * self.interval
        self.tat = 0.0  # theoretical arrival time of the next message

    def reserve(self, now: float) -> float:
        """Take the next slot; return how long to wait for it."""
        tat = max(self.tat, now)
        delay = max(0.0, tat - self.tolerance - now)
        self.tat = tat + self.interval
        return delay

    def pause(self, now: float, seconds: float) -> None:
        """Nothing before ``now + seconds`` (Telegram said: retry after)."""
        self.tat = max(self.tat, now + seconds + self.tolerance)

    def idle(self, now: float) -> bool:
        return self.tat <= now  # as good as new: can be forgotten


class RateLimiter:
    def __init__(
        self,
        config: TelegramConfig,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.config = config
        self.clock = clock
        self.sleep = sleep
        self.overall = Bucket(config.global_rate, config.global_burst)
        self.chats: dict[int, Bucket] = {}
        self._calls = 0

    def _bucket(self, chat_id: int) -> Bucket:
        bucket = self.chats.get(chat_id)
        if bucket is None:
            group = chat_id < 0  # groups and channels have negative ids
            rate = self.config.group_rate if group else self.config.per_chat_rate
            burst = self.config.group_burst if group else self.config.per_chat_burst
            bucket = self.chats[chat_id] = Bucket(rate, burst)
        return bucket

    async def wait(self, chat_id: int) -> None:
        """Return when one more message to ``chat_id`` keeps within every limit."""
        self._prune()
        delay = self._bucket(chat_id).reserve(self.clock())
        if delay > 0:
            await self.sleep(delay)
        # the overall slot is taken only when the chat's own turn has come, so a chat waiting
        # for its per-chat slot does not hold back everybody else
        delay = self.overall.reserve(self.clock())
        if delay > 0:
            await self.sleep(delay)

    def pause(self, chat_id: int, seconds: float) -> None:
        self._bucket(chat_id).pause(self.clock(), seconds)

    def _prune(self) -> None:
        self._calls += 1
        if self._calls % PRUNE_EVERY:
            return
        now = self.clock()
        for chat_id in [c for c, bucket in self.chats.items() if bucket.idle(now)]:
            del self.chats[chat_id]
