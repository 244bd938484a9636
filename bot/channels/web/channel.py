"""The web chat channel: routes, the JSON API and the event stream."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
from datetime import timedelta
from pathlib import Path

from aiohttp import web

from bot.channels.base import ChannelContext
from bot.channels.http import BadInput, read_object
from bot.channels.web.render import reply_to_json
from bot.channels.web.settings import WebSettings
from bot.core.buttons import Forget
from bot.core.callbacks import parse
from bot.core.channels import Capabilities, Formatting, Reach
from bot.core.i18n import _, use_locale
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
# the conversation is kept on this device only when the user asks: then this cookie holds it
COOKIE = "mn_chat"
REMEMBER_DAYS = 30


def _digest(value: str) -> str:
    """Session ids and addresses are hashed before they are counted (Redis keys hold no ids)."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


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
        app.router.add_get("/embed.js", self.embed)
        app.router.add_post("/api/chat", self.chat)
        app.router.add_get("/api/chat/events", self.events)
        app.router.add_get("/api/chat/ui", self.labels)
        app.router.add_post("/api/chat/remember", self.remember)
        app.router.add_get("/media/{path:.+}", self.media)

    async def stop(self) -> None:
        self._closing.set()

    async def page(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "chat.html", headers={"Cache-Control": "no-cache"})

    async def embed(self, request: web.Request) -> web.FileResponse:
        """The script a school or commune website adds to show the chat (docs/EMBED.md)."""
        return web.FileResponse(
            STATIC / "embed.js",
            headers={"Cache-Control": "max-age=3600", "Access-Control-Allow-Origin": "*"},
        )

    async def labels(self, request: web.Request) -> web.Response:
        """The page's own words (send button, typing, remembering) in a language."""
        pipeline = self.context.pipeline
        lang = request.query.get("lang", "")
        if lang not in pipeline.services.languages:
            lang = pipeline.services.options.default_locale
        with use_locale(pipeline.services.catalogs, lang):
            ui = {
                "send": _("Send"),
                "message": _("Your message"),
                "placeholder": _("Type a question…"),
                "typing": _("Măng Non is typing…"),
                "remember": _("Keep this conversation on this device"),
                "remembered": _(
                    "This conversation is kept on this device. Send /forget to delete it."
                ),
                "offline": _("Cannot connect. If a child is in danger, call 111."),
            }
        return web.json_response({"lang": lang, "ui": ui})

    async def remember(self, request: web.Request) -> web.Response:
        """The user agreed to keep the conversation on this device: the session goes in a
        cookie (HttpOnly; the page never reads it). Without this, a reload starts afresh.
        ``{"keep": false}`` takes the agreement back and deletes the cookie."""
        try:
            body = await read_object(request, MAX_BODY)
        except BadInput as bad:
            return _error(bad.status, f"{bad.message}: {{session, keep}}")
        if body.get("keep", True) is False:
            response = web.json_response({"remembered": False})
            response.del_cookie(COOKIE, path="/")
            return response
        session = body.get("session")
        if not isinstance(session, str) or not SESSION.match(session):
            return _error(400, "session must be 16-64 letters, digits or dashes")
        response = web.json_response({"remembered": True})
        response.set_cookie(
            COOKIE,
            session,
            max_age=REMEMBER_DAYS * 86400,
            httponly=True,
            samesite="Lax",
            secure=request.secure,
            path="/",
        )
        return response

    async def chat(self, request: web.Request) -> web.Response:
        try:
            body = await read_object(request, MAX_BODY)
        except BadInput as bad:
            return _error(bad.status, f"{bad.message}: {{session, text}} or {{session, button}}")
        text, button = body.get("text", ""), body.get("button")
        session = request.cookies.get(COOKIE) or body.get("session")
        if not isinstance(session, str) or not SESSION.match(session):
            return _error(400, "session must be 16-64 letters, digits or dashes")
        if not isinstance(text, str) or (button is not None and not isinstance(button, str)):
            return _error(400, "text and button must be strings")
        if not text.strip() and button is None:
            return _error(400, "send text or a button")
        locale = request.headers.get("Accept-Language", "").split(",")[0].strip() or None
        inbound = Inbound(UserRef(CHANNEL, session), text=text, callback=button, locale_hint=locale)
        if not await self._may_start(request, session):
            return self._over_limit(inbound)
        answered = await self.context.pipeline.answer(inbound)
        forgotten = button is not None and parse(button) == Forget(True)
        response = web.json_response(
            {
                "replies": [reply_to_json(r) for r in answered.replies],
                "lang": answered.locale,
                "remembered": COOKIE in request.cookies and not forgotten,
                "forgotten": forgotten,
            }
        )
        if forgotten:  # /forget confirmed: this device keeps nothing either
            response.del_cookie(COOKIE, path="/")
        return response

    async def _may_start(self, request: web.Request, session: str) -> bool:
        """Sessions are free to make up: a client address may start only so many new ones per
        window (counted in Redis with several workers)."""
        counter, now = self.context.counter, self.context.pipeline.clock.now()
        window = timedelta(minutes=self.settings.new_sessions_window_minutes)
        if await counter.hit("web-session:" + _digest(session), window, now) > 1:
            return True  # seen in this window already: not new
        started = await counter.hit("web-address:" + _digest(self._address(request)), window, now)
        if started > self.settings.new_sessions_per_address:
            if started == self.settings.new_sessions_per_address + 1:
                log.warning(
                    "new web sessions over the limit for one address", extra={"channel": CHANNEL}
                )
            return False
        return True

    def _address(self, request: web.Request) -> str:
        if self.settings.trust_forwarded:
            hops = request.headers.get("X-Forwarded-For", "").split(",")
            if hops[-1].strip():
                return hops[-1].strip()
        return request.remote or ""

    def _over_limit(self, inbound: Inbound) -> web.Response:
        """Too many new sessions from this address: a message that shows danger still gets the
        crisis answer (nothing is kept); anything else is asked to come back later."""
        pipeline = self.context.pipeline
        crisis = pipeline.safety_only(inbound)
        if crisis is not None:
            replies = [reply_to_json(r) for r in crisis.replies]
            return web.json_response(
                {"replies": replies, "lang": crisis.locale, "remembered": False, "forgotten": False}
            )
        lang = pipeline.pick_locale(None, inbound.locale_hint)
        with use_locale(pipeline.services.catalogs, lang):
            message = _(
                "Too many new conversations from your network right now. Please try again in a "
                "few minutes. If a child is in danger, call 111."
            )
        return _error(429, message)

    async def events(self, request: web.Request) -> web.StreamResponse:
        """Server-Sent Events: each outbox message for this session, as it comes."""
        session = request.cookies.get(COOKIE) or request.query.get("session", "")
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
        # shielded: a page that goes away cancels this handler, and a transaction cancelled
        # half-way on SQLite can keep the write lock until every other writer times out
        envelopes = await asyncio.shield(
            queue.claim_for(user, 20, self.context.worker, clock.now(), LEASE)
        )
        for envelope in envelopes:
            for reply in envelope.replies:
                data = json.dumps(reply_to_json(reply), ensure_ascii=False)
                await response.write(f"event: reply\ndata: {data}\n\n".encode())
        if envelopes:
            sent = [(e, Status.SENT, "") for e in envelopes]
            await asyncio.shield(queue.settle(sent, clock.now()))
        return len(envelopes)

    async def media(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["path"]
        if "\x00" in name or not name.isprintable():
            return _error(400, "not a file name")
        root = (self.context.content_dir / "media").resolve()
        path = (root / name).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path)
