"""Campaign pages over HTTP: compose, preview, four eyes, send, pause/resume/cancel, test send,
roles and CSRF — each action through the campaigns core, in its audit trail and the admin's."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, insert, select, update

from bot.core.campaigns.model import Campaign, CampaignStatus, ScheduleKind
from bot.storage.admin import admin_stores
from bot.storage.campaigns import OPEN_EVENT
from bot.storage.models import EventRow, OutboxRow, StaffRow, UserRow
from tests.core.test_campaigns import Recorder, add_users, dispatcher, drain
from tests.web.conftest import Admin, add_account

FORM = {
    "title": "Mùa hè an toàn",
    "text-vi": "**Mùa hè** an toàn: dạy trẻ bơi.",
    "text-en": "A safe **summer**: teach children to swim.",
    "articles": "drowning-prevention",
    "roles": "parent",
    "schedule": "now",
}


async def _subscribers(admin: Admin) -> None:
    await add_users(
        admin.app.database,
        admin.clock,
        {"id": "p1"},
        {"id": "p2", "locale": "en"},
        {"id": "t1", "role": "teacher"},  # not in the audience: parents only
    )


async def _switch(admin: Admin, username: str) -> None:
    admin.client.session.cookie_jar.clear()
    res = await admin.login(username)
    assert res.status == 303


async def _compose(admin: Admin, **changes: str) -> Any:
    return await admin.post("/admin/campaigns", **{**FORM, **changes})


async def _created(admin: Admin, **changes: str) -> int:
    res = await _compose(admin, **changes)
    assert res.status == 303, await res.text()
    found = re.fullmatch(r"/admin/campaigns/(\d+)", res.headers["Location"])
    assert found
    return int(found.group(1))


async def _campaign(admin: Admin, campaign_id: int) -> Campaign:
    campaigns = admin.app.campaigns
    return (await campaigns.get(campaign_id))[0]


async def _page(admin: Admin, campaign_id: int) -> str:
    res = await admin.client.get(f"/admin/campaigns/{campaign_id}")
    assert res.status == 200
    return await res.text()


async def _admin_audit(admin: Admin) -> list[tuple[str, str, str]]:
    async with admin_stores(admin.app.database)() as store:
        return [(e.action, e.target, e.detail) for e in await store.audit.recent(100)]


async def test_compose_preview_submit_and_a_second_account_approves_and_sends(
    admin: Admin,
) -> None:
    await _subscribers(admin)
    await add_account(admin.app, "lan", "editor,approver")  # may approve, but not her own
    await add_account(admin.app, "minh", "approver")
    await admin.login("lan")
    campaign_id = await _created(admin)
    campaign = await _campaign(admin, campaign_id)
    assert campaign.status is CampaignStatus.DRAFT
    assert set(campaign.messages) == {"vi", "en"}
    assert campaign.messages["vi"].buttons[0].article == "drowning-prevention"
    assert campaign.audience.roles == ("parent",)
    page = await _page(admin, campaign_id)
    assert "Draft saved" in page  # the notice after the redirect
    assert '<strong id="audience-size">2</strong>' in page  # two parents subscribed
    assert "<strong>Mùa hè</strong> an toàn" in page and "<strong>summer</strong>" in page
    assert "📤 Submit for approval" in page

    await admin.post(f"/admin/campaigns/{campaign_id}/submit")
    assert (await _campaign(admin, campaign_id)).status is CampaignStatus.SUBMITTED
    page = await _page(admin, campaign_id)
    assert "you cannot approve it" in page and "✅ Approve" not in page

    # the author posts the approval anyway: the core refuses, with a clear message
    res = await admin.post(f"/admin/campaigns/{campaign_id}/approve")
    assert res.status == 303
    assert (await _campaign(admin, campaign_id)).status is CampaignStatus.SUBMITTED
    page = await _page(admin, campaign_id)
    assert "Not done: four eyes: a campaign must be approved by someone other than its author" in (
        page
    )

    await _switch(admin, "minh")
    page = await _page(admin, campaign_id)
    assert "✅ Approve for 2 subscribers" in page and "you cannot approve it" not in page
    await admin.post(f"/admin/campaigns/{campaign_id}/approve")
    approved = await _campaign(admin, campaign_id)
    assert approved.status is CampaignStatus.APPROVED and approved.audience_size == 2
    assert approved.approved_by != approved.author

    await admin.post(f"/admin/campaigns/{campaign_id}/send")
    assert (await _campaign(admin, campaign_id)).status is CampaignStatus.SENDING
    async with admin.app.database.store() as store:
        progress = await store.campaigns.progress(campaign_id)
    assert progress.queued == 2 and progress.waiting == 2
    fragment = await (await admin.client.get(f"/admin/campaigns/{campaign_id}/progress")).text()
    assert 'data-status="sending"' in fragment and "0 of 2 settled, 2 waiting" in fragment
    listing = await (await admin.client.get("/admin/campaigns")).text()
    assert "Mùa hè an toàn" in listing and "0 sent of 2" in listing

    _campaign_now, trail = await admin.app.campaigns.get(campaign_id)
    assert [e.action for e in trail] == ["created", "submitted", "approved", "sending"]
    actions = [(a, d) for a, t, d in await _admin_audit(admin) if t == f"campaign:{campaign_id}"]
    assert ("campaign-approve", "refused") in actions
    assert {"campaign-created", "campaign-submit", "campaign-approve", "campaign-send"} <= {
        a for a, _d in actions
    }


async def test_the_form_shows_every_problem_and_keeps_what_was_typed(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor")
    await admin.login("lan")
    form = await (await admin.client.get("/admin/campaigns/new")).text()
    assert 'name="text-vi"' in form and 'value="drowning-prevention"' in form
    assert 'name="communes"' in form and 'value="weekly"' in form
    res = await _compose(
        admin, **{"text-vi": "", "active_within_days": "soon", "schedule": "at", "at": ""}
    )
    assert res.status == 400
    page = await res.text()
    assert "messages.vi.text" in page and "audience.active_within_days" in page
    assert "A safe **summer**: teach children to swim." in page  # kept
    assert 'value="drowning-prevention" selected' in page
    async with admin.app.database.store() as store:
        assert not await store.campaigns.listing()


async def test_a_weekly_schedule_is_armed_when_sent(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor")
    await add_account(admin.app, "minh", "approver")
    await admin.login("lan")
    campaign_id = await _created(
        admin, schedule="weekly", day="monday", time="08:00", until="2027-06-30", **{"text-en": ""}
    )
    # English readers get the Vietnamese message, said so: the preview shows them too
    page = await _page(admin, campaign_id)
    assert "en (falls back)" in page and "not yet available in your language" in page
    schedule = (await _campaign(admin, campaign_id)).schedule
    assert schedule.kind is ScheduleKind.WEEKLY and schedule.weekday == 0
    await admin.post(f"/admin/campaigns/{campaign_id}/submit")
    await _switch(admin, "minh")
    await admin.post(f"/admin/campaigns/{campaign_id}/approve")
    await admin.post(f"/admin/campaigns/{campaign_id}/send")
    campaign = await _campaign(admin, campaign_id)
    assert campaign.status is CampaignStatus.SCHEDULED and campaign.next_run_at is not None
    assert "Scheduled: the first run is due weekly on monday at 08:00" in await _page(
        admin, campaign_id
    )


async def test_pause_resume_cancel_and_reject(admin: Admin) -> None:
    await _subscribers(admin)
    await add_account(admin.app, "lan", "editor")
    await add_account(admin.app, "minh", "approver")
    await admin.login("lan")
    campaign_id = await _created(admin)
    await admin.post(f"/admin/campaigns/{campaign_id}/submit")
    await _switch(admin, "minh")
    await admin.post(f"/admin/campaigns/{campaign_id}/reject", reason="fix the title")
    assert (await _campaign(admin, campaign_id)).status is CampaignStatus.DRAFT
    await _switch(admin, "lan")
    await admin.post(f"/admin/campaigns/{campaign_id}/submit")
    await _switch(admin, "minh")
    await admin.post(f"/admin/campaigns/{campaign_id}/approve")
    await admin.post(f"/admin/campaigns/{campaign_id}/send")
    res = await admin.post(f"/admin/campaigns/{campaign_id}/pause")
    assert res.status == 403  # pausing is an editor's step
    await _switch(admin, "lan")
    for verb, status in (
        ("pause", CampaignStatus.PAUSED),
        ("resume", CampaignStatus.SENDING),
        ("cancel", CampaignStatus.CANCELLED),
    ):
        res = await admin.post(f"/admin/campaigns/{campaign_id}/{verb}")
        assert res.status == 303
        assert (await _campaign(admin, campaign_id)).status is status, verb
    async with admin.app.database.store() as store:
        progress = await store.campaigns.progress(campaign_id)
    assert progress.cancelled == 2 and progress.waiting == 0
    _c, trail = await admin.app.campaigns.get(campaign_id)
    assert [e.action for e in trail][-4:] == ["sending", "paused", "resumed", "cancelled"]
    page = await _page(admin, campaign_id)
    assert "Nothing you can do with it now." in page  # cancelled is final
    res = await admin.post(f"/admin/campaigns/{campaign_id}/resume")
    assert "Not done: campaign" in await _page(admin, campaign_id)


async def test_a_test_send_goes_to_the_members_own_chat_account(admin: Admin) -> None:
    lan = await add_account(admin.app, "lan", "editor")
    await admin.login("lan")
    campaign_id = await _created(admin)
    await admin.post(f"/admin/campaigns/{campaign_id}/test")
    assert "has no chat account on record" in await _page(admin, campaign_id)
    async with admin.app.database.engine.begin() as conn:
        await conn.execute(update(StaffRow).where(StaffRow.id == lan).values(telegram_id="555"))
    await admin.post(f"/admin/campaigns/{campaign_id}/test")
    assert "Test sent to your own chat account (vi, en)" in await _page(admin, campaign_id)
    async with admin.app.database.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(OutboxRow.recipient, func.count())
                .where(OutboxRow.kind == "campaign-test")
                .group_by(OutboxRow.recipient)
            )
        ).all()
    assert [(r, int(n)) for r, n in rows] == [("555", 2)]


async def test_roles_decide_what_each_member_may_see_and_do(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor")
    await add_account(admin.app, "minh", "approver")
    await add_account(admin.app, "hoa", "caseworker")
    await admin.login("lan")
    campaign_id = await _created(admin)
    await admin.post(f"/admin/campaigns/{campaign_id}/submit")
    page = await _page(admin, campaign_id)
    assert "/approve" not in page and "/reject" not in page  # an editor only: no approval
    res = await admin.post(f"/admin/campaigns/{campaign_id}/approve")
    assert res.status == 403
    await _switch(admin, "minh")
    assert (await admin.client.get("/admin/campaigns/new")).status == 403  # approvers don't write
    assert (await _compose(admin)).status == 403
    assert (await admin.client.get("/admin/campaigns")).status == 200
    res = await admin.post(f"/admin/campaigns/{campaign_id}/cancel")
    assert res.status == 403  # cancelling is an editor's step
    await _switch(admin, "hoa")
    for path in ("/admin/campaigns", f"/admin/campaigns/{campaign_id}"):
        assert (await admin.client.get(path)).status == 403
    assert "/admin/campaigns" not in await (await admin.client.get("/admin/")).text()
    admin.client.session.cookie_jar.clear()
    res = await admin.client.get("/admin/campaigns", allow_redirects=False)
    assert res.status == 303 and res.headers["Location"] == "/admin/login"
    res = await admin.client.get(f"/admin/campaigns/{campaign_id}/progress", allow_redirects=False)
    assert res.status == 401
    assert (await _campaign(admin, campaign_id)).status is CampaignStatus.SUBMITTED


async def test_campaign_forms_need_the_csrf_token(admin: Admin) -> None:
    await add_account(admin.app, "lan", "editor")
    await admin.login("lan")
    campaign_id = await _created(admin)
    page = await _page(admin, campaign_id)
    assert page.count('name="csrf"') >= 3  # sign-out, submit, test, cancel
    res = await admin.client.post(f"/admin/campaigns/{campaign_id}/submit", data={})
    assert res.status == 403
    res = await admin.client.post("/admin/campaigns", data=FORM)
    assert res.status == 403
    assert (await _campaign(admin, campaign_id)).status is CampaignStatus.DRAFT
    async with admin.app.database.store() as store:
        assert len(await store.campaigns.listing()) == 1
    assert "csrf-refused" in [a for a, _t, _d in await _admin_audit(admin)]


async def test_reports_count_campaign_reach_opens_and_opt_outs(admin: Admin) -> None:
    await add_users(admin.app.database, admin.clock, *({"id": f"p{n}"} for n in range(7)))
    await add_account(admin.app, "lan", "editor")
    await add_account(admin.app, "minh", "approver")
    await add_account(admin.app, "mai", "reporter")
    await admin.login("lan")
    campaign_id = await _created(admin)
    await admin.post(f"/admin/campaigns/{campaign_id}/submit")
    await _switch(admin, "minh")
    await admin.post(f"/admin/campaigns/{campaign_id}/approve")
    await admin.post(f"/admin/campaigns/{campaign_id}/send")
    await drain(dispatcher(admin.app.database, admin.clock, Recorder()))
    later = admin.clock.now() + timedelta(hours=1)
    async with admin.app.database.engine.begin() as conn:
        await conn.execute(
            update(UserRow)
            .where(UserRow.external_id == "p3")
            .values(opted_out=True, opted_out_at=later)
        )
        await conn.execute(
            insert(EventRow.__table__),
            [
                {"at": later, "kind": OPEN_EVENT, "channel": "test", "subject": str(campaign_id)}
                for _ in range(5)
            ],
        )
    await _switch(admin, "mai")
    res = await admin.client.get(
        "/admin/reports/export",
        params={"from": "2026-11-30", "to": "2026-12-02", "format": "xlsx"},
    )
    book = load_workbook(io.BytesIO(await res.read()))
    rows = list(book["campaigns"].iter_rows(values_only=True))
    # 7 delivered, 5 opens, 1 opted out (hidden: fewer than REPORT_MIN_GROUP)
    assert (f"#{campaign_id} Mùa hè an toàn", 7, 5, "< 5") in rows
    page = await (await admin.client.get("/admin/reports", params={"from": "2026-11-30"})).text()
    assert "Campaign reach and opt-outs" in page
