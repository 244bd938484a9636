"""What the web admin is given by the composition root (it imports no storage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.core.admin.accounts import Account, LoginPolicy
from bot.core.admin.ports import AdminStore, AdminStores
from bot.core.admin.sessions import AdminSession, SessionPolicy
from bot.core.campaigns.service import Campaigns
from bot.core.pipeline import Pipeline
from bot.web.settings import AdminSettings


@dataclass(frozen=True)
class AdminContext:
    pipeline: Pipeline  # desk actions (through the outbox) and the services (content, desk)
    stores: AdminStores  # one unit of work per request
    settings: AdminSettings
    zone: ZoneInfo
    report_min_group: int
    campaigns: Campaigns | None = None  # the campaigns core (the same actions as the CLI's)

    @property
    def sessions(self) -> SessionPolicy:
        return SessionPolicy(
            idle=timedelta(minutes=self.settings.session_idle_minutes),
            absolute=timedelta(hours=self.settings.session_hours),
        )

    @property
    def login_policy(self) -> LoginPolicy:
        s = self.settings
        return LoginPolicy(s.max_failures, s.lock_minutes, s.address_failures, s.window_minutes)


CONTEXT: web.AppKey[AdminContext] = web.AppKey("admin_context", AdminContext)
STORE: web.RequestKey[AdminStore] = web.RequestKey("admin_store")  # the unit of work
ACCOUNT: web.RequestKey[Account] = web.RequestKey("admin_account")  # who is signed in
SESSION: web.RequestKey[AdminSession] = web.RequestKey("admin_session")
FLASH: web.RequestKey[str] = web.RequestKey("admin_flash")  # a notice from the last request


def store_of(request: web.Request) -> AdminStore:
    return request[STORE]


def context_of(request: web.Request) -> AdminContext:
    return request.app[CONTEXT]
