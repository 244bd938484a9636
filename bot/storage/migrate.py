"""Apply Alembic migrations from code (``mangnon db upgrade``; also run by ``mangnon serve``).

Several workers starting at once must not migrate at once: :func:`upgrade_once` holds a lock
that every process on the database sees (a PostgreSQL advisory lock; on SQLite a file lock next to
the database file) while it migrates; the others wait, then find the database at head and do
nothing. ``MIGRATE_AT_START=false`` leaves migrating to a release step (``mangnon db upgrade``,
which takes the same lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
from collections.abc import AsyncIterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _in_thread(func: object, *args: object) -> None:
    func(*args)  # type: ignore[operator]


async def upgrade(url: str, revision: str = "head") -> None:
    """Migrate to ``revision``. Alembic's env runs its own event loop, hence the thread."""
    await asyncio.to_thread(_in_thread, command.upgrade, alembic_config(url), revision)


# pg_advisory_lock's key for migrations (any constant no other lock of the app uses)
MIGRATION_LOCK = 0x6D616E67  # "mang"


@contextlib.asynccontextmanager
async def migration_lock(url: str) -> AsyncIterator[None]:
    """Held by one process at a time across every process on this database."""
    if url.startswith("postgresql"):
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                try:
                    yield
                finally:
                    await conn.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK}
                    )
        finally:
            await engine.dispose()
        return
    database = make_url(url).database
    if not database or database == ":memory:":
        yield  # a database of this process only
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrate.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


async def upgrade_once(url: str, revision: str = "head") -> None:
    """Migrate under the migration lock: with several workers starting, one migrates."""
    async with migration_lock(url):
        await upgrade(url, revision)


async def downgrade(url: str, revision: str = "base") -> None:
    await asyncio.to_thread(_in_thread, command.downgrade, alembic_config(url), revision)


def current(url: str) -> None:
    command.current(alembic_config(url), verbose=False)
