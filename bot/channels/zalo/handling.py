"""What happens to each webhook event once it is queued for its user (see ``ordering``).

First the event is recorded as seen (durably: ``SeenEvents``); a redelivery — Zalo sending again
an event we already took, maybe before a restart — stops there. Then:

- a message: the pipeline's turn, and its replies through the sender (writing means the user can
  be reached again);
- ``follow``: reachable again, and the greeting and onboarding ("/start");
- ``unfollow``: unreachable (nothing more is sent, campaigns included, until they come back);
- anything else: logged by name, ignored.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from bot.channels.ordering import OrderedTasks
from bot.channels.ports import SeenEvents
from bot.channels.zalo.adapter import CHANNEL, Kind, ZaloEvent
from bot.channels.zalo.sender import ZaloSender
from bot.core.messages import Inbound
from bot.core.pipeline import Pipeline

log = logging.getLogger(__name__)

Observer = Callable[[float], None]  # seconds per event: queued → its last reply sent
MAX_CONCURRENCY = 4  # turns in the core at once: more only adds database contention (see Telegram)


class Events:
    def __init__(
        self,
        pipeline: Pipeline,
        sender: ZaloSender,
        seen: SeenEvents,
        tasks: OrderedTasks,
        observer: Observer | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.sender = sender
        self.seen = seen
        self.tasks = tasks
        self.observer = observer
        self.core = asyncio.Semaphore(MAX_CONCURRENCY)  # sending is not limited by this

    async def submit(self, event: ZaloEvent) -> None:
        if event.kind is Kind.IGNORED or event.user is None:
            log.info("zalo event ignored", extra={"channel": CHANNEL, "kind": event.name})
            return
        queued = time.perf_counter()
        await self.tasks.submit(event.user, lambda: self._handle(event, queued))

    async def _handle(self, event: ZaloEvent, queued: float) -> None:
        if not await self._first(event):
            log.info("zalo event redelivered: dropped", extra={"channel": CHANNEL})
            return
        assert event.user is not None  # checked by submit
        if event.kind is Kind.UNFOLLOW:
            self.sender.unreachable.add(event.user.external_id)
            await self.pipeline.mark_reachable(event.user, False)
            log.info("reachability changed", extra={"channel": CHANNEL, "kind": "unfollow"})
            return
        if event.kind is Kind.FOLLOW:
            self.sender.reachable_again(event.user)
            await self.pipeline.mark_reachable(event.user, True)
        if event.inbound is not None:
            await self._turn(event.inbound)
        if self.observer is not None:
            self.observer(time.perf_counter() - queued)

    async def _turn(self, inbound: Inbound) -> None:
        if self.sender.reachable_again(inbound.user):
            await self.pipeline.mark_reachable(inbound.user, True)  # writing means reachable
        async with self.core:
            replies = await self.pipeline.handle(inbound)
        await self.sender.send(inbound.user, replies)

    async def _first(self, event: ZaloEvent) -> bool:
        """Recorded now for the first time? If the database cannot say, handle it: answering
        twice is better than never answering a child."""
        try:
            return await self.seen.first(CHANNEL, event.key, self.pipeline.clock.now())
        except Exception:
            log.exception("zalo event could not be recorded as seen", extra={"channel": CHANNEL})
            return True
