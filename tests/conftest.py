"""Shared fixtures: one per concept. Database tests run on SQLite and, when TEST_DATABASE_URL is
set (CI sets it), on a real PostgreSQL too."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.util.exc import CommandError
from hypothesis import HealthCheck, settings
from sqlalchemy import text

from bot.app import build_services
from bot.config import Settings
from bot.core.messages import Button, ButtonKind, Inbound, Reply, UserRef
from bot.core.pipeline import Pipeline
from bot.core.ports import StoreFactory
from bot.core.services import Services
from bot.storage.cached import CachedStores
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Base

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


# The fuzz tests (issue #18): a bounded, repeatable number of examples in `make test`;
# FUZZ_SCALE=50 multiplies them and draws fresh ones each run (a longer hunt, by hand).
FUZZ_SCALE = int(os.environ.get("FUZZ_SCALE", "1"))


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples * FUZZ_SCALE,
        derandomize=FUZZ_SCALE == 1,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def settings_for(**overrides: object) -> Settings:
    base: dict[str, object] = {
        "content_dir": ROOT / "content",
        "locales_dir": ROOT / "locales",
        "_env_file": None,
    }
    return Settings(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def services() -> Services:
    return build_services(settings_for())


async def _clean_postgres(url: str) -> None:
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            await session.commit()
    finally:
        await database.close()


async def _reset_postgres(url: str) -> None:
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            await session.execute(text("DROP SCHEMA public CASCADE"))
            await session.execute(text("CREATE SCHEMA public"))
            await session.commit()
    finally:
        await database.close()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        await upgrade(url)
        return url
    assert PG_URL is not None
    try:
        await upgrade(PG_URL)
    except CommandError:  # migrated by another branch's code: this test database starts afresh
        await _reset_postgres(PG_URL)
        await upgrade(PG_URL)
    await _clean_postgres(PG_URL)
    return PG_URL


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database.from_url(database_url)
    yield db
    await db.close()


@dataclass
class FakeClock:
    current: datetime = field(default_factory=lambda: datetime(2026, 12, 1, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["direct", "cached"])
async def stores(request: pytest.FixtureRequest, database: Database) -> AsyncIterator[StoreFactory]:
    """Both units of work: every turn through the database (several workers), and cached
    profiles with batched routine writes (one process, the default)."""
    if request.param == "direct":
        yield database.store
        return
    cached = CachedStores(database)
    yield cached
    await cached.close()


@pytest.fixture
def pipeline(services: Services, stores: StoreFactory, clock: FakeClock) -> Pipeline:
    return Pipeline(services, stores, clock=clock)


@dataclass
class Chat:
    """A test channel: push a message, read the replies; press buttons by their label."""

    pipeline: Pipeline
    user: UserRef = field(default_factory=lambda: UserRef("test", "42"))
    locale_hint: str | None = None
    last: list[Reply] = field(default_factory=list)
    flush: bool = True  # write batched writes after each turn (set False to watch them wait)

    async def _handle(self, inbound: Inbound) -> list[Reply]:
        self.last = await self.pipeline.handle(inbound)
        if self.flush and isinstance(self.pipeline.stores, CachedStores):
            await self.pipeline.stores.flush()  # tests look at the database after each turn
        return self.last

    async def send(self, text: str) -> list[Reply]:
        return await self._handle(Inbound(self.user, text=text, locale_hint=self.locale_hint))

    async def tap(self, data: str) -> list[Reply]:
        return await self._handle(Inbound(self.user, callback=data, locale_hint=self.locale_hint))

    async def onboard(self, lang: str = "en", role: str = "parent", age: str | None = None) -> None:
        """/start → language → role → (age band) → commune (skipped) → consent, by the buttons."""
        await self.send("/start")
        await self.press(f"lang:{lang}")
        await self.press(f"role:{role}")
        if age:
            await self.press(f"age:{age}")
        if any(b.value == "commune:none" for r in self.last for row in r.buttons for b in row):
            await self.press("commune:none")  # optional (asked where there is a commune list)
        await self.press("consent:")

    def button(self, data: str) -> Button:
        """The button whose data is ``data`` exactly, or else the first that starts with it."""
        buttons = [
            b for r in self.last for row in r.buttons for b in row if b.kind is ButtonKind.CALLBACK
        ]
        for button in buttons:
            if button.value == data:
                return button
        for button in buttons:
            if button.value.startswith(data):
                return button
        raise AssertionError(f"no button {data!r} in {self.texts()}")

    async def press(self, data_prefix: str) -> list[Reply]:
        return await self.tap(self.button(data_prefix).value)

    def texts(self) -> str:
        return "\n---\n".join(r.text for r in self.last)


@pytest.fixture
def chat(pipeline: Pipeline) -> Chat:
    return Chat(pipeline)
