"""Untrusted HTTP input, read safely: one body reader for every route, one guard for the server.

Every route that takes a body reads it with ``read_json`` (or ``read_body`` + ``parse_json`` when
it must see the raw bytes first, as a signature check does). A bad body is a ``BadInput`` with
its 4xx status and a message for the caller:

- 413: larger than the route's limit (``Content-Length`` or counted while reading);
- 415: a charset other than UTF-8 (JSON is UTF-8, RFC 8259; so are our forms);
- 400: not UTF-8, not JSON, nested deeper than ``MAX_DEPTH``, an integer longer than
  ``MAX_DIGITS`` digits, ``NaN``/``Infinity``, or not the shape the route wants.

A lone surrogate escape (``"\\ud800"``) is removed while parsing: no database, log or hash can
take one, and the core would drop it anyway (``bot.core.textnorm.sanitize``).

``guard`` is the server's outermost middleware: a path with a NUL or an undecodable byte gets
400, a body in another charset 415, a ``BadInput`` its own status, and any other exception a
plain JSON 500 — logged with its type and place, never with the request's content, and never a
traceback to the client.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

MAX_DEPTH = 32  # no update, event or chat message nests deeper than a few levels
MAX_DIGITS = 40  # the largest id anyone sends has 20 digits
UTF8 = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
CHUNK = 64 * 1024

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
# an escape as JSON reads it: a surrogate pair (kept), a lone surrogate (dropped) or any other
_ESCAPE = re.compile(
    r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[dD][89a-fA-F][0-9a-fA-F]{2}|.)",
    re.DOTALL,
)
_LONE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_LONG_NUMBER = re.compile(r"\d{" + str(MAX_DIGITS + 1) + "}")  # in a string or not: check each
_UNSAFE_PATH = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


class BadInput(Exception):
    """A request the server will not take: its 4xx status and a message for the caller."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> web.Response:
        return web.json_response({"error": self.message}, status=self.status)


def check_charset(request: web.BaseRequest) -> None:
    charset = request.charset
    if charset is not None and charset.lower() not in UTF8:
        raise BadInput(415, "the body must be UTF-8 (charset=utf-8)")


async def read_body(request: web.BaseRequest, limit: int) -> bytes:
    """The raw body, at most ``limit`` bytes (413 beyond, read no further)."""
    if request.content_length is not None and request.content_length > limit:
        raise BadInput(413, f"body too large (limit {limit} bytes)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > limit:
            raise BadInput(413, f"body too large (limit {limit} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _short(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def checked(digits: str) -> Any:
        if len(digits.lstrip("-")) > MAX_DIGITS:
            raise ValueError("number too long")
        return parse(digits)

    return checked


_int = _short(int)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def depth(text: str) -> int:
    """How deeply ``text``'s JSON nests (strings skipped); cheap when it cannot be deep."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0  # fewer brackets than the limit, in strings or not: it cannot be too deep
    level = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub('""', text)):
        if bracket.group() in "[{":
            level += 1
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                break
        else:
            level -= 1
    return deepest


def _drop_lone_surrogate(escape: re.Match[str]) -> str:
    found = escape.group()
    return "" if len(found) == 6 and _LONE_SURROGATE.match(found) else found


def parse_json(body: bytes, parse_int: Callable[[str], Any] = int) -> Any:
    """JSON from UTF-8 bytes within our limits; ``BadInput`` (400) otherwise."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(400, "the body is not valid UTF-8") from None
    if depth(text) > MAX_DEPTH:
        raise BadInput(400, f"JSON nested deeper than {MAX_DEPTH} levels")
    if _LONE_SURROGATE.search(text):
        text = _ESCAPE.sub(_drop_lone_surrogate, text)
    if parse_int is int and not _LONG_NUMBER.search(text):
        checked_int: Callable[[str], Any] = int  # the C fast path: no call per number
    else:
        checked_int = _int if parse_int is int else _short(parse_int)
    try:
        return json.loads(text, parse_int=checked_int, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        if "number too long" in str(exc):
            raise BadInput(
                400, f"a number in the body is longer than {MAX_DIGITS} digits"
            ) from None
        raise BadInput(400, "the body is not valid JSON") from None


async def read_json(request: web.BaseRequest, limit: int) -> Any:
    """Charset, size and JSON checked: the body's value."""
    check_charset(request)
    return parse_json(await read_body(request, limit))


async def read_object(request: web.BaseRequest, limit: int) -> dict[str, Any]:
    body = await read_json(request, limit)
    if not isinstance(body, dict):
        raise BadInput(400, "the body must be a JSON object")
    return body


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The server's outermost middleware (see the module's docstring)."""
    try:
        if _UNSAFE_PATH.search(request.path):
            raise BadInput(400, "the path holds a character no URL may hold")
        if request.body_exists:
            check_charset(request)
        return await handler(request)
    except BadInput as bad:
        return bad.response()
    except web.HTTPException:
        raise  # a deliberate answer (404, a redirect…)
    except Exception as exc:
        frame = traceback.extract_tb(exc.__traceback__)[-1:]
        place = f"{frame[0].filename}:{frame[0].lineno}" if frame else "?"
        log.error(  # the type and place only: an exception's message may quote the request
            "unhandled %s in %s %s at %s",
            type(exc).__name__,
            request.method,
            request.match_info.route.resource.canonical
            if request.match_info.route.resource
            else "?",
            place,
            extra={"status": 500},
        )
        return web.json_response(
            {"error": "something went wrong on our side; please try again"}, status=500
        )
