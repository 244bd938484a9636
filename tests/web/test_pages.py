"""Editors' and reporters' pages, and the exports."""

from __future__ import annotations

import io
from datetime import date, timedelta
from uuid import uuid4

from openpyxl import load_workbook

from tests.web.conftest import Admin, add_account


async def _ask(admin: Admin, text: str) -> None:
    """A new parent, onboarded through the real buttons, asks one question."""
    session = str(uuid4())

    async def post(**body: str) -> list[str]:
        res = await admin.client.post("/api/chat", json={"session": session, **body})
        return [
            b["value"] for r in (await res.json())["replies"] for row in r["buttons"] for b in row
        ]

    buttons = await post(text="/start")
    for prefix in ("lang:vi", "role:parent", "commune:", "consent:"):
        buttons = await post(button=next(b for b in buttons if b.startswith(prefix)))
    await post(text=text)
    await admin.app.flush()


async def test_editors_see_unanswered_questions_grouped(admin: Admin) -> None:
    for _ in range(2):
        await _ask(admin, "Máy bay giấy gấp thế nào?")
    await _ask(admin, "máy bay giấy gấp thế nào")
    await add_account(admin.app, "lan", "editor")
    await admin.login("lan")
    page = await (await admin.client.get("/admin/unanswered")).text()
    assert "Máy bay giấy gấp thế nào?" in page
    assert '<td class="num">3</td>' in page


async def test_content_status_and_a_draft_preview(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor")
    await admin.login("lan")
    page = await (await admin.client.get("/admin/content")).text()
    assert "internal" in page and "Reviews due soon" in page
    library = admin.app.services.content.library
    (article_id, lang) = next(iter(library.articles))
    preview = await admin.client.get(f"/admin/content/{article_id}/{lang}")
    assert (
        preview.status == 200 and library.articles[(article_id, lang)].title in await preview.text()
    )


async def test_reports_hide_small_groups_and_export_xlsx(admin: Admin) -> None:
    for _ in range(6):
        await _ask(admin, "đuối nước")
    await _ask(admin, "xyzzy plugh")
    await add_account(admin.app, "mai", "reporter")
    await admin.login("mai")
    today = admin.clock.now().date()
    period = {"from": str(today - timedelta(days=1)), "to": str(today)}
    page = await (await admin.client.get("/admin/reports", params=period)).text()
    assert "<svg" in page and "New users by language" in page
    assert "&lt; 5" in page  # one unanswered question: hidden
    res = await admin.client.get("/admin/reports/export", params={**period, "format": "xlsx"})
    assert res.status == 200
    book = load_workbook(io.BytesIO(await res.read()))
    rows = list(book["users-locale"].iter_rows(values_only=True))
    assert ("vi", 7) in rows
    unanswered = dict((r[0], r[1]) for r in book["unanswered"].iter_rows(values_only=True))
    assert unanswered["unanswered"] == "< 5"
    csv = await (
        await admin.client.get("/admin/reports/export", params={**period, "format": "csv"})
    ).text()
    assert "users-locale,vi,count,7" in csv and "xyzzy" not in csv


async def test_a_malformed_period_is_explained(admin: Admin) -> None:
    await add_account(admin.app, "mai", "reporter")
    await admin.login("mai")
    page = await (
        await admin.client.get("/admin/reports", params={"from": "soon", "to": "x"})
    ).text()
    assert "Give the period as two dates" in page
    bad = await admin.client.get(
        "/admin/reports/export", params={"from": "2026-02-01", "to": "2026-01-01"}
    )
    assert bad.status == 400
    assert date.today()  # the page above still rendered the default period
