"""Sign-in, sessions, CSRF, roles and the audit log of the web admin, over real HTTP."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from bot.storage.admin import admin_stores
from bot.web import ROUTES
from tests.web.conftest import PASSWORD, Admin, add_account

PUBLIC = {"/login"}


def _concrete(path: str) -> str:
    path = re.sub(r"\{verb:([a-z]+)[^}]*\}", r"\1", path)
    return "/admin" + re.sub(r"\{[a-z_]+\}", "1", path)


@pytest.mark.parametrize(
    ("method", "path"),
    [(m, p) for m, p, _ in ROUTES if p not in PUBLIC],
    ids=lambda v: str(v),
)
async def test_anonymous_access_to_every_admin_route_is_refused(
    admin: Admin, method: str, path: str
) -> None:
    res = await admin.client.request(method, _concrete(path), allow_redirects=False)
    if method == "GET" and not path.endswith(("/queue", "/messages", "/progress")):
        assert res.status == 303 and res.headers["Location"] == "/admin/login"
    else:
        assert res.status == 401
    assert "Case" not in await res.text()


async def test_sign_in_and_out(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor")
    res = await admin.login("lan")
    assert res.status == 303 and res.headers["Location"] == "/admin/"
    cookie = res.cookies["mn_admin"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/admin"
    home = await admin.client.get("/admin/")
    assert home.status == 200 and "Unanswered" in await home.text()
    assert "Accounts" not in await home.text()  # an editor is no administrator
    out = await admin.post("/admin/logout")
    assert out.status == 303
    again = await admin.client.get("/admin/", allow_redirects=False)
    assert again.status == 303 and again.headers["Location"] == "/admin/login"


async def test_a_form_without_the_csrf_token_is_refused(admin: Admin) -> None:
    await add_account(admin.app, "root", "admin")
    await admin.login("root")
    bare = await admin.client.post(
        "/admin/accounts", data={"username": "mai", "roles": "editor"}, allow_redirects=False
    )
    assert bare.status == 403
    forged = await admin.client.post(
        "/admin/accounts",
        data={"csrf": "x" * 43, "username": "mai", "roles": "editor"},
        allow_redirects=False,
    )
    assert forged.status == 403
    real = await admin.post("/admin/accounts", username="mai", roles="editor")
    assert real.status == 200 and "One-time password for" in await real.text()


async def test_the_login_form_needs_its_csrf_token(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor")
    res = await admin.client.post(
        "/admin/login", data={"username": "lan", "password": PASSWORD}, allow_redirects=False
    )
    assert res.status == 403 and "mn_admin" not in res.cookies


async def test_too_many_wrong_passwords_lock_the_account(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor")
    for _ in range(4):
        assert (await admin.login("lan", "wrong password")).status == 401
    locked = await admin.login("lan", "wrong password")
    assert "locked" in await locked.text()
    right = await admin.login("lan")  # even the right password, while locked
    assert right.status == 401 and "locked" in await right.text()
    admin.clock.advance(minutes=16)
    assert (await admin.login("lan")).status == 303


async def test_too_many_failures_from_one_address_are_throttled(
    services: object, database_url: str
) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from tests.web.conftest import start_admin

    app, web_app = await start_admin(services, database_url, address_failures=3)  # type: ignore[arg-type]
    try:
        async with TestClient(TestServer(web_app)) as client:
            admin = Admin(app, client, None)  # type: ignore[arg-type]
            await add_account(app, "lan", "editor")
            for name in ("a1", "a2", "a3"):
                await admin.login(name, "guess")
            res = await admin.login("lan")
            assert res.status == 401 and "this network" in await res.text()
    finally:
        await app.stop_channels()
        await app.close()


async def test_a_one_time_password_must_be_changed_first(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor", must_change=True)
    res = await admin.login("lan")
    assert res.headers["Location"] == "/admin/password"
    elsewhere = await admin.client.get("/admin/unanswered", allow_redirects=False)
    assert elsewhere.headers["Location"] == "/admin/password"
    weak = await admin.post("/admin/password", current=PASSWORD, new="short", again="short")
    assert weak.status == 400
    new = "a much longer pass phrase"
    done = await admin.post("/admin/password", current=PASSWORD, new=new, again=new)
    assert done.status == 303
    assert (await admin.client.get("/admin/unanswered")).status == 200


async def test_sessions_expire_when_idle(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor")
    await admin.login("lan")
    admin.clock.advance(minutes=29)
    assert (await admin.client.get("/admin/", allow_redirects=False)).status == 200
    admin.clock.advance(minutes=31)
    assert (await admin.client.get("/admin/", allow_redirects=False)).status == 303


async def test_sessions_end_after_the_absolute_limit(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor")
    await admin.login("lan")
    for _ in range(30):  # active every 25 minutes, for more than 12 hours
        admin.clock.advance(minutes=25)
        res = await admin.client.get("/admin/", allow_redirects=False)
    assert res.status == 303


async def test_roles_guard_pages(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor")
    await admin.login("lan")
    assert (await admin.client.get("/admin/reports")).status == 403
    assert (await admin.client.get("/admin/cases")).status == 403
    assert (await admin.client.get("/admin/content")).status == 200


async def test_every_action_is_in_the_append_only_audit_log(admin: Admin) -> None:
    staff_id = await add_account(admin.app, "root", "admin")
    await admin.login("root", "nope")
    await admin.login("root")
    await admin.post("/admin/accounts", username="mai", roles="reporter")
    page = await (await admin.client.get("/admin/audit")).text()
    for action in ("login-failed", "login", "account-added"):
        assert f"<td>{action}</td>" in page
    assert "Root" in page  # administrators see names
    async with admin_stores(admin.app.database)() as store:
        entries = await store.audit.recent(10, staff_id)
        assert {e.action for e in entries} >= {"login", "account-added"}
    async with admin.app.database.session() as session:
        for statement in ("UPDATE admin_audit SET action = 'x'", "DELETE FROM admin_audit"):
            with pytest.raises(Exception, match="append-only"):
                await session.execute(text(statement))
            await session.rollback()


async def test_staff_see_only_their_own_audit_entries(admin: Admin) -> None:
    await add_account(admin.app, "root", "admin")
    await add_account(admin.app, "lan", "editor")
    await admin.login("root")
    await admin.post("/admin/logout")
    await admin.login("lan")
    page = await (await admin.client.get("/admin/audit")).text()
    assert "Root" not in page and "Lan" not in page  # no names for non-administrators
    assert page.count("<td>login</td>") == 1


async def test_deactivating_an_account_ends_its_sessions(admin: Admin) -> None:
    await add_account(admin.app, "root", "admin")
    lan = await add_account(admin.app, "lan", "editor")
    other = Admin(admin.app, admin.client, admin.clock)
    await other.login("root")
    await other.post(f"/admin/accounts/{lan}/deactivate")
    await other.post("/admin/logout")
    res = await admin.login("lan")
    assert res.status == 401


async def test_idle_sessions_are_purged_at_sign_in(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor")
    await admin.login("lan")
    admin.clock.advance(hours=13)
    await admin.login("lan")
    async with admin.app.database.session() as session:
        count = (await session.execute(text("SELECT count(*) FROM admin_sessions"))).scalar()
    assert count == 1
