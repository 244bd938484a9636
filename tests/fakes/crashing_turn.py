"""A process that dies between a turn's commit and the send (run by tests/test_crash.py).

    python -m tests.fakes.crashing_turn DATABASE_URL

A child discloses and asks for a counsellor; the case alert is committed to the outbox; the
dispatcher claims it and the process is killed (SIGKILL) as the channel is about to send.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import replace

from bot.app import App, build_services
from bot.core.hours import parse_hours
from bot.core.messages import Inbound, UserRef
from bot.core.outbox import Delivery, Envelope
from tests.conftest import settings_for

DESK = UserRef("test", "desk")
CHILD = UserRef("test", "child")


class DiesOnSend:
    async def deliver(self, envelope: Envelope) -> Delivery:
        print("claimed; dying", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable")


async def main(url: str) -> None:
    settings = settings_for(database_url=url, outbox={"lease_seconds": 1, "poll_seconds": 0.05})
    services = build_services(settings)
    services.desk = replace(services.desk, feeds=(DESK,), hours=parse_hours("00:00-24:00"))
    app = App.create(settings, services=services)
    app.dispatcher.senders["test"] = DiesOnSend()
    runner = asyncio.create_task(app.dispatcher.run())
    await app.pipeline.handle(Inbound(CHILD, text="bố em ngày nào cũng đánh em bằng roi"))
    await app.pipeline.handle(Inbound(CHILD, callback="case:yes"))
    print("committed", flush=True)
    await runner  # the dispatcher wakes, claims the alert, and the process dies


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
