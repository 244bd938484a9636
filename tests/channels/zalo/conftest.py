"""The whole server with Zalo configured, against the fake Zalo API, over real HTTP.

``zalo`` is ``mangnon serve``'s application (``App``, ``build_web_app``, the channels started)
on a real database, served on 127.0.0.1; a test posts signed events to its webhook route and reads
what reached the fake Zalo API. ``Zalo.restart()`` builds a new server on the same database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.channels.zalo.channel import ZaloChannel
from bot.core.hours import parse_hours
from bot.core.services import DeskOptions, Services
from bot.serve import build_web_app
from tests.conftest import settings_for
from tests.fakes import zalo_events as ev
from tests.fakes.zalo_api import APP_ID, APP_SECRET, OA_SECRET_KEY, Call, FakeZalo

PATH = "test-hook-0123456789"
ROUTE = f"/webhooks/zalo/{PATH}"


class Someone:
    """A case worker is signed in at a desk: a counsellor can be offered."""

    async def anyone(self, now: datetime) -> bool:
        return True


def zalo_settings(fake: FakeZalo, **overrides: Any) -> dict[str, Any]:
    return {
        "app_id": APP_ID,
        "app_secret": APP_SECRET,
        "oa_secret_key": OA_SECRET_KEY,
        "access_token": "access-0",
        "refresh_token": "refresh-0",
        "webhook_path": PATH,
        "api_base": fake.url,
        "oauth_base": fake.url,
        "rate": 1000.0,  # the limiter has its own tests; a conversation should not wait
        **overrides,
    }


@dataclass
class Zalo:
    fake: FakeZalo
    services: Services
    database_url: str
    settings: dict[str, Any] = field(default_factory=dict)
    app: App | None = None
    client: TestClient | None = None
    mark: int = 0

    async def start(self) -> Zalo:
        # no web admin: the desk's presence is the test's own (a worker always signed in)
        # no quiet hours: these tests run on the real clock, at any hour of the day
        settings = settings_for(
            database_url=self.database_url,
            zalo=self.settings,
            admin={"enabled": False},
            campaigns={"quiet_hours": ""},
        )
        self.app = App.create(settings, services=self.services)
        web_app = build_web_app(self.app)
        try:
            await self.app.start_channels(web_app)
        except BaseException:
            await self.app.close()
            raise
        self.client = TestClient(TestServer(web_app))
        await self.client.start_server()
        return self

    async def close(self) -> None:
        if self.app is not None:
            await self.app.stop_channels()
            if self.client is not None:
                await self.client.close()
            await self.app.close()
        self.app = self.client = None

    async def restart(self) -> None:
        await self.close()
        await self.start()

    @property
    def channel(self) -> ZaloChannel:
        assert self.app is not None
        (channel,) = [c for c in self.app.channels if isinstance(c, ZaloChannel)]
        return channel

    async def post(
        self,
        event: dict[str, Any],
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> int:
        """POST one event to the webhook as Zalo would (or with the body and headers given)."""
        assert self.client is not None
        signed_body, signed_headers = ev.signed(event)
        response = await self.client.post(
            ROUTE,
            data=signed_body if body is None else body,
            headers=signed_headers if headers is None else headers,
        )
        return response.status

    async def push(self, *events: dict[str, Any]) -> list[Call]:
        """Post events; return the messages that reached Zalo because of them (outbox included)."""
        self.mark = len(self.fake.calls)
        for event in events:
            assert await self.post(event) == 200
        await self.settle()
        return [c for c in self.fake.calls[self.mark :] if c.error == 0]

    async def settle(self) -> None:
        """Every event handled, the outbox drained, batched writes in the database."""
        assert self.app is not None
        await self.channel.idle()
        while await self.app.dispatcher.drain_once():
            pass
        await self.app.flush()

    async def say(self, user: str, text: str) -> list[Call]:
        return await self.push(ev.text(user, text))

    async def tap(self, user: str, payload: str) -> list[Call]:
        return await self.push(ev.press(user, payload))

    async def press(self, user: str, prefix: str) -> list[Call]:
        """Press the newest choice button whose data starts with ``prefix``."""
        for call in reversed(self.fake.sent(user)):
            for payload in call.choices():
                if payload.startswith("#" + prefix):
                    return await self.tap(user, payload)
        raise AssertionError(f"no button {prefix!r} sent to {user}")

    async def onboard(self, user: str, role: str = "parent", age: str | None = None) -> None:
        await self.push(ev.follow(user))
        await self.press(user, "lang:en")
        await self.press(user, f"role:{role}")
        if age:
            await self.press(user, f"age:{age}")
        await self.press(user, "commune:")  # skip the optional commune
        await self.press(user, "consent:")


def with_a_desk(services: Services) -> Services:
    """Someone at a (web) desk around the clock: crises offer a counsellor."""
    desk = DeskOptions(hours=parse_hours("00:00-24:00"), presence=Someone())
    return dataclasses.replace(services, desk=desk)


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as fake:
        yield fake


StartZalo = Callable[..., Awaitable[Zalo]]


@pytest.fixture
async def start_zalo(
    fake_zalo: FakeZalo, services: Services, database_url: str
) -> AsyncIterator[StartZalo]:
    """Start the server with Zalo settings changed (``buttons="off"``…); closed after the test."""
    started: list[Zalo] = []

    async def start(**overrides: Any) -> Zalo:
        settings = zalo_settings(fake_zalo, **overrides)
        harness = Zalo(fake_zalo, with_a_desk(services), database_url, settings)
        started.append(harness)
        return await harness.start()

    try:
        yield start
    finally:
        for harness in started:
            await harness.close()


@pytest.fixture
async def zalo(start_zalo: StartZalo) -> Zalo:
    return await start_zalo()
