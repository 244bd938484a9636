"""``POST /webhooks/zalo/<ZALO_WEBHOOK_PATH>``: Zalo's events, checked, queued, answered at once.

In this order, and nothing else happens to a call that fails a step: a call without
``X-ZEvent-Signature`` gets 401 before its body is read; a body over ``max_body`` gets 413 (read no
further); an unsigned, forged or stale event gets 401 (``signature``). A good event is queued for
its user (``Events.submit``) and answered 200 within milliseconds: Zalo wants an answer within
about two seconds, retries otherwise and disables a webhook that keeps failing. The event's
work — dropping a redelivery, the turn, the replies — happens after.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiohttp import web

from bot.channels.http import BadInput, read_body
from bot.channels.zalo import adapter
from bot.channels.zalo.adapter import CHANNEL, ZaloEvent
from bot.channels.zalo.signature import HEADER, refusal

log = logging.getLogger(__name__)


class WebhookEndpoint:
    def __init__(
        self,
        app_id: str,
        oa_secret_key: str,
        max_skew: timedelta,
        max_body: int,
        submit: Callable[[ZaloEvent], Awaitable[None]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_id = app_id
        self._secret = oa_secret_key
        self.max_skew = max_skew
        self.max_body = max_body
        self.submit = submit
        self.clock = clock
        self.open = True

    def mount(self, web_app: web.Application, path: str) -> None:
        web_app.router.add_post(path, self.receive)

    async def receive(self, request: web.Request) -> web.Response:
        header = request.headers.get(HEADER)
        if not header:
            return self._refuse("no-signature")
        if not self.open:  # shutting down: Zalo keeps the event and tries again
            return web.Response(status=503, text="Shutting down")
        try:
            body = await read_body(request, self.max_body)
        except BadInput:
            log.warning("zalo event over the size limit refused", extra={"channel": CHANNEL})
            return web.Response(status=413, text="Event too large")
        try:
            data = adapter.parse(body)
        except ValueError:
            return self._refuse("not-json")
        now_ms = int(self.clock() * 1000)
        reason = refusal(header, body, data, self.app_id, self._secret, now_ms, self.max_skew)
        if reason is not None:
            return self._refuse(reason)
        await self.submit(adapter.read(data))
        return web.json_response({"error": 0})

    def _refuse(self, reason: str) -> web.Response:
        log.warning(
            "zalo webhook call refused", extra={"channel": CHANNEL, "status": 401, "kind": reason}
        )
        return web.Response(status=401, text="Unauthorized")
