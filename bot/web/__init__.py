"""The web admin at ``/admin``: the case desk, editors' and reporters' pages, accounts.

Server-rendered pages (Jinja2) on the same aiohttp server as the web chat; it uses the core and
the storage only through the core's Protocols (``bot.core.admin.ports``), given by the
composition root as an ``AdminContext``; the campaign pages act through the campaigns core, as
``mangnon campaign`` does.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.web import accounts, auth, campaigns, desk, editor, reports
from bot.web.context import CONTEXT, AdminContext
from bot.web.security import guard
from bot.web.settings import AdminSettings

STATIC = Path(__file__).parent / "static"

ROUTES = (
    ("GET", "/login", auth.login_form),
    ("POST", "/login", auth.login_submit),
    ("POST", "/logout", auth.logout),
    ("GET", "/password", auth.password_form),
    ("POST", "/password", auth.password_submit),
    *accounts.ROUTES,
    *desk.ROUTES,
    *editor.ROUTES,
    *reports.ROUTES,
    *campaigns.ROUTES,
)

__all__ = ["ROUTES", "AdminContext", "AdminSettings", "build"]


def build(context: AdminContext) -> web.Application:
    """The admin as a sub-application, to be mounted at ``/admin``."""
    admin = web.Application(middlewares=[guard])
    admin[CONTEXT] = context
    for method, path, handler in ROUTES:
        admin.router.add_route(method, path, handler)
    admin.router.add_static("/static/", STATIC, append_version=True)
    return admin
