"""Benchmark the Telegram channel (issue #6) against a bare aiogram echo bot, in the same run.

Both bots long-poll the same fake Bot API server, which runs in its own process
(``tests/fakes/telegram_api.py``) so that it does not share the bots' CPU. Ours goes through the
whole stack: aiogram polling → adapter → per-user queue → pipeline (safety check, dialog, search)
→ the default store (cached profiles, batched writes) on SQLite → rendered replies → the
rate-limited sender → the fake server. The echo bot answers each message with its text and each
button with an answerCallbackQuery and a message.

Each simulated user onboards and asks a question: /start, language, role, consent, a question
(5 updates, new users in every round). Telegram's flood limits are raised for the run (a fake
server has none; with them, 30 messages/s overall would be all we measured); the limiter still
runs for every message. Handling time is per update, from the start of its turn to its last
reply acknowledged by the server (queue wait excluded).

Run: ``.venv/bin/python -m bench.bench_telegram`` (``--write`` updates the
"## Telegram (issue #6)" section of docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message

from bench.report import DOC_PATH, write_section
from bot.app import build_services, store_factory
from bot.channels.telegram import TelegramChannel, TelegramConfig
from bot.config import Settings
from bot.core.messages import Button, Inbound, Reply
from bot.core.pipeline import Pipeline
from bot.storage.cached import CachedStores
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from tests.fakes import telegram_updates as tg

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Telegram (issue #6)"
COMMAND = ".venv/bin/python -m bench.bench_telegram --write"
TOKEN = "123456:TEST-token_abc"
QUESTION = "làm sao để con tôi không bị đuối nước khi đi bơi"
GOAL_RATIO, GOAL_P99_MS = 0.70, 20.0

_user_ids = itertools.count(10_000)


STEPS = 5


def conversation(user_id: int) -> list[list[dict[str, Any]]]:
    """A user's updates, in the steps a person takes (each step waits for the previous one)."""
    return [
        [tg.text(user_id, "/start")],
        [tg.callback(user_id, "lang:vi")],
        [tg.callback(user_id, "role:parent")],
        [tg.callback(user_id, "consent:self")],
        [tg.text(user_id, QUESTION)],
    ]


