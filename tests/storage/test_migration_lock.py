"""Workers starting at once migrate once: the others wait for the lock, then find it done."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage.database import Database
from bot.storage.migrate import migration_lock, upgrade_once

PG_URL = os.environ.get("TEST_DATABASE_URL")


async def test_concurrent_upgrades_on_sqlite_all_succeed(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'fresh.db'}"
    await asyncio.gather(*(upgrade_once(url) for _ in range(4)))
    database = Database.from_url(url)
    async with database.session() as session:
        version = (await session.execute(text("SELECT version_num FROM alembic_version"))).all()
    await database.close()
    assert len(version) == 1


@pytest.mark.parametrize("backend", ["sqlite", *(["postgresql"] if PG_URL else [])])
async def test_the_lock_is_held_by_one_at_a_time(backend: str, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}" if backend == "sqlite" else PG_URL
    assert url is not None
    inside = most = 0

    async def hold() -> None:
        nonlocal inside, most
        async with migration_lock(url):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.05)
            inside -= 1

    await asyncio.gather(*(hold() for _ in range(4)))
    assert most == 1
