"""``mangnon serve`` wiring: settings → TelegramConfig → a started channel that the outbox
dispatcher sends through."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.channels.telegram.config import TelegramConfigError
from bot.core.messages import Reply, UserRef
from bot.core.outbox import Outgoing
from bot.core.services import Services
from bot.serve import build_web_app
from tests.conftest import settings_for
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import FakeTelegram


def app_for(fake: FakeTelegram, services: Services, database_url: str, **settings: object) -> App:
    telegram: dict[str, object] = {
        "bot_token": fake.token,
        "api_server": fake.url,
        "desk_chat_id": -100500,
        "desk_staff": "501, 502",
        **settings,
    }
    return App.create(settings_for(database_url=database_url, telegram=telegram), services=services)


async def start_channels(app: App, web_app: object) -> list[object]:
    return list(await app.start_channels(web_app))  # type: ignore[arg-type]


async def test_no_token_no_telegram(services: Services, database_url: str) -> None:
    app = App.create(settings_for(database_url=database_url), services=services)
    try:
        assert [c.name for c in await start_channels(app, build_web_app(app))] == ["web"]  # type: ignore[attr-defined]
    finally:
        await app.close()


async def test_polling_channel_started_and_registered_as_outbox(
    fake_api: FakeTelegram, services: Services, database_url: str
) -> None:
    app = app_for(fake_api, services, database_url)
    channels = await start_channels(app, build_web_app(app))
    try:
        assert [c.name for c in app.channels] == ["web", "telegram"] and len(channels) == 2
        assert app.services.desk.feeds == (UserRef("telegram", "-100500"),)
        assert set(app.dispatcher.senders) == {"telegram"}  # the web chat is pulled, not pushed
        await fake_api.wait_until(lambda: bool(fake_api.of("getUpdates")))
        async with app.database.store() as store:
            await store.outbox.enqueue(
                Outgoing(UserRef("telegram", "-100500"), (Reply("case desk test"),)),
                app.pipeline.clock.now(),
            )
            await store.commit()
        assert await app.dispatcher.drain_once() == 1
        (call,) = fake_api.sent(-100500)
        assert call.text == "case desk test"
        async with app.database.store() as store:
            staff = await store.staff.by_account(UserRef("telegram", "502"))
        assert staff is not None and staff.pseudonym.startswith("TV-")  # seeded at start
    finally:
        await app.stop_channels()
        await app.close()


async def test_webhook_on_the_web_chat_server(
    fake_api: FakeTelegram, services: Services, database_url: str
) -> None:
    app = app_for(
        fake_api,
        services,
        database_url,
        mode="webhook",
        webhook_url="https://bot.example.org/tg/update",
        webhook_secret="abc_123",
    )
    web_app = build_web_app(app)
    await start_channels(app, web_app)
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
        await app.stop_channels()
        await app.close()


async def test_webhook_mode_without_a_secret_stops_at_start(
    fake_api: FakeTelegram, services: Services, database_url: str
) -> None:
    app = app_for(
        fake_api,
        services,
        database_url,
        mode="webhook",
        webhook_url="https://bot.example.org/tg/update",
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
    app = app_for(fake_api, services, database_url, bot_token="999:wrong")
    try:
        with pytest.raises(TelegramConfigError, match="refused TELEGRAM_BOT_TOKEN"):
            await start_channels(app, build_web_app(app))
    finally:
        await app.close()
