"""Browser tests: Debian's chromium driven by Playwright against the real server on 127.0.0.1.

No browser is downloaded: ``.ci/run`` installs Debian's ``chromium`` package where it is
missing, and Playwright launches that executable. The tests skip, saying why, only when no
chromium can be found. Set ``MANGNON_SCREENSHOTS=docs/screenshots`` to refresh the README's
screenshots while they run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.app import App
from bot.core.services import Services
from tests.web.conftest import PASSWORD, add_account, start_admin

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = os.environ.get("MANGNON_SCREENSHOTS")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (.ci/run installs Debian's chromium package)"
)


@dataclass
class Live:
    app: App
    url: str
    browser: Any  # playwright's Browser

    async def page(self, **context: Any) -> Any:
        ctx = await self.browser.new_context(**context)
        return await ctx.new_page()

    async def signed_in(self, username: str, roles: str, **context: Any) -> Any:
        await add_account(self.app, username, roles)
        page = await self.page(**context)
        await page.goto(self.url + "/admin/login")
        await page.fill("#username", username)
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(self.url + "/admin/")
        return page


if SHOTS:
    Path(SHOTS).mkdir(parents=True, exist_ok=True)


async def shot(page: Any, name: str) -> None:
    if SHOTS:
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


@pytest.fixture
async def live(services: Services, tmp_path: Path) -> AsyncIterator[Live]:
    from playwright.async_api import async_playwright

    from bot.storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    await upgrade(url)
    app, web_app = await start_admin(services, url)
    server = TestServer(web_app, host="127.0.0.1")
    await server.start_server()
    base = f"http://127.0.0.1:{server.port}"
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                yield Live(app, base, browser)
            finally:
                await browser.close()
    finally:
        await server.close()
        await app.stop_channels()
        await app.close()
