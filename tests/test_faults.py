"""Faults, for real: a worker killed with SIGKILL mid-turn, a Bot API answering 5xx and timing
out, PostgreSQL connections cut under traffic (through a proxy: the shared server is never
restarted), Redis unavailable. Nothing acknowledged is lost; nothing goes twice beyond the
documented bound (the sends in flight)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from bot.core.messages import Inbound, Reply, UserRef
from bot.core.outbox import Outgoing, Priority
from bot.core.services import Services
from bot.storage.database import Database
from bot.storage.models import OutboxRow, SeenEventRow, UserRow
from tests.channels.telegram.conftest import fast_config
from tests.conftest import PG_URL, ROOT, settings_for
from tests.fakes import crashing_webhook
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import FakeTelegram

USER = 7001


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- kill -9 mid-turn ------------------------------------------------------------------------


async def _worker(
    url: str, fake: FakeTelegram, port: int, mode: str, cwd: Path
) -> asyncio.subprocess.Process:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.crashing_webhook",
        url,
        fake.url,
        fake.token,
        str(port),
        mode,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=(cwd / f"{mode}.log").open("a"),
    )
    async with asyncio.timeout(120), aiohttp.ClientSession() as http:
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"http://127.0.0.1:{port}/healthz") as res:
                    if res.status == 200:
                        return child
            await asyncio.sleep(0.2)


async def _post(port: int, update: dict[str, object]) -> int:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"http://127.0.0.1:{port}{crashing_webhook.PATH}",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": crashing_webhook.SECRET},
        ) as res,
    ):
        return res.status


async def test_a_worker_killed_mid_turn_its_update_is_handled_once(
    database_url: str, tmp_path: Path
) -> None:
    async with FakeTelegram() as fake:
        port = _free_port()
        first = await _worker(database_url, fake, port, "slow", tmp_path)
        try:
            assert await _post(port, {"update_id": 1, **tg.text(USER, "/start")}) == 200
            await fake.wait_until(lambda: len(fake.sent(USER)) == 1, within=30)
            assert await _post(port, {"update_id": 2, **tg.text(USER, "slow: is it safe")}) == 200
            assert first.stdout is not None
            async with asyncio.timeout(30):
                while b"turn started" not in await first.stdout.readline():
                    pass
        finally:
            first.kill()  # SIGKILL, in the middle of update 2's turn
            await first.wait()
        assert len(fake.sent(USER)) == 1

        before = len(fake.sent(USER))
        second = await _worker(database_url, fake, port, "normal", tmp_path)
        try:
            # Telegram sends update 2 again (our 200 may have been lost with the worker): it is
            # already kept, so this answer is 200 and nothing more; the inbox hands it over
            assert await _post(port, {"update_id": 2, **tg.text(USER, "slow: is it safe")}) == 200
            assert await _post(port, {"update_id": 1, **tg.text(USER, "/start")}) == 200
            await fake.wait_until(lambda: len(fake.sent(USER)) > before, within=30)
            with contextlib.suppress(TimeoutError):  # more recovery rounds: nothing new
                await fake.wait_until(lambda: len(fake.sent(USER)) > before + 2, within=4)
        finally:
            second.terminate()
            await second.wait()
    after = [call.text for call in fake.sent(USER)[before:]]
    # update 2's answer (a nudge back to the language buttons, then the buttons) exactly once;
    # a second turn of update 2, or update 1 again, would repeat a text
    assert after and len(after) == len(set(after)), after
    database = Database.from_url(database_url)
    async with database.session() as session:
        rows = (await session.execute(select(SeenEventRow))).scalars().all()
    await database.close()
    assert {(r.key, r.payload) for r in rows if r.channel == "telegram"} == {
        ("1", None),
        ("2", None),
    }


# ---- the Bot API answering 5xx and timing out ------------------------------------------------


async def test_bot_api_5xx_and_timeouts_lose_nothing_and_repeat_only_the_stalled(
    services: Services, database_url: str
) -> None:
    recipients = [UserRef("telegram", str(8000 + n)) for n in range(12)]
    settings = settings_for(database_url=database_url)
    app = App.create(settings, services=services)
    async with FakeTelegram() as fake:
        channel = TelegramChannel(fast_config(fake), app.pipeline)
        channel.bot.session.timeout = 1  # a stalled answer is a timeout after a second
        app.dispatcher.senders["telegram"] = channel
        try:
            now = datetime.now(UTC)
            async with app.database.store() as store:
                for who in recipients:
                    await store.outbox.enqueue(
                        Outgoing(who, (Reply(f"notice {who.external_id}"),), Priority.CASE), now
                    )
                await store.commit()
            fake.fail("sendMessage", status=502, description="Bad Gateway", times=4)
            fake.stalls, fake.stall_for = 2, 3.0  # done by Telegram, answered too late
            async with asyncio.timeout(120):
                while True:
                    await app.dispatcher.drain_once()
                    async with app.database.session() as session:
                        statuses = (await session.execute(select(OutboxRow.status))).scalars().all()
                    if all(status == "sent" for status in statuses):
                        break
                    await asyncio.sleep(0.5)  # a failed send waits in the database (backoff)
        finally:
            await channel.bot.session.close()
            await app.close()
        delivered = [c.chat_id for c in fake.sent(method="sendMessage")]
    assert sorted(set(delivered)) == sorted(int(r.external_id) for r in recipients)
    assert len(delivered) - len(set(delivered)) <= 2  # only a stalled (timed-out) send twice


# ---- PostgreSQL connections cut under traffic ------------------------------------------------


class CuttableProxy:
    """TCP between the app and PostgreSQL; ``cut()`` drops every connection and refuses new ones
    until ``restore()``."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.open = True
        self._pairs: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> CuttableProxy:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.open:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._pairs.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._pairs.discard(writer)
        self._pairs.discard(up_writer)

    def cut(self) -> None:
        self.open = False
        for writer in list(self._pairs):
            writer.transport.abort()
        self._pairs.clear()

    def restore(self) -> None:
        self.open = True

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@pytest.fixture
async def proxied_url(database_url: str) -> AsyncIterator[tuple[str, CuttableProxy]]:
    if not database_url.startswith("postgresql"):
        pytest.skip("connections are cut on PostgreSQL (SQLite has none)")
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    proxy = await CuttableProxy(url.host or "127.0.0.1", url.port or 5432).start()
    yield url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy
    await proxy.close()


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set (CI sets it)")
async def test_postgresql_connections_cut_during_traffic(
    services: Services, proxied_url: tuple[str, CuttableProxy]
) -> None:
    url, proxy = proxied_url
    app = App.create(settings_for(database_url=url), services=services)
    pipeline = app.pipeline
    kept: list[str] = []
    try:
        for n in range(6):  # a few users choose their language: acknowledged, so kept
            user = UserRef("web", f"pg-cut-user-{n:04d}")
            await pipeline.handle(Inbound(user, text="/start"))
            replies = await pipeline.handle(Inbound(user, callback="lang:vi"))
            assert replies and "wrong" not in replies[0].text
            kept.append(user.external_id)
            if n == 2:
                proxy.cut()
                during = await pipeline.handle(
                    Inbound(
                        UserRef("web", "pg-cut-child-0001"),
                        text="bố em ngày nào cũng đánh em bằng roi",
                    )
                )
                # the database is gone: a child at risk still gets the numbers
                assert "111" in [b.value for r in during for row in r.buttons for b in row]
                proxy.restore()
        # after the cut, the pool's dead connections are replaced: the next users are answered
    finally:
        await app.close()
    database = Database.from_url(url)
    async with database.session() as session:
        rows = (await session.execute(select(UserRow.external_id, UserRow.locale))).all()
    await database.close()
    assert {(external_id, "vi") for external_id in kept} <= set(rows)


# ---- Redis unavailable ----------------------------------------------------------------------


async def test_redis_unavailable_the_bot_goes_on_and_keeps_everything(
    services: Services, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    dead = f"redis://127.0.0.1:{_free_port()}/0"
    app = App.create(settings_for(database_url=database_url, redis_url=dead), services=services)
    user = UserRef("web", "redis-down-user-0001")
    try:
        await app.pipeline.handle(Inbound(user, text="/start"))
        replies = await app.pipeline.handle(Inbound(user, callback="lang:en"))
        assert "role:parent" in [b.value for r in replies for row in r.buttons for b in row]
    finally:
        await app.close()
    database = Database.from_url(database_url)
    async with database.session() as session:
        locale = (
            await session.execute(
                select(UserRow.locale).where(UserRow.external_id == user.external_id)
            )
        ).scalar_one()
    await database.close()
    assert locale == "en"
    assert any("Redis unavailable" in r.getMessage() for r in caplog.records)
