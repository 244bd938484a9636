"""Webhook events already taken (``seen_events``), recorded in groups: one INSERT for all the
events that arrive while the previous one is written.

Each caller awaits its own answer (was this the first time?), so nothing is handled before it is
recorded durably; concurrent events share a transaction instead of paying for one each. The
INSERT skips keys already there (``ON CONFLICT DO NOTHING … RETURNING``), which also settles two
workers taking the same redelivery at once: one of them gets the row.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.models import SeenEventRow

SEEN: Table = SeenEventRow.__table__  # type: ignore[assignment]
BATCH = 500  # keys per INSERT

Waiting = tuple[str, str, datetime, "asyncio.Future[bool]"]


class SqlSeenEvents:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._insert: Any = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        self._waiting: list[Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def first(self, channel: str, key: str, now: datetime) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((channel, key, now, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await future

    async def purge(self, before: datetime) -> int:
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(SEEN).where(SEEN.c.at < before))
        return int(result.rowcount)

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            try:
                fresh = await self._record(batch)
            except Exception as exc:  # the callers decide what a failure means
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for channel, key, _, future in batch:
                first = (channel, key) in fresh
                fresh.discard((channel, key))  # the same key twice in a batch: once first
                if not future.done():
                    future.set_result(first)

    async def _record(self, batch: list[Waiting]) -> set[tuple[str, str]]:
        rows = {(channel, key): at for channel, key, at, _ in batch}
        statement = (
            self._insert(SEEN)
            .values([{"channel": c, "key": k, "at": at} for (c, k), at in rows.items()])
            .on_conflict_do_nothing()
            .returning(SEEN.c.channel, SEEN.c.key)
        )
        async with self.engine.begin() as conn:
            inserted = (await conn.execute(statement)).all()
        return {(str(channel), str(key)) for channel, key in inserted}
