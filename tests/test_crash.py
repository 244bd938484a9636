"""Nothing decided is lost: a process killed between a turn's commit and the send delivers the
message after the restart (SQLite: the restarted dispatcher releases its old claims; PostgreSQL:
the claim's lease runs out)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace

from sqlalchemy import select

from bot.app import App, build_services
from bot.core.outbox import Delivery, Envelope
from bot.storage.models import OutboxRow
from tests.conftest import ROOT, settings_for
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
