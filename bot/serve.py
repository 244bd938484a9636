"""``mangnon serve``: one aiohttp server for the web chat, health check and channel webhooks,
the outbox dispatcher, and the periodic work.

Each serving process writes its own PID file in ``PID_DIR`` (``mangnon content reload`` signals
every one of them when there is no Redis; with ``REDIS_URL`` it publishes a reload message they
all listen to). ``mangnon serve --workers N`` (``bot.workers``) runs N of these processes on one
listening socket; ``mangnon dispatch`` runs the outbox dispatcher alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web
from sqlalchemy import text

from bot import web as admin
from bot.app import App, settle_heap
from bot.channels import http
from bot.channels.base import ReportsHealth
from bot.metrics import CONTENT_TYPE, authorised
from bot.storage import redis_reload
from bot.storage.gauges import read_gauges
from bot.storage.migrate import upgrade_once
from bot.storage.retention import claim_today, run_retention

log = logging.getLogger(__name__)

PID_DIR = Path("var/run")  # one <pid>.pid per serving process
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


def _write_pid() -> Path:
    """So that `mangnon content reload` can find this worker (one file per process)."""
    PID_DIR.mkdir(parents=True, exist_ok=True)
    path = PID_DIR / f"{os.getpid()}.pid"
    path.write_text(str(os.getpid()))
    return path


def running_pids() -> list[int]:
    """The serving processes alive now (stale PID files are removed)."""
    pids = []
    for path in sorted(PID_DIR.glob("*.pid")):
        try:
            pid = int(path.read_text())
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError, FileNotFoundError):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            continue
        except PermissionError:  # alive, another user's: still a server
            pass
        pids.append(pid)
    return pids


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


async def serve(app: App, sock: socket.socket | None = None, migrate: bool = True) -> None:
    """Serve until SIGINT/SIGTERM; on ``sock`` when given (a worker of ``--workers N``), else on
    ``WEB_HOST:WEB_PORT``."""
    settings = app.settings
    if migrate and settings.migrate_at_start:
        await upgrade_once(settings.database_url)
    web_app = build_web_app(app)
    await app.start_channels(web_app)
    settle_heap()  # everything loaded at start-up stays: the collector need not walk it again
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site: web.BaseSite = (
        web.SockSite(runner, sock)
        if sock is not None
        else web.TCPSite(runner, settings.web.host, settings.web.port)
    )
    await site.start()
    pid_file = _write_pid()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGHUP, app.reload_content)
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    background = [asyncio.create_task(_tick_forever(app))]
    if settings.redis_url:  # `mangnon content reload` reaches every worker through Redis
        background.append(
            asyncio.create_task(redis_reload.listen(settings.redis_url, app.reload_content))
        )
    dispatcher = asyncio.create_task(app.dispatcher.run()) if settings.outbox.dispatch else None
    url = f"http://{settings.web.host}:{settings.web.port}"
    log.info("serving the web chat on %s", url)
    print(f"Măng Non is running: open {url} (Ctrl+C to stop)", flush=True)
    try:
        await stop.wait()
    finally:
        for task in background:
            task.cancel()
        app.dispatcher.stop()
        if dispatcher is not None:
            with contextlib.suppress(Exception):
                await dispatcher
        with contextlib.suppress(FileNotFoundError):
            pid_file.unlink()
        await app.stop_channels()
        await runner.cleanup()
        await app.close()
