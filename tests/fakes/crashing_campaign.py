"""A process killed (SIGKILL) in the middle of a campaign (run by tests/test_crash.py).

    python -m tests.fakes.crashing_campaign DATABASE_URL WORKDIR KILL_AFTER

It adds ``USERS`` subscribers, writes, submits, approves and sends a campaign, and delivers it
through a channel that appends each recipient to WORKDIR/delivered.log (an append is on disk when
``deliver`` returns, as a message is with Telegram) and kills the process after KILL_AFTER
deliveries, with ``CONCURRENCY`` sends in flight.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.app import App, build_services
from bot.config import Settings
from bot.core.cases.model import StaffRole
from bot.core.outbox import Delivery, Envelope
from bot.storage.models import UserRow
from tests.conftest import settings_for

USERS = 400
CONCURRENCY = 8
CAMPAIGN = """\
title: Crash test
messages:
  vi:
    text: "Một thông điệp cho mọi người."
"""


def crash_settings(url: str) -> Settings:
    return settings_for(
        database_url=url,
        outbox={"lease_seconds": 1, "poll_seconds": 0.05, "concurrency": CONCURRENCY, "batch": 50},
        campaigns={"quiet_hours": ""},
    )


def record(workdir: Path, recipient: str) -> None:
    fd = os.open(workdir / "delivered.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{recipient}\n".encode())
    finally:
        os.close(fd)


class DiesMidway:
    def __init__(self, workdir: Path, kill_after: int) -> None:
        self.workdir = workdir
        self.left = kill_after

    async def deliver(self, envelope: Envelope) -> Delivery:
        await asyncio.sleep(random.uniform(0, 0.004))  # sends overlap, as on the network
        record(self.workdir, envelope.to.external_id)
        self.left -= 1
        if self.left <= 0:
            os.kill(os.getpid(), signal.SIGKILL)
        return Delivery.sent()


async def main(url: str, workdir: Path, kill_after: int) -> None:
    settings = crash_settings(url)
    app = App.create(settings, services=build_services(settings))
    now = datetime.now(UTC)
    users = [
        {
            "channel": "test",
            "external_id": f"r{i}",
            "locale": "vi",
            "role": "parent",
            "subscribed": True,
            "frequency": "campaigns",
            "topics": "",
            "opted_out": False,
            "blocked": False,
            "state": "ready",
            "state_data": {},
            "created_at": now,
            "last_seen_at": now,
        }
        for i in range(USERS)
    ]
    async with app.database.engine.begin() as conn:
        await conn.execute(insert(UserRow.__table__), users)
    async with app.database.store() as store:
        await store.staff.add("Editor", frozenset({StaffRole.EDITOR}), now)
        await store.staff.add("Approver", frozenset({StaffRole.APPROVER}), now)
        await store.commit()
    path = workdir / "campaign.yaml"
    path.write_text(CAMPAIGN, encoding="utf-8")
    campaign = await app.campaigns.create(path, by="Editor")
    await app.campaigns.submit(campaign.id, "Editor")
    await app.campaigns.approve(campaign.id, "Approver")
    await app.campaigns.send(campaign.id, "crash-test")
    print("queued", flush=True)
    app.dispatcher.senders["test"] = DiesMidway(workdir, kill_after)
    await app.dispatcher.run()  # until the channel kills the process


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])))