class FakeServer:
    """The fake Bot API server in a child process, driven through its control API."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.url = ""
        self.http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> FakeServer:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.fakes.telegram_api", cwd=ROOT, stdout=subprocess.PIPE
        )
        assert self.process.stdout is not None
        self.url = (await self.process.stdout.readline()).decode().strip()
        self.http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.http is not None:
            await self.http.close()
        if self.process is not None:
            self.process.terminate()
            await self.process.wait()

    async def push(self, updates: list[dict[str, Any]]) -> int:
        assert self.http is not None
        async with self.http.post(f"{self.url}/_fake/updates", json=updates) as res:
            ids: list[int] = (await res.json())["ids"]
            return ids[-1]

    async def stats(self) -> dict[str, Any]:
        assert self.http is not None
        async with self.http.get(f"{self.url}/_fake/stats") as res:
            result: dict[str, Any] = await res.json()
            return result

    async def wait(self, last_id: int, sends: int | None = None) -> None:
        """Until the bot has taken ``last_id`` (and, if given, sent ``sends`` messages in all)."""
        while True:
            stats = await self.stats()
            sent = stats["calls"].get("sendMessage", 0)
            if stats["confirmed"] > last_id and (sends is None or sent >= sends):
                return
            await asyncio.sleep(0.005)


@dataclass
class Round:
    updates: int
    seconds: float
    handling_ms: list[float]
    cpu_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


def session(url: str) -> AiohttpSession:
    return AiohttpSession(api=TelegramAPIServer.from_base(url))


async def run_echo(server: FakeServer, users: int) -> Round:
    bot = Bot(TOKEN, session=session(server.url))
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    @dp.callback_query()
    async def button(query: CallbackQuery) -> None:
        await query.answer()
        if query.message is not None:
            await bot.send_message(query.message.chat.id, query.data or "?")

    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        return await burst(server, users, None)
    finally:
        await dp.stop_polling()
        await polling
        await bot.session.close()


class NoOpCore(Pipeline):
    """The channel alone: one reply with a button for every update, no database."""

    async def handle(self, inbound: Inbound) -> list[Reply]:
        text = inbound.text or inbound.callback or "?"
        return [Reply(text, buttons=((Button.callback("Next", "tip:next"),),))]


@contextlib.asynccontextmanager
async def our_bot(server: FakeServer, pipeline: Pipeline) -> AsyncIterator[Ours]:
    ours = Ours()
    config = TelegramConfig(
        token=TOKEN,
        content_dir=ROOT / "content",
        api_server=server.url,
        per_chat_rate=1000.0,
        per_chat_burst=10,
        global_rate=100_000.0,
        global_burst=1000,
        polling_timeout=1,
    )
    ours.channel = TelegramChannel(
        config, pipeline, observer=lambda s: ours.timings.append(s * 1000)
    )
    await ours.channel.start()
    try:
        yield ours
    finally:
        await ours.channel.stop()


@dataclass
class Ours:
    channel: TelegramChannel | None = None
    timings: list[float] = field(default_factory=list)

    async def idle(self) -> None:
        assert self.channel is not None
        await self.channel.idle()

    async def flush(self) -> None:
        """Batched writes count: the round ends when they are in the database."""
        assert self.channel is not None
        stores = self.channel.pipeline.stores
        if isinstance(stores, CachedStores):
            await stores.flush()


async def run_ours(server: FakeServer, users: int, pipeline: Pipeline) -> Round:
    async with our_bot(server, pipeline) as ours:
        result = await burst(server, users, ours)
        result.handling_ms = ours.timings
        return result


async def burst(server: FakeServer, users: int, ours: Ours | None) -> Round:
    """Every user's first step at once, then each next step once all users got their answers."""
    steps = [conversation(next(_user_ids)) for _ in range(users)]
    before = (await server.stats())["calls"].get("sendMessage", 0)
    count = 0
    cpu, started = time.process_time(), time.perf_counter()
    for step in range(STEPS):
        batch = [update for s in steps for update in s[step]]
        count += len(batch)
        last = await server.push(batch)
        # the echo bot sends one message per update; ours is done when its queues are empty
        await server.wait(last, before + count if ours is None else None)
        if ours is not None:
            await ours.idle()
    if ours is not None:
        await ours.flush()
    return Round(count, time.perf_counter() - started, [], time.process_time() - cpu)


async def steady(server: FakeServer, pipeline: Pipeline, rate: float, users: int) -> list[float]:
    """Updates arriving one by one at ``rate`` per second: handling time when not overloaded."""
    async with our_bot(server, pipeline) as ours:
        group = [conversation(next(_user_ids)) for _ in range(users)]
        order = [s[step][0] for step in range(STEPS) for s in group]
        start = time.perf_counter()
        for n, update in enumerate(order):
            await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
            last = await server.push([update])
        await server.wait(last)
        await ours.idle()
        return ours.timings


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench(users: int, repeats: int, rate: float, database_url: str | None) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade(url)
        settings = Settings(
            content_dir=ROOT / "content",
            locales_dir=ROOT / "locales",
            _env_file=None,
        )
        services = build_services(settings)
        database = Database.from_url(url)
        stores = store_factory(settings, database)  # what `mangnon serve` runs with
        pipeline = Pipeline(services, stores)
        noop = NoOpCore(services, database.store)
        try:
            async with FakeServer() as server:
                await run_ours(server, 20, pipeline)  # warm up every path once
                await run_ours(server, 20, noop)
                await run_echo(server, 20)
                rounds: dict[str, list[Round]] = {"echo": [], "noop": [], "ours": []}
                for _ in range(repeats):
                    rounds["echo"].append(await run_echo(server, users))
                    rounds["noop"].append(await run_ours(server, users, noop))
                    rounds["ours"].append(await run_ours(server, users, pipeline))
                latency = await steady(server, pipeline, rate, users=max(10, int(rate)))
        finally:
            if isinstance(stores, CachedStores):
                await stores.close()
            await database.close()
    backend = url.split(":", 1)[0].split("+")[0]
    return report(users, rounds, latency, rate, backend)


