"""Jinja2 templates (autoescaped), rendered on the server: pages work without JavaScript."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.core.admin.accounts import Account
from bot.web.context import ACCOUNT, FLASH, SESSION, context_of
from bot.web.nav import visible

TEMPLATES = Path(__file__).parent / "templates"

ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "svg"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def minutes_between(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def span(minutes: int) -> str:
    """``75`` → ``1 h 15 min``."""
    minutes = abs(minutes)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{hours // 24} days"


ENV.filters["span"] = span


def render(request: web.Request, name: str, status: int = 200, **values: Any) -> web.Response:
    context = context_of(request)
    account: Account | None = request.get(ACCOUNT)
    session = request.get(SESSION)
    zone = context.zone

    def local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return moment.astimezone(zone).strftime(fmt) if moment is not None else ""

    body = ENV.get_template(name).render(
        account=account,
        csrf=session.csrf if session is not None else values.pop("login_csrf", ""),
        nav=visible(account) if account is not None and not account.must_change_password else [],
        path=request.path,
        flash=request.get(FLASH),
        local=local,
        **values,
    )
    return web.Response(text=body, status=status, content_type="text/html")
