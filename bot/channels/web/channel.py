"""The web chat channel: routes, the JSON API and the event stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from bot.channels.base import ChannelContext
from bot.channels.web.render import reply_to_json
from bot.channels.web.settings import WebSettings
from bot.core.channels import Capabilities, Formatting, Reach
from bot.core.messages import Inbound, UserRef
from bot.core.outbox import Status

log = logging.getLogger(__name__)

CHANNEL = "web"
STATIC = Path(__file__).parent / "static"
SESSION = re.compile(r"^[A-Za-z0-9-]{16,64}$")
MAX_BODY = 128 * 1024  # JSON may escape every Vietnamese letter as \uXXXX
KEEP_ALIVE = 15.0  # seconds between comments on an idle event stream (proxies close silent ones)
LOOK_AGAIN = 3.0  # seconds between looks for rows another worker queued
LEASE = timedelta(seconds=30)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


class WebChannel:
    name = CHANNEL
    capabilities = Capabilities(
        formatting=Formatting.HTML, reach=Reach.PULL, max_text=100_000, phone_buttons=True
    )

    desk_feeds: tuple[UserRef, ...] = ()

    def __init__(self, settings: WebSettings, context: ChannelContext) -> None:
        self.settings = settings
        self.context = context
        self._closing = asyncio.Event()

    async def start(self, app: web.Application) -> None:
        app.router.add_get("/", self.page)
        app.router.add_post("/api/chat", self.chat)
        app.router.add_get("/api/chat/events", self.events)
        app.router.add_get("/media/{path:.+}", self.media)

    async def stop(self) -> None:
        self._closing.set()

    async def page(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "chat.html", headers={"Cache-Control": "no-cache"})

    async def chat(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _error(413, f"message too large (limit {MAX_BODY} bytes)")
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "body must be JSON: {session, text} or {session, button}")
        if not isinstance(body, dict):
            return _error(400, "body must be a JSON object")
        session, text, button = body.get("session"), body.get("text", ""), body.get("button")
        if not isinstance(session, str) or not SESSION.match(session):
            return _error(400, "session must be 16-64 letters, digits or dashes")
        if not isinstance(text, str) or (button is not None and not isinstance(button, str)):
            return _error(400, "text and button must be strings")
        if not text.strip() and button is None:
            return _error(400, "send text or a button")
        locale = request.headers.get("Accept-Language", "").split(",")[0].strip() or None
        inbound = Inbound(UserRef(CHANNEL, session), text=text, callback=button, locale_hint=locale)
        replies = await self.context.pipeline.handle(inbound)
        return web.json_response({"replies": [reply_to_json(r) for r in replies]})

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-Sent Events: each outbox message for this session, as it comes."""
        session = request.query.get("session", "")
        if not SESSION.match(session):
            return _error(400, "session must be 16-64 letters, digits or dashes")
        user = UserRef(CHANNEL, session)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
            }
        )
        await response.prepare(request)
        with self.context.signal.waiter(user) as woken:
            waited = 0.0
            while not self._closing.is_set():
                woken.clear()
                try:
                    sent = await self._send_waiting(user, response)
                except ConnectionError:
                    break  # the page went away: what was claimed is sent again next time
                if sent:
                    waited = 0.0
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), LOOK_AGAIN)
                waited += LOOK_AGAIN
                if waited >= KEEP_ALIVE:
                    waited = 0.0
                    try:
                        await response.write(b": still here\n\n")
                    except ConnectionError:
                        break
        return response

    async def _send_waiting(self, user: UserRef, response: web.StreamResponse) -> int:
        queue = self.context.queue
        clock = self.context.pipeline.clock
        envelopes = await queue.claim_for(user, 20, self.context.worker, clock.now(), LEASE)
        for envelope in envelopes:
            for reply in envelope.replies:
                data = json.dumps(reply_to_json(reply), ensure_ascii=False)
                await response.write(f"event: reply\ndata: {data}\n\n".encode())
        if envelopes:
            await queue.settle([(e, Status.SENT, "") for e in envelopes], clock.now())
        return len(envelopes)

    async def media(self, request: web.Request) -> web.StreamResponse:
        root = (self.context.content_dir / "media").resolve()
        path = (root / request.match_info["path"]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path)
