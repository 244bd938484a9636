"""Sign in, sign out, change the password."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bot.core.admin import passwords
from bot.core.admin.accounts import Outcome, login
from bot.core.admin.audit import AdminAuditEntry
from bot.core.admin.sessions import new_token, start
from bot.web.context import ACCOUNT, SESSION, context_of, store_of
from bot.web.security import (
    LOGIN_CSRF_COOKIE,
    address_of,
    clean_post,
    clear_session_cookie,
    same,
    set_session_cookie,
)
from bot.web.templating import render

MESSAGES = {
    Outcome.WRONG: "Wrong username or password.",
    Outcome.LOCKED: "Too many wrong passwords: this account is locked for a while. Ask an administrator, or try again later.",
    Outcome.THROTTLED: "Too many failed sign-ins from this network. Try again later.",
}


def _login_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    """The form, with a fresh CSRF token tied to a short-lived cookie (there is no session yet)."""
    token = new_token()
    response = render(request, "login.html", status=status, error=error, login_csrf=token)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        path="/admin/login",
        httponly=True,
        secure=context_of(request).settings.secure_cookie,
        samesite="Strict",
        max_age=3600,
    )
    return response


async def login_form(request: web.Request) -> web.Response:
    return _login_page(request)


async def login_submit(request: web.Request) -> web.Response:
    context = context_of(request)
    store = store_of(request)
    form = await clean_post(request)
    token = form.get("csrf", "")
    if not isinstance(token, str) or not same(token, request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        return _login_page(request, "The form expired. Please sign in again.", status=403)
    username, password = form.get("username", ""), form.get("password", "")
    if not isinstance(username, str) or not isinstance(password, str) or not username:
        return _login_page(request, MESSAGES[Outcome.WRONG], status=400)
    now = context.pipeline.clock.now()
    result = await login(
        store.accounts,
        store.throttle,
        store.audit,
        username,
        password[:1024],
        address_of(request),
        now,
        context.login_policy,
    )
    if result.outcome is not Outcome.OK or result.account is None:
        await store.commit()
        return _login_page(request, MESSAGES[result.outcome], status=401)
    cookie, session = start(result.account.id, now)
    await store.sessions.create(session)
    await store.sessions.purge(now - context.sessions.idle, now - context.sessions.absolute)
    await store.throttle.purge(now - timedelta(minutes=context.login_policy.window_minutes))
    target = "/admin/password" if result.account.must_change_password else "/admin/"
    response = web.HTTPSeeOther(target)
    set_session_cookie(response, request, cookie)
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/admin/login")
    raise response


async def logout(request: web.Request) -> web.Response:
    context = context_of(request)
    store = store_of(request)
    account = request[ACCOUNT]
    now = context.pipeline.clock.now()
    await store.sessions.delete(request[SESSION].key)
    await store.accounts.desk_seen(account.id, None)  # no longer at the desk
    await store.audit.append(AdminAuditEntry(now, account.id, account.pseudonym, "logout"))
    response = web.HTTPSeeOther("/admin/login")
    clear_session_cookie(response)
    raise response


async def password_form(request: web.Request) -> web.Response:
    return render(request, "password.html", error="")


async def password_submit(request: web.Request) -> web.Response:
    context = context_of(request)
    store = store_of(request)
    account = request[ACCOUNT]
    form = await clean_post(request)
    current, new, again = (str(form.get(k, "")) for k in ("current", "new", "again"))
    stored = await store.accounts.password_hash(account.id)
    error = ""
    if not await passwords.verify(stored, current):
        error = "The current password is wrong."
    elif new != again:
        error = "The two new passwords differ."
    elif new == current:
        error = "Choose a new password, not the one-time password again."
    else:
        weakness = passwords.weakness(new, account.username or "")
        error = f"The new password is too weak: {weakness}." if weakness else ""
    if error:
        return render(request, "password.html", status=400, error=error)
    now = context.pipeline.clock.now()
    await store.accounts.set_password(account.id, passwords.hash_password(new), must_change=False)
    # every other session of this account ends; this one goes on under a fresh token
    await store.sessions.delete_for(account.id)
    cookie, session = start(account.id, now)
    await store.sessions.create(session)
    await store.audit.append(
        AdminAuditEntry(now, account.id, account.pseudonym, "password-changed")
    )
    await store.sessions.set_flash(session.key, "Your password was changed.")
    response = web.HTTPSeeOther("/admin/")
    set_session_cookie(response, request, cookie)
    raise response
