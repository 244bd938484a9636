"""Migrations go up from an empty database and back down, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from bot.storage.database import Database
from bot.storage.migrate import downgrade, upgrade
from bot.storage.models import Base

TABLES = {t.name for t in Base.metadata.sorted_tables}


async def _tables(url: str) -> set[str]:
    database = Database.from_url(url)
    try:
        async with database.engine.connect() as conn:
            return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await database.close()


async def test_migrations_down_to_empty_and_up_again(database_url: str) -> None:
    assert await _tables(database_url) >= TABLES
    await downgrade(database_url, "base")
    assert not (TABLES & await _tables(database_url))
    await upgrade(database_url)
    assert await _tables(database_url) >= TABLES


async def test_models_match_the_migrations(database_url: str) -> None:
    """A model change without a migration fails here (alembic autogenerate finds a difference)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    database = Database.from_url(database_url)
    try:
        async with database.engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": False}), Base.metadata
                )
            )
    finally:
        await database.close()
    assert diff == []


async def test_database_errors_do_not_quote_message_text(database_url: str) -> None:
    """A failing statement's error (which reaches the logs) must not carry the user's words."""
    from sqlalchemy import text

    database = Database.from_url(database_url)
    try:
        async with database.session() as session:
            try:
                await session.execute(
                    text("INSERT INTO no_such_table (x) VALUES (:x)"), {"x": "bí mật của em"}
                )
            except Exception as error:
                assert "bí mật" not in str(error)
            else:
                raise AssertionError("the statement should have failed")
    finally:
        await database.close()
