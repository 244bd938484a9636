"""What the web admin is given by the composition root (it imports no storage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.core.admin.accounts import LoginPolicy
from bot.core.admin.ports import AdminStore, AdminStores
from bot.core.admin.sessions import SessionPolicy
from bot.core.pipeline import Pipeline
from bot.web.settings import AdminSettings


@dataclass(frozen=True)
class AdminContext:
    pipeline: Pipeline  # desk actions (through the outbox) and the services (content, desk)
    stores: AdminStores  # one unit of work per request
    settings: AdminSettings
    zone: ZoneInfo
    report_min_group: int

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
STORE = "admin_store"  # request key: the request's AdminStore
ACCOUNT = "admin_account"  # request key: the signed-in Account
SESSION = "admin_session"  # request key: the AdminSession
FLASH = "admin_flash"  # request key: a notice left by the previous request


def store_of(request: web.Request) -> AdminStore:
    store: AdminStore = request[STORE]
    return store


def context_of(request: web.Request) -> AdminContext:
    return request.app[CONTEXT]
