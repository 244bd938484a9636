"""The OA's send rate, shared by replies and outbox traffic, served by priority.

One GCRA bucket (``rate`` messages a second, ``burst`` back to back) for the whole Official
Account. While the bucket has room a caller goes at once; when it has none, callers wait in a
priority queue and each free slot goes to the most urgent: a reply to a user's own message
(``REPLY``) before a case message (``Priority.CASE``) before a campaign (``Priority.BROADCAST``),
first come first served within a priority. So a campaign of thousands never delays the answer to
someone who just wrote. ``pause`` holds everybody back after Zalo's rate-limit error (-32).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Awaitable, Callable

from bot.channels.ports import SharedRate

REPLY = -1  # the priority of a reply to the user's own message: before any outbox message


class PriorityLimiter:
    def __init__(
        self,
        rate: float,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        shared: SharedRate | None = None,
        shared_key: str = "zalo",
    ) -> None:
        self.rate = rate
        self.shared = shared  # the OA's rate across every process (Redis), after this one's
        self.shared_key = shared_key
        self.interval = 1.0 / rate
        self.tolerance = (max(1, burst) - 1) * self.interval
        self.clock = clock
        self.sleep = sleep
        self.tat = 0.0  # theoretical arrival time of the next message
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._server: asyncio.Task[None] | None = None

    async def wait(self, priority: int) -> None:
        """Return when one more message may go; the most urgent waiter goes first."""
        await self._here(priority)
        if self.shared is not None:
            delay = await self.shared.reserve(self.shared_key, self.rate)
            if delay > 0:
                await self.sleep(delay)

    async def _here(self, priority: int) -> None:
        now = self.clock()
        if not self._waiting and self._free(now):
            self._take(now)
            return
        slot: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), slot))
        if self._server is None or self._server.done():
            self._server = asyncio.create_task(self._serve())
        await slot

    def pause(self, seconds: float) -> None:
        """Nothing goes for ``seconds`` (Zalo said: too many requests)."""
        self.tat = max(self.tat, self.clock() + seconds + self.tolerance)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def _free(self, now: float) -> bool:
        return self.tat - self.tolerance <= now

    def _take(self, now: float) -> None:
        self.tat = max(self.tat, now) + self.interval

    async def _serve(self) -> None:
        while self._waiting:
            now = self.clock()
            if not self._free(now):
                await self.sleep(self.tat - self.tolerance - now)
                continue  # a pause, or a more urgent waiter, may have come meanwhile
            _, _, slot = heapq.heappop(self._waiting)
            if not slot.done():  # a waiter that gave up (cancelled) takes no slot
                self._take(now)
                slot.set_result(None)
