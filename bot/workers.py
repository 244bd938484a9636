"""``mangnon serve --workers N`` and ``mangnon dispatch``: several processes on one database.

``run_workers`` migrates once (under the migration lock), opens the listening socket, and forks
N workers that all accept on it (the kernel spreads the connections); each one is a whole
``mangnon serve`` (its own PID file, its own channels) except that it does not migrate. The
parent only supervises: SIGTERM/SIGINT stop every worker, SIGHUP is passed on to each of them
(content reload), and a worker that dies is started again (at most once a second).

``dispatch`` runs the outbox dispatcher without a web server: the push channels are built to
send, not to receive (no webhook, no polling). Run it beside workers started with
``OUTBOX_DISPATCH=false`` to scale sending separately from answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from typing import cast

from bot.app import CHANNELS, App
from bot.channels.base import PushChannel, SendOnly
from bot.config import Settings
from bot.core.channels import Reach
from bot.serve import serve
from bot.storage.migrate import upgrade_once

log = logging.getLogger(__name__)

BACKLOG = 1024
RESPAWN_PAUSE = 1.0


def worker_settings(settings: Settings, workers: int) -> Settings:
    """Several processes share users: no per-process profile cache (``write_behind_ms=0``)."""
    if workers > 1 and settings.write_behind_ms:
        return settings.model_copy(update={"write_behind_ms": 0})
    return settings


def listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.create_server((host, port), backlog=BACKLOG, reuse_port=False)
    sock.set_inheritable(True)
    return sock


def _worker(settings: Settings, sock: socket.socket) -> None:
    """In the forked child: serve on the shared socket until told to stop."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    code = 0
    try:
        asyncio.run(serve(App.create(settings), sock=sock, migrate=False))
    except BaseException:
        log.exception("worker stopped on an error")
        code = 1
    finally:
        os._exit(code)


def run_workers(settings: Settings, workers: int) -> int:
    if workers > 1 and not settings.redis_url:
        log.warning(
            "several workers without REDIS_URL: per-user locks and limits are per worker; "
            "set REDIS_URL to share them"
        )
    settings = worker_settings(settings, workers)
    if settings.migrate_at_start:
        asyncio.run(upgrade_once(settings.database_url))
    sock = listening_socket(settings.web.host, settings.web.port)
    children: dict[int, float] = {}  # pid → started at (monotonic)
    stopping = False

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            _worker(settings, sock)
        children[pid] = time.monotonic()

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def reload(signum: int, frame: object) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGHUP)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, reload)
    for _ in range(workers):
        spawn()
    log.info("workers started", extra={"count": workers})
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:  # pragma: no cover - PEP 475 retries os.wait itself
            continue
        started = children.pop(pid, None)
        if started is None or stopping:
            continue
        log.error(
            "a worker died; starting another",
            extra={"status": os.waitstatus_to_exitcode(status)},
        )
        time.sleep(max(0.0, RESPAWN_PAUSE - (time.monotonic() - started)))
        if not stopping:
            spawn()
    sock.close()
    return 0


async def dispatch(app: App) -> None:
    """The outbox dispatcher alone, with the push channels built to send."""
    for section, build in CHANNELS:
        channel = build(getattr(app.settings, section), app.context())
        if channel is not None and channel.capabilities.reach is Reach.PUSH:
            if isinstance(channel, SendOnly):
                await channel.start_sending()
            app.channels.append(channel)
            app.dispatcher.senders[channel.name] = cast(PushChannel, channel)
    loop = asyncio.get_running_loop()
    stopped = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    runner = asyncio.create_task(app.dispatcher.run())
    log.info("dispatching", extra={"count": len(app.dispatcher.senders)})
    try:
        await stopped.wait()
    finally:
        app.dispatcher.stop()
        with contextlib.suppress(Exception):
            await runner
        await app.stop_channels()
        await app.close()
