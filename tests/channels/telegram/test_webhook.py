"""Webhook mode on the same aiohttp server as the web chat: signed updates in, forgeries out."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.telegram.channel import TelegramChannel
from bot.core.services import Services
from bot.storage.database import Database
from tests.channels.telegram.conftest import RecordingPipeline, desk_services, fast_config
from tests.conftest import FakeClock
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import FakeTelegram

SECRET = "s3cret_-Token"
URL = "https://bot.example.org/telegram/hook"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
USER = 1001


@dataclass
class Webhook:
    client: TestClient  # type: ignore[type-arg]
    channel: TelegramChannel
    pipeline: RecordingPipeline
    fake: FakeTelegram

    async def post(self, body: object, secret: str | None = SECRET) -> int:
        headers = {HEADER: secret} if secret is not None else {}
        res = await self.client.post("/telegram/hook", json=body, headers=headers)
        await self.channel.idle()
        return res.status


@pytest.fixture
async def webhook(
    fake_api: FakeTelegram, services: Services, database: Database, clock: FakeClock
) -> AsyncIterator[Webhook]:
    pipeline = RecordingPipeline(desk_services(services), database.store, clock=clock)
    config = fast_config(fake_api, mode="webhook", webhook_url=URL, webhook_secret=SECRET)
    channel = TelegramChannel(config, pipeline)
    web_app = web.Application()
    await channel.start(web_app)
    try:
        async with TestClient(TestServer(web_app)) as client:
            yield Webhook(client, channel, pipeline, fake_api)
    finally:
        await channel.stop()


async def test_webhook_is_registered_with_its_secret(webhook: Webhook) -> None:
    (call,) = webhook.fake.of("setWebhook")
    assert call.params["url"] == URL and call.params["secret_token"] == SECRET
    assert "callback_query" in call.params["allowed_updates"]
    assert webhook.fake.of("getUpdates") == []


async def test_a_signed_update_is_handled(webhook: Webhook) -> None:
    status = await webhook.post({"update_id": 1, **tg.text(USER, "/start")})
    assert status == 200
    (reply,) = webhook.fake.sent(USER)
    assert "lang:vi" in reply.callbacks()


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET.lower()])
async def test_a_forged_update_gets_401_and_nothing_happens(
    webhook: Webhook, secret: str | None
) -> None:
    status = await webhook.post({"update_id": 1, **tg.text(USER, "/start")}, secret=secret)
    assert status == 401
    assert webhook.pipeline.seen == [] and webhook.fake.sent() == []


async def test_bad_bodies(webhook: Webhook) -> None:
    res = await webhook.client.post("/telegram/hook", data=b"not json", headers={HEADER: SECRET})
    assert res.status == 400
    assert await webhook.post({"update_id": "x", "message": 5}) == 400
    huge = {"update_id": 1, **tg.text(USER, "a" * 2_000_000)}
    res = await webhook.client.post(
        "/telegram/hook", data=json.dumps(huge).encode(), headers={HEADER: SECRET}
    )
    assert res.status == 413
    assert webhook.pipeline.seen == []


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [  # issue #18: each once got 500 with a traceback
        (b"[" * 50_000 + b"]" * 50_000, "application/json", 400),
        (b'{"update_id": ' + b"9" * 50_000 + b"}", "application/json", 400),
        (b'{"update_id": 1}', "application/json; charset=bogus", 415),
        (b'{"update_id": 1, "x": "\xff"}', "application/json", 400),
    ],
)
async def test_malformed_updates_get_4xx(
    webhook: Webhook, body: bytes, content_type: str, status: int
) -> None:
    res = await webhook.client.post(
        "/telegram/hook", data=body, headers={HEADER: SECRET, "Content-Type": content_type}
    )
    assert res.status == status
    assert "Traceback" not in await res.text()
    assert webhook.pipeline.seen == []


async def test_after_stop_telegram_is_asked_to_come_back_later(webhook: Webhook) -> None:
    await webhook.channel.stop()
    assert await webhook.post({"update_id": 1, **tg.text(USER, "/start")}) == 503
