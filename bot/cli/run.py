"""``mangnon serve`` and ``mangnon chat``."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.config import load_settings
from bot.logs import setup_logging


def register(commands: Any) -> None:
    serve = commands.add_parser(
        "serve", help="migrate the database and serve all configured channels"
    )
    serve.set_defaults(func=_serve)
    chat = commands.add_parser("chat", help="chat with the bot in this terminal")
    chat.set_defaults(func=_chat)


def _serve(args: argparse.Namespace) -> int:
    from bot.app import App
    from bot.serve import serve

    settings = load_settings()
    setup_logging(settings.log_level, settings.log_format)
    asyncio.run(serve(App.create(settings)))
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