def report(
    users: int, rounds: dict[str, list[Round]], latency: list[float], rate: float, backend: str
) -> str:
    def median_rate(name: str) -> float:
        return statistics.median(r.rate for r in rounds[name])

    def cpu_ms(name: str) -> float:
        return statistics.median(r.cpu_seconds / r.updates * 1000 for r in rounds[name])

    echo, noop, ours = median_rate("echo"), median_rate("noop"), median_rate("ours")
    burst_ms = [ms for r in rounds["ours"] for ms in r.handling_ms]
    p50, p99 = percentile(latency, 0.50), percentile(latency, 0.99)
    ratio = ours / echo
    updates = rounds["ours"][0].updates
    mark = "✅" if ratio >= GOAL_RATIO else "❌"
    mark99 = "✅" if p99 < GOAL_P99_MS else "❌"
    return "\n".join(
        [
            f"Throughput: {users} users × {STEPS} updates ({updates} updates a round: /start,",
            "language, role, consent, a question), each step sent to all users at once; median",
            f"of {len(rounds['ours'])} rounds. Database: {backend}. Fake Bot API server in its own",
            "process. CPU is this process's CPU time per update (aiosqlite's thread included).",
            "",
            "| bot | updates/s | vs echo | CPU per update |",
            "|---|---:|---:|---:|",
            f"| aiogram echo bot (baseline) | {echo:.0f} | 100% | {cpu_ms('echo'):.2f} ms |",
            f"| our Telegram channel, no-op core | {noop:.0f} | {noop / echo:.0%} "
            f"| {cpu_ms('noop'):.2f} ms |",
            f"| Măng Non, whole stack | {ours:.0f} | {ratio:.0%} | {cpu_ms('ours'):.2f} ms |",
            "",
            "Handling time per update (turn start → last reply acknowledged by the server), at a",
            f"steady {rate:.0f} updates/s: p50 **{p50:.1f} ms**, p99 **{p99:.1f} ms**; during the",
            f"bursts above (queueing for the database included): p50 {percentile(burst_ms, 0.5):.0f}"
            f" ms, p99 {percentile(burst_ms, 0.99):.0f} ms.",
            "",
            f"- throughput, whole stack: **{ratio:.0%} of the echo bot** (goal ≥ {GOAL_RATIO:.0%})"
            f" {mark}; the channel alone: {noop / echo:.0%}",
            f"- handling time p99 at {rate:.0f} updates/s: **{p99:.1f} ms** (goal < "
            f"{GOAL_P99_MS:.0f} ms) {mark99}",
            "",
            "How to read this:",
            "- The channel itself (aiogram polling, adapter, per-user queues, rendering, the",
            f"  rate-limited sender) runs at {noop / echo:.0%} of the bare echo bot: the no-op row"
            " (85-105% across runs on a busy machine).",
            f"- The gap is the core: {cpu_ms('ours') - cpu_ms('noop'):.1f} ms of CPU per update"
            " for the pipeline and its database",
            "  work. The store is the default for one process (bot/storage/cached.py): profiles",
            "  from memory, routine writes batched, the final flush inside the round. Every user",
            "  here is new, so one update in five pays for a first sight (SELECT, INSERT, open-case",
            "  check: ~3 ms through aiosqlite's thread); bench_core splits the cost further.",
            "  `--database-url postgresql+asyncpg://…` measures PostgreSQL instead.",
            "- Turns in the core at once are limited (TelegramConfig.max_concurrency = 4):",
            "  SQLite serialises writers, and 64 concurrent turns measured ~25% slower with",
            "  p99 handling over a second in bursts; PostgreSQL gains nothing beyond that either.",
            "- Handling time in bursts is queueing: 1000 updates arrive at once and wait for the",
            "  core; at a steady load below capacity it is the time of one turn.",
        ]
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rate", type=float, default=50.0, help="steady load, updates/s")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--write", action="store_true", help=f"update {DOC_PATH.name}")
    args = parser.parse_args(argv)
    text = asyncio.run(bench(args.users, args.repeats, args.rate, args.database_url))
    print(text)
    if args.write:
        write_section(SECTION, COMMAND, text)
        print(f"\nwritten to {DOC_PATH}")


if __name__ == "__main__":
    main()
