"""Nothing decided is lost: a process killed between a turn's commit and the send delivers the
message after the restart (SQLite: the restarted dispatcher releases its old claims; PostgreSQL:
the claim's lease runs out); a campaign killed midway reaches everyone, and only what was in
flight goes twice."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App, build_services
from bot.core.outbox import Delivery, Envelope
from bot.storage.models import EventRow, OutboxRow, UserRow
from tests.conftest import ROOT, settings_for
from tests.fakes.crashing_campaign import CONCURRENCY, USERS, crash_settings, record
from tests.fakes.crashing_turn import DESK


class Recorder:
    def __init__(self) -> None:
        self.got: list[Envelope] = []

    async def deliver(self, envelope: Envelope) -> Delivery:
        self.got.append(envelope)
        return Delivery.sent()


async def test_killed_after_the_commit_the_alert_is_sent_after_restart(database_url: str) -> None:
    child = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tests.fakes.crashing_turn", database_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stderr[-2000:]
    assert "committed" in child.stdout and "claimed; dying" in child.stdout

    settings = settings_for(database_url=database_url, outbox={"lease_seconds": 1})
    app = App.create(settings, services=build_services(settings))
    try:
        async with app.database.session() as session:
            (row,) = (await session.execute(select(OutboxRow))).scalars()
        assert row.status == "sending"  # claimed by the dead process, never settled
        recorder = Recorder()
        app.dispatcher.senders["test"] = recorder
        app.services.desk = replace(app.services.desk, feeds=(DESK,))
        await asyncio.sleep(1.1)  # PostgreSQL: the dead process's lease runs out
        await app.queue.recover(app.pipeline.clock.now())  # SQLite: what a restart does
        assert await app.dispatcher.drain_once() == 1
        (envelope,) = recorder.got
        assert envelope.to == DESK and "roi" in envelope.replies[0].text
        assert envelope.attempts == 2  # once by the dead process, once now
    finally:
        await app.close()


async def test_killed_right_after_the_consent_reply_the_consent_is_kept(database_url: str) -> None:
    """Issue #18 defect 6: with write-behind on, what the bot has told the user it recorded
    (language, role, consent) is in the database when the process dies right after the reply;
    routine writes (analytics) may be lost, and were still waiting here."""
    child = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tests.fakes.crashing_consent", database_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stderr[-2000:]
    assert "acknowledged" in child.stdout and "waiting writes 0;" not in child.stdout
    settings = settings_for(database_url=database_url)
    app = App.create(settings, services=build_services(settings))
    try:
        async with app.database.session() as session:
            (row,) = (await session.execute(select(UserRow))).scalars()
            events = (await session.execute(select(EventRow))).scalars().all()
        assert (row.locale, row.role, row.consent_by) == ("en", "parent", "self")
        assert row.consent_at is not None
        assert len(events) >= 1  # the acknowledged turns' own events went with them
    finally:
        await app.close()


@pytest.mark.parametrize("kill_after", [3, 157])
async def test_a_campaign_killed_midway_reaches_everyone_once_after_restart(
    database_url: str, tmp_path: Path, kill_after: int
) -> None:
    """kill -9 in the middle of a broadcast, then a restart: no recipient is missed, and only
    those in flight at the kill (at most the configured concurrency) get it twice."""
    child = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "tests.fakes.crashing_campaign",
            database_url,
            str(tmp_path),
            str(kill_after),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert child.returncode == -9, child.stderr[-2000:]
    assert "queued" in child.stdout
    before = (tmp_path / "delivered.log").read_text().split()
    assert len(before) == kill_after

    settings = crash_settings(database_url)
    app = App.create(settings, services=build_services(settings))
    try:

        class Resumed:
            async def deliver(self, envelope: Envelope) -> Delivery:
                record(tmp_path, envelope.to.external_id)
                return Delivery.sent()

        app.dispatcher.senders["test"] = Resumed()
        await asyncio.sleep(1.1)  # PostgreSQL: the dead process's leases run out
        await app.queue.recover(app.pipeline.clock.now())  # SQLite: what a restart does
        while await app.dispatcher.drain_once():
            pass
        await app.campaigns.tick()
        (campaign,) = await app.campaigns.listing()
        stats = await app.campaigns.stats(campaign.id)
    finally:
        await app.close()
    delivered = (tmp_path / "delivered.log").read_text().split()
    assert set(delivered) == {f"r{i}" for i in range(USERS)}  # nobody missed
    twice = len(delivered) - USERS
    assert 0 <= twice <= CONCURRENCY  # only what was in flight at the kill
    assert (stats.progress.sent, stats.progress.waiting) == (USERS, 0)
    assert campaign.status.value == "done"
