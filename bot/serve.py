"""``mangnon serve``: one aiohttp server for the web chat, health check and channel webhooks,
the outbox dispatcher, and the periodic work."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from sqlalchemy import text

from bot import web as admin
from bot.app import App, settle_heap
from bot.channels import http
from bot.channels.base import ReportsHealth
from bot.metrics import CONTENT_TYPE, authorised
from bot.storage.gauges import read_gauges
from bot.storage.migrate import upgrade
from bot.storage.retention import claim_today, run_retention

log = logging.getLogger(__name__)

PID_FILE = Path("var/mangnon.pid")
APP: web.AppKey[App] = web.AppKey("app", App)
MAX_BODY = 1024 * 1024  # the largest body any route takes; each route checks its own limit
TICK_SECONDS = 30


async def healthz(request: web.Request) -> web.Response:
    app = request.app[APP]
    try:
        async with app.database.session() as session:
            await session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:
        database = "down"
    library = app.services.content.library
    status = 200 if database == "ok" else 503
    # a channel that cannot send (Zalo without a valid token) is degraded, but the worker still
    # serves everything else: it stays in the load balancer (200), monitoring reads "degraded"
    degraded = {
        channel.name: problem
        for channel in app.channels
        if isinstance(channel, ReportsHealth) and (problem := channel.health()) is not None
    }
    return web.json_response(
        {
            "status": "ok" if status == 200 and not degraded else "degraded",
            "database": database,
            "articles": len(library.articles),
            "channels": [channel.name for channel in app.channels],
            "degraded": degraded,
        },
        status=status,
    )


async def metrics(request: web.Request) -> web.Response:
    """Prometheus metrics (bot/metrics.py): counts and timings, never text."""
    app = request.app[APP]
    token = app.settings.metrics_token
    if not authorised(
        request.headers.get("Authorization"), token.get_secret_value() if token else None
    ):
        return web.Response(status=401, text="metrics: a bearer token is required\n")
    try:
        gauges = await read_gauges(
            app.database,
            datetime.now(UTC),
            timedelta(minutes=app.settings.desk.ack_minutes),
        )
    except Exception:  # the scrape still answers: mangnon_database_up 0
        log.warning("metrics: the database did not answer")
        gauges = None
    return web.Response(body=app.metrics.render(gauges), headers={"Content-Type": CONTENT_TYPE})


async def _to_admin(request: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect("/admin/")


def build_web_app(app: App) -> web.Application:
    """The server's application: ``/healthz`` and the admin here, the rest mounted by the
    channels."""
    web_app = web.Application(client_max_size=MAX_BODY, middlewares=[http.guard])
    web_app[APP] = app
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics)
    if app.settings.admin.enabled:
        web_app.router.add_get("/admin", _to_admin)
        web_app.add_subapp("/admin/", admin.build(app.admin_context()))
    return web_app


def _write_pid() -> None:
    """So that `mangnon content reload` can find the server."""
    PID_FILE.parent.mkdir(parents=True, exist_ok=True)
    PID_FILE.write_text(str(os.getpid()))


class DailyRetention:
    """Once a day (in TIMEZONE), one worker applies RETENTION_DAYS (bot/storage/retention.py)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.done: str | None = None  # the last day this process looked at

    async def __call__(self) -> None:
        now = datetime.now(UTC)
        day = now.astimezone(self.app.settings.zone).date().isoformat()
        if day == self.done:
            return
        self.done = day
        if not await claim_today(self.app.database, day):
            return  # another worker has it
        report = await run_retention(
            self.app.database,
            now,
            self.app.settings.retention_days,
            self.app.settings.case_retention_days,
        )
        log.info("retention: %s", report.summary())


async def _tick_forever(app: App) -> None:
    """Periodic work: re-alert unacknowledged safety cases; start scheduled campaign runs and
    close finished ones; retention once a day. One failure never stops the loop."""
    retention = DailyRetention(app)
    while True:
        await asyncio.sleep(TICK_SECONDS)
        for work in (app.pipeline.tick, app.campaigns.tick, retention):
            try:
                await work()
            except Exception:
                log.exception("periodic work failed")


async def serve(app: App) -> None:
    await upgrade(app.settings.database_url)
    web_app = build_web_app(app)
    await app.start_channels(web_app)
    settle_heap()  # everything loaded at start-up stays: the collector need not walk it again
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.web.host, app.settings.web.port)
    await site.start()
    _write_pid()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGHUP, app.reload_content)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    ticker = asyncio.create_task(_tick_forever(app))
    dispatcher = asyncio.create_task(app.dispatcher.run())
    url = f"http://{app.settings.web.host}:{app.settings.web.port}"
    log.info("serving the web chat on %s", url)
    print(f"Măng Non is running: open {url} (Ctrl+C to stop)", flush=True)
    try:
        await stop.wait()
    finally:
        ticker.cancel()
        app.dispatcher.stop()
        with contextlib.suppress(Exception):
            await dispatcher
        with contextlib.suppress(FileNotFoundError):
            PID_FILE.unlink()  # noqa: ASYNC240 - a tiny local file at shutdown
        await app.stop_channels()
        await runner.cleanup()
        await app.close()
