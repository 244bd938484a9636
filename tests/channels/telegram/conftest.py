"""A running Telegram channel against the fake Bot API server, over real HTTP.

``telegram`` starts the real channel in polling mode (the same code as ``mangnon serve``) on a
real pipeline and database; a test pushes raw updates and reads what the bot sent back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.config import TelegramConfig
from bot.core.cases.desk import DeskAction
from bot.core.dispatcher import Dispatcher
from bot.core.hours import parse_hours
from bot.core.messages import Inbound, Reply, UserRef
from bot.core.pipeline import Pipeline
from bot.core.services import DeskOptions, Services
from bot.storage.cached import CachedStores
from bot.storage.database import Database
from bot.storage.models import UserRow
from bot.storage.outbox import SqlOutboxQueue
from tests.conftest import ROOT, FakeClock
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import Call, FakeTelegram

DESK_CHAT = -100500
WORKER = 501
STRANGER = 999


class RecordingPipeline(Pipeline):
    """The real pipeline, remembering what reached it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list[Inbound] = []
        self.desk_seen: list[tuple[UserRef, DeskAction]] = []

    async def handle(self, inbound: Inbound) -> list[Reply]:
        self.seen.append(inbound)
        return await super().handle(inbound)

    async def desk(self, account: UserRef, action: DeskAction) -> list[Reply]:
        self.desk_seen.append((account, action))
        return await super().desk(account, action)


def desk_services(services: Services) -> Services:
    desk = DeskOptions(
        feeds=(UserRef("telegram", str(DESK_CHAT)),), hours=parse_hours("00:00-24:00")
    )
    return dataclasses.replace(services, desk=desk)


def fast_config(
    fake: FakeTelegram, content_dir: Path = ROOT / "content", **overrides: Any
) -> TelegramConfig:
    """Real limits would make a test conversation wait a second per message: tests go faster,
    and the limiter has its own tests with Telegram's numbers."""
    values: dict[str, Any] = {
        "token": fake.token,
        "api_server": fake.url,
        "content_dir": content_dir,
        "desk_chat_id": DESK_CHAT,
        "desk_staff": frozenset({WORKER}),
        "per_chat_rate": 200.0,
        "per_chat_burst": 20,
        "group_rate": 200.0,
        "global_rate": 1000.0,
        "polling_timeout": 5,
    }
    return TelegramConfig(**{**values, **overrides})


@dataclass
class Telegram:
    fake: FakeTelegram
    channel: TelegramChannel
    pipeline: RecordingPipeline
    database: Database
    stores: CachedStores
    dispatcher: Dispatcher
    mark: int = field(default=0)

    async def push(self, *updates: dict[str, Any]) -> list[Call]:
        """Send updates as Telegram would; return what the bot sent because of them (the
        outbox included: alerts and relays are drained before this returns)."""
        self.mark = len(self.fake.calls)
        ids = self.fake.push(*updates)
        await self.fake.wait_confirmed(ids[-1])
        await self.channel.idle()
        await self.drain()
        return [c for c in self.fake.sent() if c in self.fake.calls[self.mark :]]

    async def drain(self) -> None:
        while await self.dispatcher.drain_once():
            pass

    async def say(self, user_id: int, text: str, language_code: str = "vi") -> list[Call]:
        return await self.push(tg.text(user_id, text, language_code))

    async def tap(self, user_id: int, data: str, chat_id: int | None = None) -> list[Call]:
        return await self.push(tg.callback(user_id, data, chat_id=chat_id))

    async def press(self, user_id: int, prefix: str, chat_id: int | None = None) -> list[Call]:
        """Press the newest button starting with ``prefix`` in the chat (default: the user's)."""
        where = chat_id if chat_id is not None else user_id
        return await self.tap(user_id, self.button(where, prefix), chat_id=chat_id)

    def button(self, chat_id: int, prefix: str) -> str:
        for call in reversed(self.fake.sent(chat_id)):
            for data in call.callbacks():
                if data.startswith(prefix):
                    return data
        raise AssertionError(f"no button {prefix!r} in chat {chat_id}")

    def since(self, method: str) -> list[Call]:
        return [c for c in self.fake.calls[self.mark :] if c.method == method]

    async def user_row(self, user_id: int) -> UserRow | None:
        await self.stores.flush()
        async with self.database.session() as session:
            result = await session.execute(
                select(UserRow).where(
                    UserRow.channel == "telegram", UserRow.external_id == str(user_id)
                )
            )
            return result.scalar_one_or_none()


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def telegram(
    fake_api: FakeTelegram, services: Services, database: Database, clock: FakeClock
) -> AsyncIterator[Telegram]:
    stores = CachedStores(database)  # what `mangnon serve` runs with one process
    pipeline = RecordingPipeline(desk_services(services), stores, clock=clock)
    channel = TelegramChannel(fast_config(fake_api), pipeline)
    dispatcher = Dispatcher(SqlOutboxQueue(database.engine), {"telegram": channel}, clock, "test")
    await channel.start()
    try:
        yield Telegram(fake_api, channel, pipeline, database, stores, dispatcher)
    finally:
        await channel.stop()
        await stores.close()
