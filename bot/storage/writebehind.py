"""Routine writes, batched: profile saves and analytics rows go to the database a moment later,
many turns in one transaction.

A turn's unit of work used to cost 3-6 statements and a commit; most of what it writes (the
dialog state, an analytics event, an unanswered question) does not need to be on disk before the
reply goes out. Those writes wait here for up to ``delay`` seconds and are then written together:
one UPDATE ... executemany for every profile saved meanwhile, one INSERT ... executemany per table.

What a crash can lose: the last ``delay`` seconds of such writes (a shutdown flushes them).
What never waits here: safety cases, case messages, feedback, /forget, blocked/unblocked, and a
profile change the bot confirms to the user (consent, language, subscriptions, /stop…: see
``cached.ACKNOWLEDGED``) — the store writes those, and everything the same turn saved, before
the reply (see ``cached.py``).

Profile writes carry ``users.version``: a write lands only if it is newer than the row, so a late
batch can never undo a newer save, and an UPDATE never re-creates a user who asked to be
forgotten. A batch that fails stays queued and is retried (database down, table locked); if the
database refuses a write in it (a constraint, a value the driver cannot encode: ``refused``), the
batch is written one by one and only the refused write is set aside: logged without content and
counted (``dropped``), so one bad row never holds back everyone else's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.messages import UserRef
from bot.storage.models import UserRow

log = logging.getLogger(__name__)

USERS: Table = UserRow.__table__  # type: ignore[assignment]
MAX_BACKOFF = 10.0


class BufferFull(RuntimeError):
    """Too many writes are waiting and the database does not take them: the turn must fail."""


@dataclass(frozen=True)
class ProfileWrite:
    ref: UserRef
    values: dict[str, Any]  # users columns, "version" included

    @property
    def version(self) -> int:
        return int(self.values["version"])


@dataclass(frozen=True)
class RowInsert:
    table: Table
    values: dict[str, Any]


def _profile_update(columns: Iterable[str]) -> Any:
    return (
        update(USERS)
        .where(
            USERS.c.channel == bindparam("b_channel"),
            USERS.c.external_id == bindparam("b_external_id"),
            USERS.c.version < bindparam("b_version"),
        )
        .values({column: bindparam(column) for column in columns})
    )


async def apply(
    conn: AsyncConnection, profiles: Sequence[ProfileWrite], inserts: Sequence[RowInsert]
) -> None:
    """Write a batch on ``conn`` (the caller owns the transaction)."""
    if profiles:
        params = [
            {
                **p.values,
                "b_channel": p.ref.channel,
                "b_external_id": p.ref.external_id,
                "b_version": p.version,
            }
            for p in profiles
        ]
        await conn.execute(_profile_update(profiles[0].values), params)
    by_table: dict[Table, list[dict[str, Any]]] = {}
    for row in inserts:
        by_table.setdefault(row.table, []).append(row.values)
    for table, rows in by_table.items():
        await conn.execute(table.insert(), rows)


# SQLSTATE classes of a refused value: 22 data exception (a NUL in text, a value out of range,
# an encoding), 23 integrity constraint violation
REFUSED_SQLSTATES = ("22", "23")


def refused(exc: BaseException) -> bool:
    """True when the database (or its driver) refuses the values written — writing them again
    can never succeed — rather than being unreachable, locked or missing a table, which a retry
    outlives. A lone surrogate fails in the driver as a UnicodeEncodeError (SQLite) or as an
    asyncpg DataError wrapping one (PostgreSQL)."""
    seen: BaseException | None = exc
    for _ in range(8):  # the cause chain: SQLAlchemy's error, the driver's, Python's
        if seen is None:
            return False
        if isinstance(seen, IntegrityError | DataError | ValueError | TypeError | OverflowError):
            return True  # UnicodeEncodeError is a ValueError
        if str(getattr(seen, "sqlstate", "") or "")[:2] in REFUSED_SQLSTATES:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class WriteBehind:
    """The queue of routine writes and the task that flushes it."""

    def __init__(
        self,
        engine: AsyncEngine,
        delay: float = 0.2,
        max_batch: int = 500,
        max_pending: int = 50_000,
    ) -> None:
        self.engine = engine
        self.delay = delay
        self.max_batch = max_batch
        self.max_pending = max_pending
        self._profiles: dict[UserRef, ProfileWrite] = {}
        self._inserts: list[RowInsert] = []
        self._inflight: set[UserRef] = set()
        self._flushing = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.dropped = 0  # bad writes dropped so far (each logged)

    @property
    def pending(self) -> int:
        return len(self._profiles) + len(self._inserts)

    def holds(self, ref: UserRef) -> bool:
        """A write of this user's profile is queued or being written."""
        return ref in self._profiles or ref in self._inflight

    async def submit(self, profiles: Sequence[ProfileWrite], inserts: Sequence[RowInsert]) -> None:
        """Queue one turn's writes. When the queue is full, flush first: if the database is down
        that raises and the turn fails (its writes are not queued; nothing queued is lost)."""
        if self.pending + len(profiles) + len(inserts) > self.max_pending:
            try:
                await self.flush()
            except Exception as exc:
                raise BufferFull(f"{self.pending} writes wait for the database") from exc
        self._merge(profiles, inserts)
        self._start()
        if self.pending >= self.max_batch:
            self._wake.set()

    def _merge(self, profiles: Iterable[ProfileWrite], inserts: Iterable[RowInsert]) -> None:
        for write in profiles:
            queued = self._profiles.get(write.ref)
            if queued is None or queued.version < write.version:
                self._profiles[write.ref] = write
        self._inserts.extend(inserts)

    async def flush(self) -> int:
        """Write everything queued now; returns how many writes landed. Raises if the database
        cannot be reached (the writes stay queued)."""
        async with self._flushing:
            profiles, inserts = list(self._profiles.values()), self._inserts
            if not profiles and not inserts:
                return 0
            self._profiles, self._inserts = {}, []
            self._inflight = {p.ref for p in profiles}
            try:
                try:
                    async with self.engine.begin() as conn:
                        await apply(conn, profiles, inserts)
                    return len(profiles) + len(inserts)
                except Exception as exc:
                    if refused(exc):  # a write in it can never be written: find it
                        return await self._one_by_one(profiles, inserts)
                    self._put_back(profiles, inserts)  # unreachable: keep it all
                    raise
                except BaseException:  # cancelled mid-write: keep it all
                    self._put_back(profiles, inserts)
                    raise
            finally:
                self._inflight = set()

    def _put_back(self, profiles: list[ProfileWrite], inserts: list[RowInsert]) -> None:
        newer, self._profiles = self._profiles, {}
        self._merge(profiles, [])
        self._merge(newer.values(), [])
        self._inserts = inserts + self._inserts

    async def _one_by_one(self, profiles: list[ProfileWrite], inserts: list[RowInsert]) -> int:
        """The database refused the batch: isolate the refused writes and drop only those."""
        batches: list[tuple[list[ProfileWrite], list[RowInsert]]] = [([p], []) for p in profiles]
        batches += [([], [row]) for row in inserts]
        written = 0
        for n, (one_profile, one_row) in enumerate(batches):
            try:
                async with self.engine.begin() as conn:
                    await apply(conn, one_profile, one_row)
                written += 1
            except Exception as exc:
                if not refused(exc):  # the database went away meanwhile: keep the rest
                    self._keep(batches[n:])
                    raise
                self.dropped += 1
                kind = one_row[0].table.name if one_row else "profile"
                log.error(  # never the values: they are the user's words
                    "a buffered write was refused by the database and set aside (%s)",
                    type(exc).__name__,
                    extra={"kind": kind, "count": self.dropped},
                )
            except BaseException:
                self._keep(batches[n:])
                raise
        return written

    def _keep(self, rest: list[tuple[list[ProfileWrite], list[RowInsert]]]) -> None:
        self._put_back([p for b in rest for p in b[0]], [r for b in rest for r in b[1]])

    def _start(self) -> None:
        if not self._closing and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        backoff = self.delay
        while not self._closing:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=backoff)
            self._wake.clear()
            try:
                await self.flush()
                backoff = self.delay
            except Exception as exc:
                backoff = min(max(backoff, 0.1) * 2, MAX_BACKOFF)
                log.warning(
                    "buffered writes wait for the database (%s); retrying",
                    type(exc).__name__,
                    extra={"count": self.pending},
                )

    async def close(self, grace: float = 10.0) -> None:
        """Stop the flusher and write what is left. The flusher finishes the batch it is
        writing (cancelling a driver mid-statement can wedge its connection)."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), grace)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        try:
            await self.flush()
        except Exception:
            log.error(
                "buffered writes lost at shutdown: the database did not answer",
                extra={"count": self.pending},
            )
