"""Zalo's tokens: kept in the database, refreshed once however many senders (and workers) find
the access token refused, never sent back to the spent pair of the settings, and a refresh that
fails shows in /healthz."""

from __future__ import annotations

import asyncio
import logging
import sys

import pytest

from bot.channels.errors import ChannelConfigError
from bot.core.messages import Reply, UserRef
from bot.core.outbox import Outgoing, Priority
from bot.storage.credentials import SqlCredentialStore
from tests.channels.zalo.conftest import StartZalo, Zalo
from tests.conftest import ROOT
from tests.fakes import zalo_events as ev
from tests.fakes.zalo_api import FakeZalo

ANNA, BINH = "3301234567890123456", "3301234567890123457"


async def test_the_settings_pair_is_stored_and_refreshed_at_start(zalo: Zalo) -> None:
    assert zalo.fake.refreshes == 1  # its expiry is not known: refreshed at once
    assert zalo.app is not None
    stored = await SqlCredentialStore(zalo.app.database.engine).load("zalo")
    assert stored is not None and stored.refresh == zalo.fake.refresh != "refresh-0"
    assert stored.expires_at is not None


async def test_a_restart_uses_the_stored_pair_not_the_spent_one(zalo: Zalo) -> None:
    await zalo.restart()  # ZALO_REFRESH_TOKEN still says refresh-0, which Zalo spent
    assert zalo.fake.refreshes == 1 and zalo.channel.health() is None
    assert await zalo.say(ANNA, "xin chào")


async def test_two_senders_refused_at_once_refresh_once(zalo: Zalo) -> None:
    await zalo.push(ev.follow(ANNA), ev.follow(BINH))
    zalo.fake.expire_access()  # say, Zalo revoked it
    zalo.fake.refresh_delay = 0.3  # both senders are refused while the refresh is on its way
    before = zalo.fake.refreshes

    sent = await zalo.push(ev.text(ANNA, "xin chào"), ev.text(BINH, "chào bạn"))
    assert zalo.fake.refreshes == before + 1
    refused = {c.user_id for c in zalo.fake.calls[zalo.mark :] if c.error == -216}
    assert refused == {ANNA, BINH}  # two senders met the old token…
    assert {c.user_id for c in sent} == {ANNA, BINH}  # …and both got through with the new one
    assert {c.token for c in sent} == {zalo.fake.access}


async def test_an_outbox_message_refused_for_its_token_is_sent_after_a_refresh(zalo: Zalo) -> None:
    await zalo.push(ev.follow(ANNA))
    zalo.fake.expire_access()
    assert zalo.app is not None
    async with zalo.app.database.store() as store:
        for priority in Priority:
            message = Outgoing(UserRef("zalo", ANNA), (Reply(f"p{priority.value}"),), priority)
            await store.outbox.enqueue(message, zalo.app.pipeline.clock.now())
        await store.commit()
    await zalo.settle()
    assert [c.text for c in zalo.fake.sent(ANNA)[-3:]] == ["p0", "p5", "p9"]


async def test_a_failed_refresh_alerts_the_operator_and_degrades_healthz(
    zalo: Zalo, caplog: pytest.LogCaptureFixture
) -> None:
    await zalo.push(ev.follow(ANNA))
    zalo.fake.expire_access()
    zalo.fake.refuse_refresh = True
    with caplog.at_level(logging.CRITICAL):
        await zalo.say(ANNA, "xin chào")
    alert = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert alert and "ZALO_REFRESH_TOKEN" in alert[0].getMessage()
    assert "refresh-" not in alert[0].getMessage()  # never a token in the log

    assert zalo.client is not None
    health = await (await zalo.client.get("/healthz")).json()
    assert health["status"] == "degraded" and "zalo" in health["degraded"]

    zalo.fake.refuse_refresh = False  # the operator fixed it (or Zalo came back)
    await zalo.say(ANNA, "xin chào")
    health = await (await zalo.client.get("/healthz")).json()
    assert health["status"] == "ok" and health["degraded"] == {}


async def test_tokens_zalo_refuses_at_first_start_stop_the_server(start_zalo: StartZalo) -> None:
    for _ in range(2):  # again: the pair was stored, but Zalo never took it
        with pytest.raises(ChannelConfigError, match="ZALO_REFRESH_TOKEN"):
            await start_zalo(refresh_token="a-typo")


async def test_stored_tokens_that_stop_working_degrade_zalo_not_the_server(
    zalo: Zalo, start_zalo: StartZalo
) -> None:
    await zalo.close()
    zalo.fake.expire_access()  # e.g. the server was off for months: both tokens expired
    zalo.fake.refresh = "expired"
    again = await start_zalo()
    assert again.channel.health() is not None
    assert again.client is not None
    health = await (await again.client.get("/healthz")).json()
    assert health["degraded"]["zalo"].startswith("token refresh failed")


async def test_two_worker_processes_refresh_once(
    fake_zalo: FakeZalo, database_url: str, start_zalo: StartZalo
) -> None:
    """Two processes sharing PostgreSQL, both refused at once: the advisory lock makes the
    second take the pair the first one stored instead of spending the refresh token again."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process")
    harness = await start_zalo()  # stores the pair
    await harness.close()
    fake_zalo.expire_access()
    fake_zalo.refresh_delay = 0.5
    before = fake_zalo.refresh_calls
    workers = [
        await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "tests.fakes.zalo_refresher"),
            *(database_url, fake_zalo.url, user),
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for user in (ANNA, BINH)
    ]
    try:
        for worker in workers:  # both have loaded the same (now refused) pair
            assert worker.stdout is not None
            assert (await worker.stdout.readline()).strip() == b"ready"
        outputs = await asyncio.gather(*(w.communicate(b"go\n") for w in workers))
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    assert [out.split()[-1] for out, _ in outputs] == [b"0", b"0"]
    assert fake_zalo.refresh_calls == before + 1
    refused = {c.user_id for c in fake_zalo.calls if c.error == -216}
    assert refused == {ANNA, BINH}
