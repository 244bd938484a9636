"""``mangnon serve`` and ``mangnon chat``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.config import load_settings
from bot.logs import setup_logging


def register(commands: Any) -> None:
    serve = commands.add_parser(
        "serve", help="migrate the database and serve all configured channels"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="N processes sharing the listening socket (webhook/web mode; set REDIS_URL)",
    )
    serve.set_defaults(func=_serve)
    dispatch = commands.add_parser(
        "dispatch", help="send outbox messages (desk alerts, campaigns) without serving"
    )
    dispatch.set_defaults(func=_dispatch)
    chat = commands.add_parser("chat", help="chat with the bot in this terminal")
    chat.set_defaults(func=_chat)


def _serve(args: argparse.Namespace) -> int:
    from bot.app import App
    from bot.serve import serve

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format, settings.log_repeat_seconds)
    if args.workers < 1:
        print("mangnon: --workers must be at least 1", file=sys.stderr)
        return 2
    if args.workers > 1:
        from bot.workers import run_workers

        if settings.telegram.bot_token is not None and settings.telegram.mode == "polling":
            print(
                "mangnon: --workers needs TELEGRAM_MODE=webhook (only one process may poll)",
                file=sys.stderr,
            )
            return 2
        return run_workers(settings, args.workers)
    asyncio.run(serve(App.create(settings)))
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    from bot.app import App
    from bot.workers import dispatch

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format, settings.log_repeat_seconds)
    asyncio.run(dispatch(App.create(settings)))
    return 0


def _chat(args: argparse.Namespace) -> int:
    from bot.app import App
    from bot.channels.console import ConsoleChat
    from bot.storage.migrate import upgrade

    settings = load_settings()
    setup_logging("WARNING", settings.log_format)

    async def session() -> None:
        await upgrade(settings.database_url)
        app = App.create(settings)
        console = ConsoleChat(app.pipeline)
        app.dispatcher.senders[console.name] = console
        dispatcher = asyncio.create_task(app.dispatcher.run())
        try:
            await console.run()
        finally:
            app.dispatcher.stop()
            await dispatcher
            await app.close()

    asyncio.run(session())
    return 0
