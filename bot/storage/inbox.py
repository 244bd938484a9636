"""Webhook events kept until handled (``seen_events`` rows with a ``payload``): Telegram's inbox.

Telegram sends an update again when it got no 200 for it, and never again once it did. So the
webhook answers 200 only after :meth:`SqlInbox.keep` has committed the update (its key and its
body) and the channel handles it afterwards; :meth:`SqlInbox.done` then empties the body and keeps
the key, so a redelivery of a handled update stops at ``keep`` (False), across restarts and
workers (the primary key decides a race between two workers).

A worker killed between the 200 and ``done`` leaves the body in the table: every worker claims
bodies older than the lease (``claim``: one UPDATE moves their time forward, so two workers never
claim the same one) and handles them. What can happen twice is bounded: an update whose turn was
committed but whose ``done`` was not (the updates in hand when the process died).

The body holds the message text for the seconds between the 200 and the end of the turn only;
``done`` deletes it. Concurrent ``keep`` and ``done`` calls share one statement (a group commit),
so a burst costs one round trip per batch, not per update.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Table, and_, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.models import SeenEventRow

SEEN: Table = SeenEventRow.__table__  # type: ignore[assignment]
BATCH = 500

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """Callers wait for one statement written for everyone who arrived while the last ran."""

    def __init__(self, write: Callable[[list[Item]], Awaitable[list[Result]]]) -> None:
        self._write = write
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._task: asyncio.Task[None] | None = None

    async def __call__(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            try:
                results = await self._write([item for item, _ in batch])
            except Exception as exc:  # each caller decides what a failure means
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def close(self) -> None:
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task


Kept = tuple[str, str, bytes, datetime]  # channel, key, body, received


class SqlInbox:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._insert: Any = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        self._keep: GroupCommit[Kept, bool] = GroupCommit(self._keep_all)
        self._done: GroupCommit[tuple[str, str], None] = GroupCommit(self._done_all)

    async def keep(self, channel: str, key: str, payload: bytes, now: datetime) -> bool:
        """Commit the event; True when it is new, False for a redelivery of one already kept."""
        return await self._keep((channel, key, payload, now))

    async def done(self, channel: str, key: str) -> None:
        """Handled: the body is deleted, the key stays (a redelivery is then dropped)."""
        await self._done((channel, key))

    async def claim(
        self, channel: str, before: datetime, now: datetime, limit: int = 100
    ) -> list[tuple[str, bytes]]:
        """Bodies kept before ``before`` and never handled (their worker died), claimed for this
        worker: their time becomes ``now``, so no other worker takes them within the lease."""
        async with self.engine.begin() as conn:
            keys = (
                (
                    await conn.execute(
                        select(SEEN.c.key)
                        .where(
                            SEEN.c.channel == channel,
                            SEEN.c.payload.is_not(None),
                            SEEN.c.at < before,
                        )
                        .order_by(SEEN.c.at)
                        .limit(limit)
                    )
                )
                .scalars()
                .all()
            )
            if not keys:
                return []
            claimed = await conn.execute(
                update(SEEN)
                .where(
                    SEEN.c.channel == channel,
                    SEEN.c.key.in_(keys),
                    SEEN.c.payload.is_not(None),
                    SEEN.c.at < before,  # re-checked under the row lock: one claimer wins
                )
                .values(at=now)
                .returning(SEEN.c.key, SEEN.c.payload)
            )
            rows = [(str(key), bytes(payload)) for key, payload in claimed.all()]
        return sorted(rows, key=lambda row: keys.index(row[0]))

    async def purge(self, channel: str, before: datetime) -> int:
        """Forget the keys of handled events older than any redelivery."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                delete(SEEN).where(
                    and_(SEEN.c.channel == channel, SEEN.c.payload.is_(None), SEEN.c.at < before)
                )
            )
        return int(result.rowcount)

    async def close(self) -> None:
        await self._keep.close()
        await self._done.close()

    async def _keep_all(self, items: list[Kept]) -> list[bool]:
        rows = {(c, k): {"channel": c, "key": k, "payload": p, "at": at} for c, k, p, at in items}
        statement = (
            self._insert(SEEN)
            .values(list(rows.values()))
            .on_conflict_do_nothing()
            .returning(SEEN.c.channel, SEEN.c.key)
        )
        async with self.engine.begin() as conn:
            fresh = {(str(c), str(k)) for c, k in (await conn.execute(statement)).all()}
        results = []
        for channel, key, _, _ in items:
            results.append((channel, key) in fresh)
            fresh.discard((channel, key))  # the same key twice in a batch: new once
        return results

    async def _done_all(self, items: list[tuple[str, str]]) -> list[None]:
        by_channel: dict[str, list[str]] = {}
        for channel, key in items:
            by_channel.setdefault(channel, []).append(key)
        async with self.engine.begin() as conn:
            for channel, keys in by_channel.items():
                await conn.execute(
                    update(SEEN)
                    .where(SEEN.c.channel == channel, SEEN.c.key.in_(keys))
                    .values(payload=None)
                )
        return [None] * len(items)
