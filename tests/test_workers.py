"""``mangnon serve --workers N`` for real: N processes on one port, each with its own PID file;
content reload reaches every worker (signals without Redis, pub/sub with it); a killed worker is
replaced; SIGTERM stops them all."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

REDIS_URL = os.environ.get("TEST_REDIS_URL")
MANGNON = str(Path(sys.executable).with_name("mangnon"))
DEADLINE = 120.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp: Path, port: int, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'var' / 'm.db'}",
        "CONTENT_DIR": str(ROOT / "content"),
        "LOCALES_DIR": str(ROOT / "locales"),
        "WEB_PORT": str(port),
        "ADMIN_ENABLED": "false",
        **extra,
    }


def _wait(what: str, check: object) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _pids(tmp: Path) -> set[int]:
    return {int(p.stem) for p in (tmp / "var" / "run").glob("*.pid")}


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as res:
            return bool(res.status == 200)
    except OSError:
        return False


@pytest.fixture
def workers(
    tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[subprocess.Popen[str], Path, dict[str, str]]]:
    port = _free_port()
    env = _env(tmp_path, port, **getattr(request, "param", {}))
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [MANGNON, "serve", "--workers", "2"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=log,
        text=True,
    )
    try:
        _wait("two workers", lambda: len(_pids(tmp_path)) == 2 and _healthy(port))
        yield proc, tmp_path, env
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        log.close()


def _loaded(tmp: Path) -> int:
    return (tmp / "serve.log").read_text().count("content loaded")


def test_two_workers_reload_together_and_a_killed_one_is_replaced(
    workers: tuple[subprocess.Popen[str], Path, dict[str, str]],
) -> None:
    proc, tmp, env = workers
    log = (tmp / "serve.log").read_text()
    assert log.count("Running upgrade  -> 0001") == 1  # migrated once, not once per worker
    assert _loaded(tmp) == 2
    done = subprocess.run(
        [MANGNON, "content", "reload"], cwd=tmp, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0 and "2 worker(s)" in done.stdout
    _wait("both workers to reload", lambda: _loaded(tmp) == 4)

    first, second = sorted(_pids(tmp))
    os.kill(first, signal.SIGKILL)
    _wait(
        "a new worker", lambda: len(_pids(tmp) - {first, second}) == 1 and first not in _live(tmp)
    )
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    assert _live(tmp) == set()


def _live(tmp: Path) -> set[int]:
    alive = set()
    for pid in _pids(tmp):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        alive.add(pid)
    return alive


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (CI sets it)")
@pytest.mark.parametrize("workers", [{"REDIS_URL": REDIS_URL or ""}], indirect=True)
def test_with_redis_reload_goes_to_every_worker_over_pub_sub(
    workers: tuple[subprocess.Popen[str], Path, dict[str, str]],
) -> None:
    _, tmp, env = workers
    _wait("subscriptions", lambda: _publish(env) == 2)  # both workers listen
    _wait("both workers to reload", lambda: _loaded(tmp) >= 4)


def _publish(env: dict[str, str]) -> int:
    from bot.storage.redis_reload import publish

    return asyncio.run(publish(env["REDIS_URL"]))


async def test_mangnon_dispatch_sends_the_outbox_without_receiving(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bot.core.messages import Reply, UserRef
    from bot.core.outbox import Outgoing
    from bot.storage.database import Database
    from bot.storage.migrate import upgrade
    from tests.fakes.telegram_api import FakeTelegram

    url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'm.db'}"
    (tmp_path / "var").mkdir()
    await upgrade(url)
    database = Database.from_url(url)
    async with database.store() as store:
        await store.outbox.enqueue(
            Outgoing(UserRef("telegram", "9001"), (Reply("a case alert"),)), datetime.now(UTC)
        )
        await store.commit()
    await database.close()
    async with FakeTelegram() as fake:
        env = _env(
            tmp_path,
            _free_port(),
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_SERVER=fake.url,
            OUTBOX_POLL_SECONDS="0.2",
        )
        child = await asyncio.create_subprocess_exec(
            MANGNON, "dispatch", cwd=tmp_path, env=env, stderr=asyncio.subprocess.DEVNULL
        )
        try:
            await fake.wait_until(lambda: len(fake.sent(9001)) == 1, within=DEADLINE)
        finally:
            child.send_signal(signal.SIGTERM)
            assert await child.wait() == 0
        assert fake.sent(9001)[0].text == "a case alert"
        methods = {call.method for call in fake.calls}
        assert not methods & {"setWebhook", "deleteWebhook", "getUpdates"}  # sends only
