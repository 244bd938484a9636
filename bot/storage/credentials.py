"""Rotating channel credentials (``channel_tokens``), replaced by one worker at a time.

``exclusive(name)`` opens a transaction and, on PostgreSQL, takes a transaction-scoped advisory
lock on the name (``pg_advisory_xact_lock``): every worker that wants to refresh the tokens waits
there, then reads what the previous holder wrote, so a single-use refresh token is spent once.
The new pair is written in the same transaction and the lock goes with the commit. SQLite has one
process: an asyncio lock serialises holders. See ``bot.channels.ports`` for the contract.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.models import ChannelTokenRow

TOKENS: Table = ChannelTokenRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class StoredCredentials:
    access: str
    refresh: str
    expires_at: datetime | None
    seed: str


def lock_key(name: str) -> int:
    """A signed 64-bit advisory lock key for ``name`` (the same in every worker)."""
    digest = hashlib.sha256(f"mangnon:credentials:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _stored(row: Any) -> StoredCredentials | None:
    return None if row is None else StoredCredentials(*row)


_SELECT = select(TOKENS.c.access, TOKENS.c.refresh, TOKENS.c.expires_at, TOKENS.c.seed)


class HeldCredentials:
    def __init__(self, conn: AsyncConnection, name: str, current: StoredCredentials | None):
        self._conn = conn
        self._name = name
        self.current = current

    async def replace(
        self, access: str, refresh: str, expires_at: datetime | None, seed: str
    ) -> None:
        values = {
            "access": access,
            "refresh": refresh,
            "expires_at": expires_at,
            "seed": seed,
            "updated_at": datetime.now(UTC),
        }
        if self.current is None:
            await self._conn.execute(insert(TOKENS).values(name=self._name, **values))
        else:
            await self._conn.execute(
                update(TOKENS).where(TOKENS.c.name == self._name).values(**values)
            )
        self.current = StoredCredentials(access, refresh, expires_at, seed)


class SqlCredentialStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._advisory = engine.dialect.name == "postgresql"
        self._local: dict[str, asyncio.Lock] = {}

    async def load(self, name: str) -> StoredCredentials | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(_SELECT.where(TOKENS.c.name == name))).one_or_none()
        return _stored(row)

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[HeldCredentials]:
        # one holder per process first (fewer connections waiting), then one per database
        async with self._local.setdefault(name, asyncio.Lock()), self.engine.begin() as conn:
            if self._advisory:
                await conn.execute(select(func.pg_advisory_xact_lock(lock_key(name))))
            row = (await conn.execute(_SELECT.where(TOKENS.c.name == name))).one_or_none()
            yield HeldCredentials(conn, name, _stored(row))
