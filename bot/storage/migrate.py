"""Apply Alembic migrations from code (``mangnon db upgrade``; also run by ``mangnon serve``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

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


async def downgrade(url: str, revision: str = "base") -> None:
    await asyncio.to_thread(_in_thread, command.downgrade, alembic_config(url), revision)


def current(url: str) -> None:
    command.current(alembic_config(url), verbose=False)
