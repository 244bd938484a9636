"""The web desk: presence decides the offer; a worker acknowledges and answers from the web."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from uuid import uuid4

from bot.storage.presence import SqlPresence
from tests.web.conftest import Admin, add_account

DISCLOSURE = "bố em ngày nào cũng đánh em bằng roi"


async def _chat(admin: Admin, session: str, **body: str) -> dict[str, Any]:
    res = await admin.client.post("/api/chat", json={"session": session, **body})
    data: dict[str, Any] = await res.json()
    return data


def _buttons(data: dict[str, Any]) -> list[str]:
    return [b["value"] for r in data["replies"] for row in r["buttons"] for b in row]


async def test_a_counsellor_is_offered_only_while_a_worker_is_at_the_web_desk(admin: Admin) -> None:
    await add_account(admin.app, "hoa", "caseworker")
    child = str(uuid4())
    nobody = await _chat(admin, child, text=DISCLOSURE)
    assert "case:yes" not in _buttons(nobody)  # nobody at the desk: 111 at once
    await admin.login("hoa")
    assert (await admin.client.get("/admin/cases")).status == 200  # at the desk now
    offered = await _chat(admin, str(uuid4()), text=DISCLOSURE)
    assert "case:yes" in _buttons(offered)
    admin.clock.advance(minutes=4)  # the desk page stopped polling
    later = await _chat(admin, str(uuid4()), text=DISCLOSURE)
    assert "case:yes" not in _buttons(later)
    await admin.client.get("/admin/cases/queue")
    assert "case:yes" in _buttons(await _chat(admin, str(uuid4()), text=DISCLOSURE))
    await admin.post("/admin/logout")  # signing out leaves the desk at once
    assert "case:yes" not in _buttons(await _chat(admin, str(uuid4()), text=DISCLOSURE))


async def test_presence_is_shared_through_the_database(admin: Admin) -> None:
    staff = await add_account(admin.app, "hoa", "caseworker")
    editor = await add_account(admin.app, "lan", "editor")
    from datetime import timedelta

    from bot.storage.admin import admin_stores

    presence = SqlPresence(admin.app.database, timedelta(minutes=3))  # as another process
    now = admin.clock.now()
    assert not await presence.anyone(now)
    async with admin_stores(admin.app.database)() as store:
        await store.accounts.desk_seen(editor, now)  # an editor is no counsellor
        await store.commit()
    assert not await presence.anyone(now)
    async with admin_stores(admin.app.database)() as store:
        await store.accounts.desk_seen(staff, now)
        await store.commit()
    assert await presence.anyone(now)
    assert not await presence.anyone(now + timedelta(minutes=4))


async def _events(admin: Admin, session: str, count: int) -> list[dict[str, Any]]:
    res = await admin.client.get("/api/chat/events", params={"session": session})
    replies: list[dict[str, Any]] = []
    async with asyncio.timeout(10):
        while len(replies) < count:
            line = (await res.content.readline()).decode()
            if line.startswith("data: "):
                replies.append(json.loads(line[len("data: ") :]))
    res.close()
    return replies


async def test_a_disclosure_reaches_the_web_desk_and_the_answer_reaches_the_child(
    admin: Admin,
) -> None:
    await add_account(admin.app, "hoa", "caseworker")
    await admin.login("hoa")
    await admin.client.get("/admin/cases")
    child = str(uuid4())
    await _chat(admin, child, text=DISCLOSURE)
    accepted = await _chat(admin, child, button="case:yes")
    assert accepted["replies"]
    queue = await (await admin.client.get("/admin/cases/queue")).text()
    assert ('data-status="new"' in queue and "abuse" in queue) or "violence" in queue
    case_id = int(queue.split('data-case="')[1].split('"')[0])
    page = await (await admin.client.get(f"/admin/cases/{case_id}")).text()
    assert "đánh em bằng roi" in page  # the conversation
    assert "viewed" in page  # opening it is in the case's audit trail
    ack = await admin.post(f"/admin/cases/{case_id}/ack")
    assert ack.status == 303
    await admin.post(f"/admin/cases/{case_id}/answer", text="Em có an toàn không?")
    await admin.post(f"/admin/cases/{case_id}/note", text="gọi cán bộ xã")
    first, second = await _events(admin, child, 2)
    assert "Em có an toàn không?" in second["text"]
    pseudonym = (await (await admin.client.get("/admin/")).text()).split('class="me"')[1]
    assert pseudonym.split(">")[1].split("<")[0] in first["text"]  # signed with the pseudonym
    await admin.post(f"/admin/cases/{case_id}/refer", to="commune")
    closed = await admin.post(f"/admin/cases/{case_id}/close", outcome="referred")
    assert closed.status == 303
    page = await (await admin.client.get(f"/admin/cases/{case_id}")).text()
    assert "closed" in page and "gọi cán bộ xã" in page
    audit = await (await admin.client.get("/admin/audit")).text()
    for action in ("case-viewed", "case-ack", "case-answer", "case-note", "case-close"):
        assert action in audit
    assert "gọi cán bộ xã" not in audit  # no text in the audit log


async def test_a_bad_desk_form_loses_nothing_and_says_why(admin: Admin) -> None:
    await add_account(admin.app, "hoa", "caseworker")
    await admin.login("hoa")
    res = await admin.post("/admin/cases/999/close", outcome="nonsense")
    assert res.status == 303
    page = await (await admin.client.get("/admin/cases")).text()
    assert "Choose how the case ended." in page
    assert (await admin.client.get("/admin/cases/999")).status == 404
