"""Idle memory per worker: ``mangnon serve`` started, answering ``/healthz``, then left alone.

Each configuration runs in a process of its own, ``--rounds`` times (the median is reported):

- **web chat only**: no Telegram settings, so aiogram is never imported (channels are built
  only when configured: ``bot/channels/telegram/__init__.py``);
- **web chat, aiogram imported anyway**: the same worker with ``import aiogram`` first — what a
  worker without Telegram pays when a channel's library is imported whether or not it is used;
- **web chat + Telegram**: polling the fake Bot API (``tests/fakes/telegram_api.py``) with the
  channel and aiogram loaded.

Resident memory (``VmRSS``) is read from ``/proc`` after ``--idle`` seconds of quiet, with the
peak (``VmHWM``). Also the cost of importing aiogram alone in a bare interpreter.

    python -m bench.bench_memory [--rounds 3] [--idle 3] [--write]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.report import write_section

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Memory per worker (issue #18)"
# the worker, telling at exit whether aiogram was ever imported
SERVE = """
import sys
from bot.cli import main
try:
    code = main(["serve"])
finally:
    with open("aiogram-loaded", "w") as mark:
        mark.write(str("aiogram" in sys.modules))
raise SystemExit(code)
"""
TOKEN = "123456:TEST-token_abc"  # the fake Bot API's


@dataclass(frozen=True)
class Config:
    name: str
    preamble: str = ""
    telegram: bool = False


CONFIGS = (
    Config("web chat only (no Telegram settings)"),
    Config("web chat, aiogram imported anyway", preamble="import aiogram\n"),
    Config("web chat + Telegram (polling the fake Bot API)", telegram=True),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def wait_healthy(url: str, process: subprocess.Popen[bytes], within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=1) as res:
                if res.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise TimeoutError("the server did not answer /healthz")


def measure(config: Config, idle: float, fake_url: str | None) -> tuple[float, float, bool]:
    """(resident MB, peak MB, whether aiogram was loaded) of one idle worker."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "ZALO_", "PROMETHEUS_"))
        }
        env.update(
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/bench.db",
            WEB_HOST="127.0.0.1",
            WEB_PORT=str(port),
            LOG_LEVEL="WARNING",
            CONTENT_DIR=str(ROOT / "content"),
            LOCALES_DIR=str(ROOT / "locales"),
        )
        env.pop("REDIS_URL", None)
        if config.telegram:
            assert fake_url is not None
            env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_SERVER=fake_url)
        code = config.preamble + SERVE
        process = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=tmp,
            env=env | {"PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
            time.sleep(idle)
            rss = status_kb(process.pid, "VmRSS") / 1024
            peak = status_kb(process.pid, "VmHWM") / 1024
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        loaded = (Path(tmp) / "aiogram-loaded").read_text() == "True"
    return rss, peak, loaded


def import_cost() -> tuple[float, float]:
    """RSS (MB) of a bare interpreter, and after ``import aiogram``."""
    probe = (
        "import sys, pathlib\n"
        "def rss():\n"
        "    for l in pathlib.Path('/proc/self/status').read_text().splitlines():\n"
        "        if l.startswith('VmRSS:'): return int(l.split()[1]) / 1024\n"
        "before = rss()\nimport aiogram\nprint(before, rss())"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True, text=True)
    bare, after = (float(x) for x in out.stdout.split())
    return bare, after


BREAKDOWN = """
import gc, pathlib, sys
def rss():
    for l in pathlib.Path('/proc/self/status').read_text().splitlines():
        if l.startswith('VmRSS:'): return int(l.split()[1]) / 1024
root = pathlib.Path(sys.argv[1])
bare = rss()
import bot.app, bot.cli, bot.serve
imported = rss()
from bot.config import Settings
services = bot.app.build_services(
    Settings(_env_file=None, content_dir=root / "content", locales_dir=root / "locales")
)
gc.collect()
print(bare, imported, rss())
"""


def breakdown() -> tuple[float, float, float]:
    """RSS (MB) of a bare interpreter, after the server's imports, after loading the content,
    search index and safety model (what every worker holds before any channel)."""
    out = subprocess.run(
        [sys.executable, "-c", BREAKDOWN, str(ROOT)], capture_output=True, check=True, text=True
    )
    bare, imported, loaded = (float(x) for x in out.stdout.split())
    return bare, imported, loaded


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=float, default=3.0, help="seconds left alone before reading")
    parser.add_argument("--write", action="store_true", help="write docs/BENCHMARKS.md's section")
    args = parser.parse_args(argv)

    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.telegram_api"], cwd=ROOT, stdout=subprocess.PIPE
    )
    assert fake.stdout is not None
    fake_url = fake.stdout.readline().decode().strip()
    rows = []
    try:
        for config in CONFIGS:
            runs = [measure(config, args.idle, fake_url) for _ in range(args.rounds)]
            loaded = {r[2] for r in runs}
            assert loaded == {config.telegram or bool(config.preamble)}, (config.name, loaded)
            rss = statistics.median(r[0] for r in runs)
            peak = statistics.median(r[1] for r in runs)
            rows.append((config.name, rss, peak, min(r[0] for r in runs), max(r[0] for r in runs)))
            print(f"{config.name}: {rss:.0f} MB resident (peak {peak:.0f} MB)", flush=True)
    finally:
        fake.terminate()
        fake.wait()
    bare, with_aiogram = import_cost()
    _bare, imported, loaded = breakdown()
    base = rows[0][1]
    lines = [
        "| idle `mangnon serve` worker (SQLite, content loaded) | aiogram loaded | "
        "resident (median) | range | peak | vs web chat only |",
        "|---|---|---|---|---|---|",
        *(
            f"| {config.name} | {'yes' if config.telegram or config.preamble else 'no'} | "
            f"{rss:.0f} MB | {low:.0f}–{high:.0f} MB | {peak:.0f} MB | {rss - base:+.0f} MB |"
            for config, (_name, rss, peak, low, high) in zip(CONFIGS, rows, strict=True)
        ),
        "",
        f"`import aiogram` alone: a bare interpreter goes from {bare:.0f} MB to "
        f"{with_aiogram:.0f} MB (+{with_aiogram - bare:.0f} MB: pydantic models of the whole "
        f"Bot API). {args.rounds} rounds per configuration, each in a fresh process, read after "
        f"{args.idle:.0f} s idle.",
        "",
        f"Where a worker without Telegram's memory goes: the interpreter {bare:.0f} MB; the "
        f"server's imports (SQLAlchemy, aiohttp, pydantic, Alembic, numpy, the admin…) bring it "
        f"to {imported:.0f} MB; the content, its search index and the safety model to "
        f"{loaded:.0f} MB; the rest is the running server (database pools, the web app, "
        "caches).",
    ]
    text = "\n".join(lines)
    print("\n" + text)
    if args.write:
        write_section(SECTION, "python -m bench.bench_memory --write", text)


if __name__ == "__main__":
    main()
