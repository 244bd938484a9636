"""Administrators' pages: accounts (add, roles, deactivate, unlock, reset); the audit log."""

from __future__ import annotations

from aiohttp import web

from bot.core.admin import passwords
from bot.core.admin.accounts import (
    Account,
    AccountExists,
    NewAccount,
    check_username,
    parse_roles,
)
from bot.core.admin.audit import AdminAuditEntry
from bot.core.cases.model import StaffRole
from bot.web.context import ACCOUNT, context_of, store_of
from bot.web.security import clean_post, redirect, requires
from bot.web.templating import render

BACK = "/admin/accounts"


async def _audit(request: web.Request, action: str, target: str = "", detail: str = "") -> None:
    account: Account = request[ACCOUNT]
    now = context_of(request).pipeline.clock.now()
    await store_of(request).audit.append(
        AdminAuditEntry(now, account.id, account.pseudonym, action, target, detail)
    )


async def _page(request: web.Request, status: int = 200, **values: object) -> web.Response:
    accounts = await store_of(request).accounts.listing()
    now = context_of(request).pipeline.clock.now()
    values.setdefault("error", "")
    values.setdefault("created", None)
    return render(
        request,
        "accounts.html",
        status=status,
        accounts=accounts,
        roles=list(StaffRole),
        now=now,
        **values,
    )


@requires(StaffRole.ADMIN)
async def accounts_page(request: web.Request) -> web.Response:
    return await _page(request)


def _form_roles(form: object) -> frozenset[StaffRole]:
    values = form.getall("roles", []) if hasattr(form, "getall") else []
    return parse_roles(",".join(str(v) for v in values))


@requires(StaffRole.ADMIN)
async def add_account(request: web.Request) -> web.Response:
    form = await clean_post(request)
    try:
        username = check_username(str(form.get("username", "")))
        roles = _form_roles(form)
    except ValueError as exc:
        return await _page(request, status=400, error=str(exc))
    name = str(form.get("name", "")).strip()[:80] or username
    password = passwords.one_time_password()
    store = store_of(request)
    now = context_of(request).pipeline.clock.now()
    try:
        account = await store.accounts.add(
            NewAccount(username, name, roles, passwords.hash_password(password)), now
        )
    except AccountExists:
        return await _page(request, status=409, error=f"The username {username} is taken.")
    await _audit(request, "account-added", f"account:{account.id}", ",".join(sorted(roles)))
    # shown once, on this response only: never stored, never in a redirect
    return await _page(request, created=(account, password))


def _target(request: web.Request) -> int:
    try:
        return int(request.match_info["staff_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


@requires(StaffRole.ADMIN)
async def change_account(request: web.Request) -> web.Response:
    store = store_of(request)
    me: Account = request[ACCOUNT]
    staff_id = _target(request)
    target = await store.accounts.get(staff_id)
    if target is None:
        raise web.HTTPNotFound()
    verb = request.match_info["verb"]
    form = await clean_post(request)
    if verb in ("deactivate", "roles") and staff_id == me.id:
        return await redirect(request, BACK, "You cannot remove your own access.")
    if verb == "deactivate":
        await store.accounts.set_active(staff_id, False)
        await store.accounts.desk_seen(staff_id, None)
        await store.sessions.delete_for(staff_id)
        notice = f"{target.pseudonym} can no longer sign in."
    elif verb == "activate":
        await store.accounts.set_active(staff_id, True)
        notice = f"{target.pseudonym} can sign in again."
    elif verb == "unlock":
        await store.accounts.unlock(staff_id)
        notice = f"{target.pseudonym} is unlocked."
    elif verb == "roles":
        try:
            roles = _form_roles(form)
        except ValueError as exc:
            return await redirect(request, BACK, str(exc))
        await store.accounts.set_roles(staff_id, roles)
        await _audit(request, "account-roles", f"account:{staff_id}", ",".join(sorted(roles)))
        return await redirect(request, BACK, f"Roles of {target.pseudonym} changed.")
    else:  # reset: a new one-time password, shown once
        if target.username is None:
            return await redirect(request, BACK, "This member of staff has no web sign-in.")
        password = passwords.one_time_password()
        await store.accounts.set_password(staff_id, passwords.hash_password(password), True)
        await store.accounts.unlock(staff_id)
        await store.sessions.delete_for(staff_id)
        await _audit(request, "account-reset", f"account:{staff_id}")
        return await _page(request, created=(target, password))
    await _audit(request, f"account-{verb}", f"account:{staff_id}")
    return await redirect(request, BACK, notice)


async def audit_page(request: web.Request) -> web.Response:
    """Administrators see every entry, with names; everyone else their own, by pseudonym."""
    me: Account = request[ACCOUNT]
    store = store_of(request)
    admin = me.can(StaffRole.ADMIN)
    entries = await store.audit.recent(300, None if admin else me.id)
    names = {a.id: a.name for a in await store.accounts.listing()} if admin else {}
    return render(request, "audit.html", entries=entries, names=names, admin=admin)


async def home(request: web.Request) -> web.Response:
    return render(request, "home.html")


ROUTES = (
    ("GET", "/", home),
    ("GET", "/accounts", accounts_page),
    ("POST", "/accounts", add_account),
    ("POST", "/accounts/{staff_id}/{verb:deactivate|activate|unlock|roles|reset}", change_account),
    ("GET", "/audit", audit_page),
)
