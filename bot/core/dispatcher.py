"""Drains the outbox to the push channels: claim a batch, send it, record what happened.

One dispatcher per process (several per PostgreSQL database: rows are claimed with
``FOR UPDATE SKIP LOCKED`` and a lease; SQLite has one process). A claimed row that is never
settled — the process died mid-send — is claimed again when its lease runs out, so a message is
sent twice only if the process died while it was in flight: a send keeps its concurrency slot
until its outcome is committed (outcomes that finish together share one commit), so at most
``concurrency`` messages.

Each recipient's rows go one at a time, oldest first, so a conversation keeps its order; different
recipients are sent concurrently, and each channel's own rate limiter paces them. Failed sends are
retried with exponential backoff and jitter (or after the channel's ``retry_after``) up to
``max_attempts``, then kept as dead letters. The backoff is computed here rather than with a
retry library: the waiting happens in the database between attempts, not in a loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Protocol

from bot.core.messages import UserRef
from bot.core.observe import NoObserver, Observer
from bot.core.outbox import UNSOLICITED, Delivery, Envelope, OutboxQueue, Result, Status
from bot.core.ports import Clock

log = logging.getLogger(__name__)


class Sender(Protocol):
    """What a push channel offers the dispatcher."""

    async def deliver(self, envelope: Envelope) -> Delivery: ...


@dataclass(frozen=True)
class DispatchOptions:
    batch: int = 200
    concurrency: int = 64  # envelopes in flight at once, across recipients
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    backoff_base: float = 2.0  # seconds before the second attempt; doubles each time
    backoff_max: float = 600.0
    poll: float = 1.0  # seconds between looks when nothing woke us (other processes' rows)


def backoff(attempts: int, options: DispatchOptions, retry_after: float | None = None) -> float:
    """Seconds to wait before the next attempt: the channel's word, else exponential + jitter."""
    if retry_after is not None:
        return max(0.0, retry_after)
    ceiling = min(options.backoff_max, options.backoff_base * 2.0 ** max(0, attempts - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


class Dispatcher:
    def __init__(
        self,
        queue: OutboxQueue,
        senders: Mapping[str, Sender],
        clock: Clock,
        worker: str,
        options: DispatchOptions | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.queue = queue
        self.senders = dict(senders)
        self.clock = clock
        self.worker = worker
        self.options = options or DispatchOptions()
        self.observer: Observer = observer or NoObserver()
        self._wake = asyncio.Event()
        self._stopping = False
        self._slots = asyncio.Semaphore(self.options.concurrency)
        # recipients who opted out while their rows may be claimed here: skipped at send time
        self._withdrawn: dict[UserRef, float] = {}
        self._settling: list[tuple[Envelope, Status, Delivery, asyncio.Future[None]]] = []
        self._unfinished = 0  # claimed envelopes not yet sent and settled
        self._progress = asyncio.Event()
        self._settler: asyncio.Task[None] | None = None

    def withdraw(self, recipients: Sequence[UserRef]) -> None:
        """These recipients opted out: their unsolicited envelopes in hand are not sent."""
        until = time.monotonic() + self.options.lease.total_seconds()
        for recipient in recipients:
            self._withdrawn[recipient] = until

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Until ``stop()``: drain, then wait for a wake-up or the poll interval.

        The next batch is claimed as soon as the one in hand is down to its last
        ``concurrency`` sends, so the channel is never idle while a batch's stragglers finish;
        at most a batch and ``concurrency`` envelopes are claimed and waiting at any time."""
        await self.queue.recover(self.clock.now())
        batches: set[asyncio.Task[int]] = set()
        while not self._stopping:
            try:
                envelopes = await self._claim()
            except Exception:
                log.exception("outbox dispatch failed; retrying shortly")
                envelopes = []
            if envelopes:
                batch = asyncio.create_task(self._deliver_all(envelopes))
                batches.add(batch)
                batch.add_done_callback(partial(_finished, batches))
                await self._until_nearly_done(batch)
                continue
            if self._stopping:
                break
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.options.poll)
        if batches:
            await asyncio.gather(*batches, return_exceptions=True)

    async def _until_nearly_done(self, batch: asyncio.Task[int]) -> None:
        while not batch.done() and self._unfinished > self.options.concurrency:
            self._progress.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._progress.wait(), self.options.poll)

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def drain_once(self) -> int:
        """Claim one batch and send it; the number of envelopes handled."""
        return await self._deliver_all(await self._claim())

    async def _claim(self) -> list[Envelope]:
        if not self.senders:
            return []
        return await self.queue.claim(
            list(self.senders),
            self.options.batch,
            self.worker,
            self.clock.now(),
            self.options.lease,
        )

    async def _deliver_all(self, envelopes: list[Envelope]) -> int:
        if not envelopes:
            return 0
        self._forget_withdrawn()
        self._unfinished += len(envelopes)
        await asyncio.gather(*(self._send(envelope) for envelope in envelopes))
        return len(envelopes)

    async def _send(self, envelope: Envelope) -> None:
        # the slot is held until the outcome is on disk: after a crash at most ``concurrency``
        # messages can have gone out without being recorded (and go again after the restart)
        try:
            async with self._slots:
                status, delivery = await self._attempt(envelope)
                if status is not Status.PENDING:
                    await self._record(envelope, status, delivery)
        finally:
            self._unfinished -= 1
            self._progress.set()

    async def _attempt(self, envelope: Envelope) -> tuple[Status, Delivery]:
        if envelope.priority >= UNSOLICITED and envelope.to in self._withdrawn:
            return Status.CANCELLED, Delivery(Result.REJECTED, error="opted-out")
        try:
            delivery = await self.senders[envelope.to.channel].deliver(envelope)
        except Exception:
            log.exception("send failed", extra={"channel": envelope.to.channel})
            delivery = Delivery(Result.RETRY, error="exception")
        self.observer.delivery(envelope.to.channel, delivery.result.value, delivery.error)
        status = _status(delivery.result)
        if status is Status.PENDING:
            if envelope.attempts >= self.options.max_attempts:
                log.error(
                    "outbox message dead after %d attempts (%s)",
                    envelope.attempts,
                    delivery.error,
                    extra={"channel": envelope.to.channel, "kind": envelope.kind},
                )
                return Status.DEAD, delivery
            wait = backoff(envelope.attempts, self.options, delivery.retry_after)
            await self.queue.retry(
                envelope, self.clock.now() + timedelta(seconds=wait), delivery.error
            )
        return status, delivery

    async def _record(self, envelope: Envelope, status: Status, delivery: Delivery) -> None:
        """Settle an outcome with whatever else finished meanwhile (a group commit)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._settling.append((envelope, status, delivery, done))
        if self._settler is None or self._settler.done():
            self._settler = asyncio.create_task(self._settle_waiting())
        await done

    async def _settle_waiting(self) -> None:
        while self._settling:
            batch, self._settling = self._settling, []
            outcomes = [(e, s, d.error) for e, s, d, _done in batch]
            refs = {e.id: d.ref for e, s, d, _done in batch if s is Status.SENT and d.ref}
            try:
                await self.queue.settle(outcomes, self.clock.now(), refs)
            except Exception as exc:  # the rows stay claimed: their lease runs out
                for *_rest, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for *_rest, done in batch:
                if not done.done():
                    done.set_result(None)

    def _forget_withdrawn(self) -> None:
        if self._withdrawn:
            now = time.monotonic()
            for recipient in [r for r, until in self._withdrawn.items() if until < now]:
                del self._withdrawn[recipient]


def _finished(batches: set[asyncio.Task[int]], batch: asyncio.Task[int]) -> None:
    batches.discard(batch)
    if not batch.cancelled() and batch.exception() is not None:
        log.error(
            "outbox dispatch failed; the claims run out and are retried", exc_info=batch.exception()
        )


def _status(result: Result) -> Status:
    return {
        Result.SENT: Status.SENT,
        Result.RETRY: Status.PENDING,
        Result.UNREACHABLE: Status.UNREACHABLE,
        Result.OUTSIDE_WINDOW: Status.OUTSIDE_WINDOW,
        Result.REJECTED: Status.DEAD,
    }[result]


class LocalSignal:
    """In-process wake-ups: the dispatcher for push channels, waiters per recipient for pulls.

    Other processes' rows are found by polling (``DispatchOptions.poll``); with Redis the same
    interface can fan out across workers.
    """

    def __init__(self) -> None:
        self._dispatchers: list[Dispatcher] = []
        self._waiters: dict[UserRef, set[asyncio.Event]] = {}

    def attach(self, dispatcher: Dispatcher) -> None:
        self._dispatchers.append(dispatcher)

    def notify(self, recipients: Sequence[UserRef]) -> None:
        for dispatcher in self._dispatchers:
            dispatcher.wake()

    def withdrawn(self, recipients: Sequence[UserRef]) -> None:
        for dispatcher in self._dispatchers:
            dispatcher.withdraw(recipients)
        for recipient in recipients:
            for event in self._waiters.get(recipient, ()):
                event.set()

    @contextlib.contextmanager
    def waiter(self, recipient: UserRef) -> Iterator[asyncio.Event]:
        event = asyncio.Event()
        self._waiters.setdefault(recipient, set()).add(event)
        try:
            yield event
        finally:
            waiting = self._waiters.get(recipient)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._waiters[recipient]
