"""Outbox delivery to Telegram with the flood limits lifted: messages per second, and what the
outbox adds to the bare sender, in the same run.

N messages to N different Telegram users go (a) straight through the Telegram sender, as fast as
it takes them (the baseline), and (b) through the durable outbox: rows written in one
transaction, claimed in batches by the dispatcher, sent by the same sender, settled in batches.
The fake Bot API server runs in a process of its own. Run:
``.venv/bin/python -m bench.bench_outbox [--messages N] [--database-url URL] [--write]``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import delete, insert

from bench.bench_telegram import TOKEN, FakeServer
from bench.report import write_section
from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.session import JsonSession
from bot.core.dispatcher import Dispatcher, DispatchOptions
from bot.core.messages import Button, Reply, UserRef
from bot.core.outbox import Outgoing, Priority
from bot.core.pipeline import SystemClock
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.outbox import OUTBOX, SqlOutboxQueue, outbox_values

SECTION = "## Outbox delivery (issue #15)"
COMMAND = ".venv/bin/python -m bench.bench_outbox --write"
GOAL = 1000.0  # messages per second, limits lifted
FIRST_USER = 5_000_000
MESSAGE = Reply(
    "💡 Trẻ dưới 6 tuổi cần người lớn trông trong tầm tay mỗi khi ở gần nước.",
    buttons=((Button.callback("📖 Tìm hiểu thêm", "topic:drowning-prevention"),),),
)


def sender_for(url: str) -> tuple[Bot, TelegramSender]:
    config = TelegramConfig(
        token=TOKEN,
        content_dir=Path("content"),
        api_server=url,
        per_chat_rate=1000.0,
        global_rate=1_000_000.0,
    )
    bot = Bot(TOKEN, session=JsonSession(api=TelegramAPIServer.from_base(url)))

    async def unreachable(_: UserRef) -> None:
        return None

    return bot, TelegramSender(bot, config, on_unreachable=unreachable)


def recipients(count: int, offset: int) -> list[UserRef]:
    return [UserRef("telegram", str(FIRST_USER + offset + i)) for i in range(count)]


async def direct(url: str, count: int, concurrency: int) -> tuple[float, float]:
    """The sender alone: (messages/s, CPU ms per message)."""
    bot, sender = sender_for(url)
    slots = asyncio.Semaphore(concurrency)

    async def one(to: UserRef) -> None:
        async with slots:
            await sender.send(to, [MESSAGE])

    try:
        cpu, started = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one(to) for to in recipients(count, 0)))
        seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    finally:
        await bot.session.close()
    return count / seconds, cpu_s / count * 1000


async def through_outbox(
    url: str, database_url: str, count: int, options: DispatchOptions
) -> tuple[float, float, float]:
    """Through the outbox: (messages/s, CPU ms per message, seconds to queue them all)."""
    database = Database.from_url(database_url)
    bot, sender = sender_for(url)
    now = datetime.now(UTC)
    rows = [
        outbox_values(Outgoing(to, (MESSAGE,), priority=Priority.BROADCAST, kind="bench"), now)
        for to in recipients(count, count)
    ]
    try:
        async with database.engine.begin() as conn:
            await conn.execute(delete(OUTBOX))
        queued = time.perf_counter()
        async with database.engine.begin() as conn:
            await conn.execute(insert(OUTBOX), rows)
        queued = time.perf_counter() - queued
        dispatcher = Dispatcher(
            SqlOutboxQueue(database.engine), {"telegram": sender}, SystemClock(), "bench", options
        )
        cpu, started = time.process_time(), time.perf_counter()
        sent = 0
        while handled := await dispatcher.drain_once():
            sent += handled
        seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
        assert sent == count, (sent, count)
        depth = await dispatcher.queue.depth()
        assert not depth, depth
    finally:
        await bot.session.close()
        await database.close()
    return count / seconds, cpu_s / count * 1000, queued


async def bench(count: int, database_url: str | None, options: DispatchOptions) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade(url)
        async with FakeServer() as server:
            await direct(server.url, 500, options.concurrency)  # warm up both paths
            await through_outbox(server.url, url, 500, options)
            base_rate, base_cpu = await direct(server.url, count, options.concurrency)
            rate, cpu, queued = await through_outbox(server.url, url, count, options)
    backend = url.split(":", 1)[0].split("+")[0]
    mark = "✅" if rate >= GOAL else "❌"
    return "\n".join(
        [
            f"{count:,} messages to {count:,} different Telegram users, flood limits lifted, the",
            f"fake Bot API server in its own process. Database: {backend}. Dispatcher: batches of",
            f"{options.batch}, {options.concurrency} sends in flight.",
            "",
            "| path | messages/s | vs the sender alone | CPU per message |",
            "|---|---:|---:|---:|",
            f"| the Telegram sender alone (baseline) | {base_rate:,.0f} | 100% | {base_cpu:.2f} ms |",
            f"| through the durable outbox | {rate:,.0f} | {rate / base_rate:.0%} | {cpu:.2f} ms |",
            "",
            f"- outbox delivery: **{rate:,.0f} messages/s** (goal ≥ {GOAL:,.0f}) {mark}",
            f"- writing the {count:,} rows in one transaction took {queued:.2f} s",
            "- The CPU column is this process's: the dispatcher, the sender and the database",
            "  driver; the fake server's CPU is not in it (it runs elsewhere).",
        ]
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    options = DispatchOptions(batch=args.batch, concurrency=args.concurrency)
    text = asyncio.run(bench(args.messages, args.database_url, options))
    print(text)
    if args.write:
        section, command = SECTION, COMMAND
        if args.database_url:
            backend = args.database_url.split(":", 1)[0].split("+")[0]
            section = f"{SECTION[:-1]}, {backend})"
            command = f"{COMMAND} --database-url {args.database_url}"
        write_section(section, command, text)


if __name__ == "__main__":
    main()
