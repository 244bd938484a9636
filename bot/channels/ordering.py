"""Updates handled concurrently across users, one at a time and in arrival order for each user.

The update handlers (Telegram's, Zalo's webhook) only *submit* a job and return, so the polling
loop or the webhook request is never held up by the database; a worker per busy user drains that
user's queue. ``submit``
waits when ``max_pending`` jobs are queued: back-pressure on polling instead of unbounded memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from typing import Any

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class OrderedTasks:
    def __init__(self, max_pending: int = 10_000, channel: str = "") -> None:
        self.channel = channel  # for the log
        self._queues: dict[Hashable, deque[Job]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(max_pending)
        self._idle = asyncio.Event()
        self._idle.set()

    async def submit(self, key: Hashable, job: Job) -> None:
        await self._slots.acquire()  # no await happens while a slot is free: order is kept
        queue = self._queues.get(key)
        if queue is not None:
            queue.append(job)
            return
        self._queues[key] = deque([job])
        self._track(asyncio.create_task(self._drain(key)))

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run something whose order does not matter (answering a button press)."""
        self._track(asyncio.create_task(self._guard(coro)))

    async def join(self) -> None:
        """Wait until every submitted job has finished."""
        await self._idle.wait()

    async def close(self, grace: float) -> None:
        """Let running jobs finish for up to ``grace`` seconds, then cancel the rest."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.join(), grace)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._queues.clear()

    @property
    def busy(self) -> int:
        return len(self._tasks)

    async def _drain(self, key: Hashable) -> None:
        queue = self._queues[key]
        try:
            while queue:
                try:
                    await self._guard(queue[0]())
                finally:
                    queue.popleft()
                    self._slots.release()
        finally:
            del self._queues[key]

    async def _guard(self, work: Awaitable[None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("update handling failed", extra={"channel": self.channel})

    def _track(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self._idle.set()
