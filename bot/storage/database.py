"""Engine and unit-of-work factory: one ``SqlStore`` (one transaction) per inbound message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.storage.repositories import SqlStore


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # SQL errors would otherwise quote their parameters (message text) into logs and tracebacks
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(
                "PRAGMA busy_timeout=15000"
            )  # a writer waits for the lock; under load 5 s was seen to run out
            cursor.execute(
                "PRAGMA synchronous=NORMAL"
            )  # WAL: durable at checkpoints, no fsync per commit
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        return cls(create_engine(url, **kwargs))

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    def new_session(self) -> AsyncSession:
        """A session the caller closes (the cached store opens one only when a turn needs it)."""
        return self._sessions()

    @asynccontextmanager
    async def store(self) -> AsyncIterator[SqlStore]:
        """A unit of work; rolled back unless ``commit()`` is called."""
        async with self._sessions() as session:
            try:
                yield SqlStore(session)
            except BaseException:
                await session.rollback()
                raise

    async def close(self) -> None:
        await self.engine.dispose()
