"""An app with the web admin on a real HTTP test server, and staff accounts to sign in with."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.core.admin import passwords
from bot.core.admin.accounts import NewAccount, parse_roles
from bot.core.hours import parse_hours
from bot.core.services import Services
from bot.serve import build_web_app
from bot.storage.admin import admin_stores
from tests.conftest import FakeClock, settings_for

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def add_account(app: App, username: str, roles: str, must_change: bool = False) -> int:
    """A member of staff whose password is PASSWORD."""
    async with admin_stores(app.database)() as store:
        account = await store.accounts.add(
            NewAccount(
                username, username.title(), parse_roles(roles), passwords.hash_password(PASSWORD)
            ),
            app.pipeline.clock.now(),
        )
        if not must_change:
            await store.accounts.set_password(account.id, passwords.hash_password(PASSWORD), False)
        await store.commit()
        return account.id


@dataclass
class Admin:
    app: App
    client: TestClient  # type: ignore[type-arg]
    clock: FakeClock

    async def csrf(self, path: str = "/admin/") -> str:
        res = await self.client.get(path)
        found = CSRF.search(await res.text())
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    async def login(self, username: str, password: str = PASSWORD) -> Any:
        token = await self.csrf("/admin/login")
        return await self.client.post(
            "/admin/login",
            data={"csrf": token, "username": username, "password": password},
            allow_redirects=False,
        )

    async def post(self, path: str, **data: str) -> Any:
        token = await self.csrf()
        return await self.client.post(path, data={"csrf": token, **data}, allow_redirects=False)


async def start_admin(services: Services, database_url: str, **admin: object) -> tuple[App, Any]:
    settings = settings_for(database_url=database_url, admin={"secure_cookie": False, **admin})
    # staffed all day, so that presence alone decides whether a counsellor is offered
    desk = replace(services.desk, hours=parse_hours("00:00-24:00"), feeds=())
    app = App.create(settings, services=replace(services, desk=desk))
    web_app = build_web_app(app)
    await app.start_channels(web_app)
    return app, web_app


@pytest.fixture
async def admin(services: Services, database_url: str) -> AsyncIterator[Admin]:
    app, web_app = await start_admin(services, database_url)
    clock = FakeClock()
    app.pipeline.clock = clock
    app.campaigns.clock = clock
    async with TestClient(TestServer(web_app)) as client:
        yield Admin(app, client, clock)
    await app.stop_channels()
    await app.close()
