"""A worker in Telegram webhook mode that can be killed mid-turn (run by tests/test_faults.py).

    python -m tests.fakes.crashing_webhook DATABASE_URL API_URL TOKEN PORT slow|normal

A message "slow…" makes the turn print "turn started" and wait (the test kills the process
then); anything else is handled as usual. The inbox lease is one second, so a restarted worker
claims what the killed one kept.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from bot.app import App, build_services
from bot.core.messages import Inbound, Reply
from bot.serve import serve
from tests.conftest import settings_for

SECRET = "crash-test-secret"
PATH = "/tg/hook"


async def main(url: str, api: str, token: str, port: int, mode: str) -> None:
    settings = settings_for(
        database_url=url,
        web={"port": port},
        admin={"enabled": False},
        telegram={
            "bot_token": token,
            "api_server": api,
            "mode": "webhook",
            "webhook_url": f"http://127.0.0.1:{port}{PATH}",
            "webhook_secret": SECRET,
            "inbox_lease_seconds": 1,
            "chat_rate": 100,
            "global_rate": 1000,
        },
    )
    app = App.create(settings, services=build_services(settings))
    handle = app.pipeline.handle

    async def slow_or_not(inbound: Inbound, *args: Any) -> list[Reply]:
        if mode == "slow" and inbound.text.startswith("slow"):
            print("turn started", flush=True)
            await asyncio.sleep(600)
        return await handle(inbound)

    app.pipeline.handle = slow_or_not  # type: ignore[method-assign]
    await serve(app)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]))
