"""``mangnon serve`` wiring: settings → TelegramConfig → a started channel in app.outbox."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.channels.telegram import TelegramConfigError
from bot.core.messages import Reply, UserRef
from bot.core.services import Services
from bot.serve import build_web_app, start_channels
from tests.conftest import settings_for
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import FakeTelegram


def app_for(fake: FakeTelegram, services: Services, database_url: str, **settings: object) -> App:
    values: dict[str, object] = {
        "database_url": database_url,
        "telegram_bot_token": fake.token,
        "telegram_api_server": fake.url,
        "caseworker_chat_id": -100500,
        "caseworker_ids": "501, 502",
    }
    return App.create(settings_for(**{**values, **settings}), services=services)


async def test_no_token_no_telegram(services: Services, database_url: str) -> None:
    app = App.create(settings_for(database_url=database_url), services=services)
    try:
        assert await start_channels(app, build_web_app(app)) == []
    finally:
        await app.close()


async def test_polling_channel_started_and_registered_as_outbox(
    fake_api: FakeTelegram, services: Services, database_url: str
) -> None:
    app = app_for(fake_api, services, database_url)
    channels = await start_channels(app, build_web_app(app))
    try:
        assert len(channels) == 1
        await fake_api.wait_until(lambda: bool(fake_api.of("getUpdates")))
        await app.outbox.send(UserRef("telegram", "-100500"), [Reply("case desk test")])
        (call,) = fake_api.sent(-100500)
        assert call.text == "case desk test"
    finally:
        for channel in channels:
            await channel.stop()
        await app.close()


async def test_webhook_on_the_web_chat_server(
    fake_api: FakeTelegram, services: Services, database_url: str
) -> None:
    app = app_for(
        fake_api,
        services,
        database_url,
        telegram_mode="webhook",
        telegram_webhook_url="https://bot.example.org/tg/update",
        telegram_webhook_secret="abc_123",
    )
    web_app = build_web_app(app)
    channels = await start_channels(app, web_app)
    try:
        async with TestClient(TestServer(web_app)) as client:
            assert (await client.get("/healthz")).status == 200
            forged = await client.post("/tg/update", json={"update_id": 1})
            assert forged.status == 401
            signed = await client.post(
                "/tg/update",
                json={"update_id": 1, **tg.member(1001, "kicked")},
                headers={"X-Telegram-Bot-Api-Secret-Token": "abc_123"},
            )
            assert signed.status == 200
    finally:
        for channel in channels:
            await channel.stop()
        await app.close()


async def test_webhook_mode_without_a_secret_stops_at_start(
    fake_api: FakeTelegram, services: Services, database_url: str
) -> None:
    app = app_for(
        fake_api,
        services,
        database_url,
        telegram_mode="webhook",
        telegram_webhook_url="https://bot.example.org/tg/update",
    )
    try:
        with pytest.raises(TelegramConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
            await start_channels(app, build_web_app(app))
        assert fake_api.calls == []
    finally:
        await app.close()


async def test_a_refused_token_stops_at_start(
    fake_api: FakeTelegram, services: Services, database_url: str
) -> None:
    app = app_for(fake_api, services, database_url, telegram_bot_token="999:wrong")
    try:
        with pytest.raises(TelegramConfigError, match="refused TELEGRAM_BOT_TOKEN"):
            await start_channels(app, build_web_app(app))
    finally:
        await app.close()
