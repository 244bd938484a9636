"""Webhook mode: Telegram POSTs updates to a path of the server that also serves the web chat.

The secret header is checked before anything is read: a wrong or missing
``X-Telegram-Bot-Api-Secret-Token`` gets 401 and the update is never parsed. The body has its
own size limit (a real update can exceed the web chat's 32 KB). The answer comes back as soon as
the update is queued, well within the ~60 s after which Telegram would send it again.
"""

from __future__ import annotations

import logging
import secrets

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.channels.http import BadInput, check_charset, parse_json, read_body
from bot.channels.telegram.config import CHANNEL

log = logging.getLogger(__name__)

HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookEndpoint:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret: str, max_body: int) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.secret = secret.encode()
        self.max_body = max_body
        self.open = True

    def mount(self, web_app: web.Application, path: str) -> None:
        web_app.router.add_post(path, self.receive)

    async def receive(self, request: web.Request) -> web.Response:
        if not secrets.compare_digest(request.headers.get(HEADER, "").encode(), self.secret):
            log.warning(
                "webhook call with a wrong secret refused",
                extra={"channel": CHANNEL, "status": 401},
            )
            return web.Response(status=401, text="Unauthorized")
        if not self.open:  # shutting down: Telegram keeps the update and tries again
            return web.Response(status=503, text="Shutting down")
        try:
            check_charset(request)
            data = parse_json(await read_body(request, self.max_body))
        except BadInput as bad:
            status = bad.status
            return web.Response(
                status=status, text="Update too large" if status == 413 else bad.message
            )
        try:
            update = Update.model_validate(data, context={"bot": self.bot})
        except (ValueError, ValidationError):
            return web.Response(status=400, text="Not a Telegram update")
        await self.dispatcher.feed_update(self.bot, update)
        return web.json_response({})
