"""What the Telegram webhook's durable 200 costs (issue #18): the inbox on, and off, same run.

The whole stack in one process (the cached store on SQLite, or PostgreSQL with
``--database-url``), the Telegram channel in webhook mode against the fake Bot API, and 32
concurrent webhook calls from 1,000 users each sending "/start". Measured: the time from the
POST to its answer (p50, p99; with the inbox that includes committing the update) and updates a
second until every reply has reached the fake API. Rounds alternate the two modes.

Run: ``.venv/bin/python -m bench.bench_inbox [--database-url URL] [--users N] [--rounds R]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from bot.storage.migrate import upgrade
from tests.channels.telegram.conftest import fast_config
from tests.conftest import settings_for
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import FakeTelegram

SECRET = "bench-secret"
CONNECTIONS = 32


async def one_round(url: str, users: int, inbox: bool, first_id: int) -> tuple[float, float, float]:
    app = App.create(settings_for(database_url=url))
    async with FakeTelegram() as fake:
        fake.record = False
        config = fast_config(
            fake, mode="webhook", webhook_url="http://127.0.0.1/hook", webhook_secret=SECRET
        )
        channel = TelegramChannel(config, app.pipeline, inbox=app.inbox if inbox else None)
        web_app = web.Application()
        await channel.start(web_app)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        latencies: list[float] = []
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(users):
            queue.put_nowait(n)

        async def client(http: aiohttp.ClientSession) -> None:
            while not queue.empty():
                n = queue.get_nowait()
                body = {"update_id": first_id + n, **tg.text(500_000 + first_id + n, "/start")}
                started = time.perf_counter()
                async with http.post(
                    f"http://127.0.0.1:{port}/hook",
                    json=body,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                ) as res:
                    assert res.status == 200
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        async with aiohttp.ClientSession() as http:
            await asyncio.gather(*(client(http) for _ in range(CONNECTIONS)))
        await channel.idle()
        elapsed = time.perf_counter() - started
        await channel.stop()
        await runner.cleanup()
        await app.close()
        assert fake.counts["sendMessage"] == users
    cuts = statistics.quantiles(latencies, n=100)
    return users / elapsed, cuts[49] * 1000, cuts[98] * 1000


async def main(url: str | None, users: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await upgrade(url)
        results: dict[bool, list[tuple[float, float, float]]] = {False: [], True: []}
        first_id = int(time.time())  # fresh update ids and users on every run
        for _round in range(rounds):
            for inbox in (False, True):
                first_id += users
                results[inbox].append(await one_round(url, users, inbox, first_id))
        print(f"{users} users, {CONNECTIONS} concurrent webhook calls, {rounds} rounds (median)")
        for inbox, runs in results.items():
            rate = statistics.median(r[0] for r in runs)
            p50 = statistics.median(r[1] for r in runs)
            p99 = statistics.median(r[2] for r in runs)
            name = "inbox (200 = stored)" if inbox else "no inbox (200 = queued)"
            print(
                f"  {name:<24} {rate:7.0f} updates/s   POST→200 p50 {p50:6.2f} ms  p99 {p99:6.2f} ms"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.users, args.rounds))
