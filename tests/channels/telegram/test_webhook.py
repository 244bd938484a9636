"""Webhook mode on the same aiohttp server as the web chat: signed updates in, forgeries out."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.channels.telegram.channel import TelegramChannel
from bot.core.services import Services
from bot.storage.database import Database
from bot.storage.inbox import SqlInbox
from bot.storage.models import SeenEventRow
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
    inbox: SqlInbox

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
    config = fast_config(
        fake_api, mode="webhook", webhook_url=URL, webhook_secret=SECRET, inbox_lease=60.0
    )
    inbox = SqlInbox(database.engine)
    channel = TelegramChannel(config, pipeline, inbox=inbox)
    web_app = web.Application()
    await channel.start(web_app)
    try:
        async with TestClient(TestServer(web_app)) as client:
            yield Webhook(client, channel, pipeline, fake_api, inbox)
    finally:
        await channel.stop()
        await inbox.close()


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


async def _kept(database: Database) -> dict[str, bytes | None]:
    async with database.session() as session:
        rows = (await session.execute(select(SeenEventRow))).scalars().all()
    return {row.key: row.payload for row in rows if row.channel == "telegram"}


async def test_a_redelivered_update_is_handled_once(webhook: Webhook, database: Database) -> None:
    update = {"update_id": 7, **tg.text(USER, "/start")}
    assert await webhook.post(update) == 200
    assert await webhook.post(update) == 200  # Telegram did not get our 200 and sends it again
    assert len(webhook.pipeline.seen) == 1
    assert len(webhook.fake.sent(USER)) == 1
    assert await _kept(database) == {"7": None}  # the id stays, the text is gone


async def test_an_update_that_cannot_be_stored_is_not_acknowledged(
    fake_api: FakeTelegram, services: Services, database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """No 200 before the update is stored: Telegram keeps it and sends it again."""
    broken = Database.from_url(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
    pipeline = RecordingPipeline(desk_services(services), database.store, clock=clock)
    config = fast_config(fake_api, mode="webhook", webhook_url=URL, webhook_secret=SECRET)
    channel = TelegramChannel(config, pipeline, inbox=SqlInbox(broken.engine))
    web_app = web.Application()
    await channel.start(web_app)
    try:
        async with TestClient(TestServer(web_app)) as client:
            hook = Webhook(client, channel, pipeline, fake_api, SqlInbox(broken.engine))
            assert await hook.post({"update_id": 8, **tg.text(USER, "/start")}) == 503
        assert pipeline.seen == [] and fake_api.sent(USER) == []
    finally:
        await channel.stop()
        await broken.close()


async def test_an_update_kept_by_a_killed_worker_is_handled_once_after_the_lease(
    webhook: Webhook, database: Database, clock: FakeClock
) -> None:
    body = json.dumps({"update_id": 9, **tg.text(USER, "/start")}).encode()
    # what a worker killed right after its 200 leaves behind: kept, never handled
    assert await webhook.inbox.keep("telegram", "9", body, clock.now())
    assert await webhook.channel.recover() == 0  # within the lease: its worker may be on it
    clock.advance(seconds=61)
    assert await webhook.channel.recover() == 1
    await webhook.channel.idle()
    assert len(webhook.pipeline.seen) == 1 and len(webhook.fake.sent(USER)) == 1
    clock.advance(seconds=61)
    assert await webhook.channel.recover() == 0  # done: nobody claims it again
    assert await webhook.post(json.loads(body)) == 200  # and a late redelivery is dropped
    assert len(webhook.pipeline.seen) == 1
    assert await _kept(database) == {"9": None}


async def test_two_workers_never_claim_the_same_kept_update(
    database: Database, clock: FakeClock
) -> None:
    first, second = SqlInbox(database.engine), SqlInbox(database.engine)
    for n in range(20):
        assert await first.keep("telegram", str(n), b"{}", clock.now())
    clock.advance(seconds=120)
    before = clock.now() - timedelta(seconds=60)
    keys: list[str] = []
    while True:
        a, b = await asyncio.gather(
            first.claim("telegram", before, clock.now(), limit=7),
            second.claim("telegram", before, clock.now(), limit=7),
        )
        if not a and not b:
            break
        keys += [key for key, _ in a + b]
    assert len(keys) == len(set(keys)) == 20
    await first.close()
    await second.close()


async def test_purging_old_event_ids_keeps_an_update_not_yet_handled(
    database: Database, clock: FakeClock
) -> None:
    from bot.storage.seen import SqlSeenEvents

    inbox = SqlInbox(database.engine)
    assert await inbox.keep("telegram", "41", b"{}", clock.now())  # kept, never handled
    assert await inbox.keep("telegram", "42", b"{}", clock.now())
    await inbox.done("telegram", "42")
    clock.advance(days=3)
    assert await SqlSeenEvents(database.engine).purge(clock.now()) == 1  # Zalo's upkeep
    assert await _kept(database) == {"41": b"{}"}
    await inbox.close()
