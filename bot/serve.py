"""``mangnon serve``: one aiohttp server for the web chat, health check and channel webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path
from typing import Protocol

from aiohttp import web

from bot.app import App, settle_heap
from bot.channels import web as web_chat
from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.channels.telegram import TelegramChannel, TelegramConfig, parse_ids
from bot.storage.migrate import upgrade

log = logging.getLogger(__name__)

PID_FILE = Path("var/mangnon.pid")
APP: web.AppKey[App] = web.AppKey("app", App)


class Channel(Protocol):
    """A running channel (Telegram, Zalo…): started by ``start_channels``, stopped at shutdown."""

    async def stop(self) -> None: ...


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP]
    from sqlalchemy import text

    try:
        async with app.database.session() as session:
            await session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:
        database = "down"
    library = app.services.content.library
    status = 200 if database == "ok" else 503
    return web.json_response(
        {
            "status": "ok" if status == 200 else "degraded",
            "database": database,
            "articles": len(library.articles),
        },
        status=status,
    )


def build_web_app(app: App) -> web.Application:
    web_app = web.Application(client_max_size=web_chat.MAX_BODY)
    web_app[APP] = app
    web_app.router.add_get("/healthz", healthz)
    web_chat.add_routes(web_app, app.pipeline, app.settings.content_dir)
    return web_app


async def start_channels(app: App, web_app: web.Application) -> list[Channel]:
    """Start every channel whose credentials are set. Each registers its sender in app.outbox."""
    channels: list[Channel] = []
    settings = app.settings
    if settings.telegram_bot_token is not None:
        secret = settings.telegram_webhook_secret
        config = TelegramConfig(
            token=settings.telegram_bot_token.get_secret_value(),
            content_dir=settings.content_dir,
            api_server=settings.telegram_api_server,
            mode="webhook" if settings.telegram_mode == "webhook" else "polling",
            webhook_url=settings.telegram_webhook_url,
            webhook_secret=secret.get_secret_value() if secret is not None else None,
            caseworker_chat_id=settings.caseworker_chat_id,
            caseworker_ids=parse_ids(settings.caseworker_ids),
        )
        telegram = TelegramChannel(config, app.pipeline)
        app.outbox.register(TELEGRAM, telegram.sender)
        await telegram.start(web_app)
        channels.append(telegram)
    return channels


TICK_SECONDS = 30


def _write_pid() -> None:
    """So that `mangnon content reload` can find the server."""
    PID_FILE.parent.mkdir(parents=True, exist_ok=True)
    PID_FILE.write_text(str(os.getpid()))


async def _tick_forever(app: App) -> None:
    """Periodic work: re-alert unacknowledged safety cases. One failure never stops the loop."""
    while True:
        await asyncio.sleep(TICK_SECONDS)
        try:
            await app.pipeline.tick()
        except Exception:
            log.exception("periodic work failed")


async def serve(app: App) -> None:
    await upgrade(app.settings.database_url)
    web_app = build_web_app(app)
    channels = await start_channels(app, web_app)
    settle_heap()  # everything loaded at start-up stays: the collector need not walk it again
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.web_host, app.settings.web_port)
    await site.start()
    _write_pid()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGHUP, app.reload_content)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    ticker = asyncio.create_task(_tick_forever(app))
    url = f"http://{app.settings.web_host}:{app.settings.web_port}"
    log.info("serving the web chat on %s", url)
    print(f"Măng Non is running: open {url} (Ctrl+C to stop)", flush=True)
    try:
        await stop.wait()
    finally:
        ticker.cancel()
        with contextlib.suppress(FileNotFoundError):
            PID_FILE.unlink()  # noqa: ASYNC240 - a tiny local file at shutdown
        for channel in channels:
            await channel.stop()
        await runner.cleanup()
        await app.close()
