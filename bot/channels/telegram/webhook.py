"""Webhook mode: Telegram POSTs updates to a path of the server that also serves the web chat.

The secret header is checked before anything is read: a wrong or missing
``X-Telegram-Bot-Api-Secret-Token`` gets 401 and the update is never parsed. The body has its
own size limit (a real update can exceed the web chat's 32 KB).

With an inbox (``ChannelContext.inbox``, always under ``mangnon serve``) the 200 means "stored":
the update is committed to the database first (a failure answers 503 and Telegram sends it
again), a redelivery of an update already kept gets 200 and goes no further, and the update is
handled after the answer (``Updates`` empties it from the inbox once handled; ``Recovery`` picks up
what a killed worker left). The answer comes back well within the ~60 s after which Telegram
would send the update again.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.channels.http import BadInput, check_charset, parse_json, read_body
from bot.channels.ports import Inbox
from bot.channels.telegram.config import CHANNEL

log = logging.getLogger(__name__)

HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookEndpoint:
    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        secret: str,
        max_body: int,
        inbox: Inbox | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.secret = secret.encode()
        self.max_body = max_body
        self.inbox = inbox
        self.clock = clock
        self.open = True

    def mount(self, web_app: web.Application, path: str) -> None:
        web_app.router.add_post(path, self.receive)

    async def receive(self, request: web.Request) -> web.Response:
        if not secrets.compare_digest(request.headers.get(HEADER, "").encode(), self.secret):
            log.warning(  # repeated ones are rate-limited by bot.logs.Repeats
                "webhook call with a wrong secret refused",
                extra={"channel": CHANNEL, "status": 401},
            )
            return web.Response(status=401, text="Unauthorized")
        if not self.open:  # shutting down: Telegram keeps the update and tries again
            return web.Response(status=503, text="Shutting down")
        try:
            check_charset(request)
            body = await read_body(request, self.max_body)
            data = parse_json(body)
        except BadInput as bad:
            status = bad.status
            return web.Response(
                status=status, text="Update too large" if status == 413 else bad.message
            )
        try:
            update = Update.model_validate(data, context={"bot": self.bot})
        except (ValueError, ValidationError):
            return web.Response(status=400, text="Not a Telegram update")
        if self.inbox is None:
            await self.dispatcher.feed_update(self.bot, update)
            return web.json_response({})
        key = str(update.update_id)
        try:
            fresh = await self.inbox.keep(CHANNEL, key, body, self._now())
        except Exception:
            log.exception(
                "update not stored: Telegram will send it again", extra={"channel": CHANNEL}
            )
            return web.Response(status=503, text="Try again")
        if fresh:
            await feed(self.dispatcher, self.bot, update, key, self.inbox)
        return web.json_response({})

    def _now(self) -> datetime:
        return self.clock() if self.clock is not None else datetime.now(UTC)


async def feed(dispatcher: Dispatcher, bot: Bot, update: Update, key: str, inbox: Inbox) -> None:
    """Hand a kept update to the handlers, which mark it done (``inbox_key``) once handled; an
    update no handler takes (or one that breaks them) is done at once."""
    try:
        response = await dispatcher.feed_update(bot, update, inbox_key=key)
    except Exception:
        log.exception("update handling failed", extra={"channel": CHANNEL})
        response = UNHANDLED
    if response is UNHANDLED:
        await inbox.done(CHANNEL, key)
