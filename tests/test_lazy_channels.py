"""A channel's library is imported only when the channel is configured: a worker without
Telegram settings never pays aiogram's ~155 MB (docs/BENCHMARKS.md "Memory per worker")."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

# builds mangnon serve's application and starts every configured channel, then reports
PROBE = """
import asyncio, json, sys
from pathlib import Path
from bot.app import App
from bot.channels import telegram
from bot.config import Settings
from bot.serve import build_web_app

root = Path(sys.argv[1])
settings = Settings(
    _env_file=None,
    database_url="sqlite+aiosqlite:///:memory:",
    content_dir=root / "content",
    locales_dir=root / "locales",
)
app = App.create(settings)

async def serve_once():
    web_app = build_web_app(app)
    await app.start_channels(web_app)
    names = [channel.name for channel in app.channels]
    await app.stop_channels()
    await app.close()
    return names

channels = asyncio.run(serve_once())
before = "aiogram" in sys.modules
if sys.argv[2:] == ["telegram"]:  # built only (starting it would call the Bot API)
    configured = telegram.TelegramSettings(bot_token="123456:TEST-token_abc")
    assert telegram.build(configured, app.context()) is not None
print(json.dumps({"channels": channels, "before": before, "after": "aiogram" in sys.modules}))
"""


def _probe(*args: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT), *args],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    result: dict[str, object] = json.loads(out.splitlines()[-1])
    return result


def test_a_worker_without_telegram_settings_never_imports_aiogram() -> None:
    result = _probe()
    assert result == {"channels": ["web"], "before": False, "after": False}


def test_the_telegram_channel_does_import_it_when_configured() -> None:
    """The other side of the check above: the probe does see aiogram when it is loaded."""
    result = _probe("telegram")
    assert result["before"] is False and result["after"] is True


def test_importing_the_server_and_the_command_line_loads_no_aiogram() -> None:
    """``python -X importtime`` lists every module imported."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import bot.cli, bot.app, bot.serve"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    )
    modules = [line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()]
    assert "bot.serve" in modules
    assert not [m for m in modules if m == "aiogram" or m.startswith("aiogram.")]
