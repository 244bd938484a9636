"""Webhook events already taken (``seen_events``), so a redelivery is handled once.

Two ways to record them, chosen like the store (``bot.app.store_factory``):

- **Several workers** (``delay=0``): each event is INSERTed before it is handled, and concurrent
  events share the statement (``INSERT … ON CONFLICT DO NOTHING … RETURNING`` for all the events
  that arrived while the previous one was written). The database decides when two workers take the
  same redelivery at once: one of them gets the row.
- **One process** (``delay>0``, the default): the process remembers the events it took (and, the
  first time a channel asks, the ones already in the table: the upkeep keeps it to the
  redelivery horizon), so an event is checked without a query; the new rows are written in one
  INSERT every ``delay`` seconds, like the profile saves of the cached store. Only when the table
  holds more than ``REMEMBERED`` keys is an event not remembered looked up there. An INSERT in the event's path waited for SQLite's write lock behind those
  batches: 3.7 ms at the median and 92 ms at p99 at 50 events/s (bench/bench_zalo.py). What a
  crash can lose is the last ``delay`` seconds of records; Zalo redelivers only an event it got
  no 200 for, and every event here was answered 200 before it was recorded, so losing them
  matters only if Zalo also lost our answer in that moment. ``close()`` writes what is waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.models import SeenEventRow

log = logging.getLogger(__name__)

SEEN: Table = SeenEventRow.__table__  # type: ignore[assignment]
BATCH = 500  # keys per INSERT
REMEMBERED = 50_000  # keys kept in memory (one process): days of a province's traffic

Key = tuple[str, str]
Waiting = tuple[str, str, datetime, "asyncio.Future[bool]"]
_KNOWN = select(SEEN.c.key).where(
    SEEN.c.channel == bindparam("channel"), SEEN.c.key == bindparam("key")
)
_NEWEST = (
    select(SEEN.c.key)
    .where(SEEN.c.channel == bindparam("channel"))
    .order_by(SEEN.c.at.desc())
    .limit(REMEMBERED)
)


class SqlSeenEvents:
    def __init__(self, engine: AsyncEngine, delay: float = 0.0) -> None:
        self.engine = engine
        self.delay = delay
        self._insert: Any = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        self._waiting: list[Waiting] = []  # delay=0: callers waiting for their INSERT
        self._writer: asyncio.Task[None] | None = None
        # delay>0: the keys remembered (oldest first), and per channel whether they are all
        # its keys in the table (then a key not remembered is new without looking)
        self._taken: OrderedDict[Key, None] = OrderedDict()
        self._complete: dict[str, bool] = {}
        self._loading: dict[str, asyncio.Task[None]] = {}
        self._unwritten: dict[Key, datetime] = {}  # delay>0: taken, not yet in the table

    async def first(self, channel: str, key: str, now: datetime) -> bool:
        if self.delay:
            return await self._first_here(channel, key, now)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((channel, key, now, future))
        self._start_writer()
        return await future

    async def purge(self, before: datetime) -> int:
        async with self.engine.begin() as conn:
            # a kept, unhandled event (Telegram's inbox, bot/storage/inbox.py) is never purged
            result = await conn.execute(
                delete(SEEN).where(SEEN.c.at < before, SEEN.c.payload.is_(None))
            )
        return int(result.rowcount)

    async def close(self) -> None:
        """Write what is waiting (one process)."""
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        if self._unwritten:
            await self._write_taken()

    # ---- one process: remembered here, looked up, written in batches ---------------------

    async def _first_here(self, channel: str, key: str, now: datetime) -> bool:
        if (channel, key) in self._taken:
            return False
        if channel not in self._complete:
            await self._remember(channel)
        known = False
        if not self._complete[channel]:  # more in the table than remembered here: look
            async with self.engine.connect() as conn:
                found = await conn.execute(_KNOWN, {"channel": channel, "key": key})
                known = found.first() is not None
        if (channel, key) in self._taken:  # the same event, taken while we waited
            return False
        self._take((channel, key))
        if known:
            return False
        self._unwritten[(channel, key)] = now
        self._start_writer()
        return True

    async def _remember(self, channel: str) -> None:
        """Load the channel's keys from the table, once (concurrent callers wait for it)."""
        loading = self._loading.get(channel)
        if loading is None:
            loading = self._loading[channel] = asyncio.create_task(self._load(channel))
        try:
            await asyncio.shield(loading)
        except Exception:
            self._loading.pop(channel, None)  # the next event tries again
            raise

    async def _load(self, channel: str) -> None:
        async with self.engine.connect() as conn:
            keys = (await conn.execute(_NEWEST, {"channel": channel})).scalars().all()
        for key in keys:  # newest first: each goes before the ones already here
            self._taken[(channel, key)] = None
            self._taken.move_to_end((channel, key), last=False)
        self._complete[channel] = len(keys) < REMEMBERED

    def _take(self, key: Key) -> None:
        self._taken[key] = None
        if len(self._taken) > REMEMBERED:
            self._taken.popitem(last=False)
            self._complete = dict.fromkeys(self._complete, False)  # some keys are forgotten

    async def _write_later(self) -> None:
        while self._unwritten:
            await asyncio.sleep(self.delay)
            try:
                await self._write_taken()
            except Exception:  # kept, and tried again: the database may be back next time
                log.exception("seen events not written; retrying")

    async def _write_taken(self) -> None:
        rows = list(self._unwritten.items())[:BATCH]
        await self._record(rows)
        for key, _ in rows:
            self._unwritten.pop(key, None)

    # ---- several workers: written before the event is handled ----------------------------

    async def _write_now(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            try:
                fresh = await self._record([((c, k), at) for c, k, at, _ in batch])
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

    def _start_writer(self) -> None:
        if self._writer is None or self._writer.done():
            work = self._write_later() if self.delay else self._write_now()
            self._writer = asyncio.create_task(work)

    async def _record(self, rows: list[tuple[Key, datetime]]) -> set[Key]:
        """INSERT the rows that are not there yet; the keys that were new."""
        values = {key: at for key, at in rows}
        statement = (
            self._insert(SEEN)
            .values([{"channel": c, "key": k, "at": at} for (c, k), at in values.items()])
            .on_conflict_do_nothing()
            .returning(SEEN.c.channel, SEEN.c.key)
        )
        async with self.engine.begin() as conn:
            inserted = (await conn.execute(statement)).all()
        return {(str(channel), str(key)) for channel, key in inserted}
