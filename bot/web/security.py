"""Sessions, CSRF and roles for every admin request, in one middleware.

- Public: the sign-in page and the static files. Everything else needs a live session: a page
  (GET) redirects to the sign-in page; anything else is answered 401.
- Every state-changing request (not GET/HEAD) must carry the session's CSRF token (form field
  ``csrf`` or header ``X-CSRF-Token``), else 403.
- An account that must change its password can reach only that page and sign-out.
- Each request has one unit of work (``request[STORE]``), committed when the handler returns,
  redirects included.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import wraps
from typing import cast

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDict, MultiDictProxy

from bot.core.admin.audit import AdminAuditEntry
from bot.core.admin.sessions import key_of
from bot.core.cases.model import StaffRole
from bot.core.textnorm import sanitize
from bot.web.context import ACCOUNT, FLASH, SESSION, STORE, context_of, store_of

COOKIE = "mn_admin"
LOGIN_CSRF_COOKIE = "mn_login"
PUBLIC = ("/admin/login", "/admin/static/")
PASSWORD_ONLY = ("/admin/password", "/admin/logout")
TOUCH_EVERY = timedelta(seconds=30)  # write seen_at at most this often

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _is_page(request: web.Request) -> bool:
    return request.method in ("GET", "HEAD") and "fragment" not in request.query


def _refuse(request: web.Request) -> web.HTTPException:
    if _is_page(request) and not request.path.endswith(
        (".json", "/queue", "/messages", "/progress")
    ):
        return web.HTTPSeeOther("/admin/login")
    return web.HTTPUnauthorized(text="sign in first", content_type="text/plain")


async def _form_token(request: web.Request) -> str:
    header = request.headers.get("X-CSRF-Token")
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return (await clean_post(request)).get("csrf", "")
    return ""


CLEAN_FORM = "clean_form"


async def clean_post(request: web.Request) -> MultiDictProxy[str]:
    """The request's form fields, text only, each cleaned as the chat cleans a message (no lone
    surrogates or control characters: the database would refuse them), once per request."""
    cached = request.get(CLEAN_FORM)
    if cached is None:
        try:
            form = await request.post()
        except (ValueError, HttpProcessingError):  # a malformed multipart or urlencoded body
            raise web.HTTPBadRequest(text="malformed form", content_type="text/plain") from None
        cached = MultiDictProxy(
            MultiDict((k, sanitize(v)) for k, v in form.items() if isinstance(v, str))
        )
        request[CLEAN_FORM] = cached
    return cast(MultiDictProxy[str], cached)


def same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    context = context_of(request)
    async with context.stores() as store:
        request[STORE] = store
        try:
            if not request.path.startswith(PUBLIC):
                await _admit(request)
            response = await handler(request)
        except web.HTTPException as exc:
            if exc.status < 400:
                await store.commit()
            _secure(exc)
            raise
        await store.commit()
    _secure(response)
    return response


def _secure(response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)


async def _admit(request: web.Request) -> None:
    context = context_of(request)
    store = store_of(request)
    now = context.pipeline.clock.now()
    token = request.cookies.get(COOKIE, "")
    session = await store.sessions.get(key_of(token)) if token else None
    if session is None:
        raise _refuse(request)
    if session.expired(now, context.sessions):
        await store.sessions.delete(session.key)
        await store.commit()
        raise _refuse(request)
    account = await store.accounts.get(session.staff_id)
    if account is None or not account.active or account.username is None:
        await store.sessions.delete(session.key)
        await store.commit()
        raise _refuse(request)
    if request.method not in ("GET", "HEAD") and not same(await _form_token(request), session.csrf):
        await store.audit.append(
            AdminAuditEntry(now, account.id, account.pseudonym, "csrf-refused", request.path[:80])
        )
        await store.commit()
        raise web.HTTPForbidden(text="missing or wrong CSRF token", content_type="text/plain")
    if account.must_change_password and not request.path.startswith(PASSWORD_ONLY):
        raise web.HTTPSeeOther("/admin/password")
    if now - session.seen_at >= TOUCH_EVERY:
        await store.sessions.touch(session.key, now)
    if session.flash and _is_page(request):  # shown once, on the next page
        request[FLASH] = session.flash
        await store.sessions.set_flash(session.key, None)
    request[SESSION] = session
    request[ACCOUNT] = account
    # written now, not with the handler: a handler that acts through the core opens its own unit
    # of work, and on SQLite it would wait for this one's write lock until it timed out
    await store.commit()


def requires(*roles: StaffRole) -> Callable[[Handler], Handler]:
    """Only staff with one of ``roles`` (administrators with any) may use the handler."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            account = request[ACCOUNT]
            if not any(account.can(role) for role in roles):
                raise web.HTTPForbidden(text="your roles do not include this page")
            return await handler(request)

        return guarded

    return decorate


def set_session_cookie(response: web.StreamResponse, request: web.Request, token: str) -> None:
    context = context_of(request)
    response.set_cookie(
        COOKIE,
        token,
        path="/admin",
        httponly=True,
        secure=context.settings.secure_cookie,
        samesite="Strict",
        max_age=context.settings.session_hours * 3600,
    )


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(COOKIE, path="/admin")


def address_of(request: web.Request) -> str:
    """The client's address (behind a reverse proxy, configure it to set the real one)."""
    return request.remote or "unknown"


async def redirect(request: web.Request, location: str, notice: str | None = None) -> web.Response:
    """After a form post: back to a page (see-other), with a notice shown there once."""
    if notice:
        await store_of(request).sessions.set_flash(request[SESSION].key, notice)
    raise web.HTTPSeeOther(location)
