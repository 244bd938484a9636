"""The web chat: a page at ``/`` and a JSON endpoint at ``/api/chat`` on the same core."""

from __future__ import annotations

import json
import re
from pathlib import Path

from aiohttp import web

from bot.channels.render import reply_to_json
from bot.core.messages import Inbound, UserRef
from bot.core.pipeline import Pipeline

STATIC = Path(__file__).parent / "static"
SESSION = re.compile(r"^[A-Za-z0-9-]{16,64}$")
MAX_BODY = 128 * 1024  # JSON may escape every Vietnamese letter as \uXXXX
PIPELINE: web.AppKey[Pipeline] = web.AppKey("pipeline", Pipeline)
MEDIA_ROOT: web.AppKey[Path] = web.AppKey("media_root", Path)


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def chat(request: web.Request) -> web.Response:
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
    inbound = Inbound(UserRef("web", session), text=text, callback=button, locale_hint=locale)
    replies = await request.app[PIPELINE].handle(inbound)
    return web.json_response({"replies": [reply_to_json(r) for r in replies]})


async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "chat.html", headers={"Cache-Control": "no-cache"})


async def media(request: web.Request) -> web.StreamResponse:
    root = request.app[MEDIA_ROOT].resolve()
    path = (root / request.match_info["path"]).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path)


def add_routes(app: web.Application, pipeline: Pipeline, content_dir: Path) -> None:
    app[PIPELINE] = pipeline
    app[MEDIA_ROOT] = content_dir / "media"
    app.router.add_get("/", page)
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/media/{path:.+}", media)
