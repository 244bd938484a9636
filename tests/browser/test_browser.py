"""What people do, in a real browser: chat, tell, answer from the desk, sign in, read reports."""

from __future__ import annotations

from typing import Any

from openpyxl import load_workbook

from bot.core.ports import UnansweredQuestion
from bot.storage.admin import admin_stores
from tests.browser.conftest import Live, shot

DISCLOSURE = "bố em ngày nào cũng đánh em bằng roi"


async def _onboard_in_english(page: Any) -> None:
    """English, then the first role, "Skip" for the commune and the first consent choice, each
    once it is offered."""
    await page.click("button:has-text('English')")
    for _ in ("role", "commune", "consent"):
        await page.locator(".buttons button:enabled").first.click()
    await page.wait_for_selector(".msg.bot >> nth=4")


async def test_a_conversation_in_the_widget(live: Live) -> None:
    page = await live.page(locale="vi-VN")
    await page.goto(live.url + "/")
    await page.wait_for_selector("button:has-text('English')")
    assert await page.get_attribute("html", "lang") == "vi"
    await _onboard_in_english(page)
    await page.wait_for_function("document.documentElement.lang === 'en'")
    assert await page.get_attribute("#send", "aria-label") == "Send"
    # the earlier choices can no longer be pressed
    assert await page.locator("button:has-text('English')").is_disabled()
    await page.fill("#text", "how do I keep my child safe near water?")
    await page.click("#send")
    await page.wait_for_selector(".msg.bot h2, .msg.bot li, .msg.bot strong")
    await shot(page, "chat")
    for selector in ("#send", "#text", ".buttons button >> nth=-1", "header a", "#remember"):
        box = await page.locator(selector).bounding_box()
        assert (box is not None and box["height"] >= 44) or selector == "#remember", selector
    label = await page.locator("footer label").bounding_box()
    assert label is not None and label["height"] >= 44


async def test_the_conversation_is_kept_only_with_consent_and_forgotten(live: Live) -> None:
    page = await live.page(locale="en-US")
    await page.goto(live.url + "/")
    await page.wait_for_selector("button:has-text('English')")
    await page.reload()  # no consent: a reload starts afresh (no cookie, nothing stored)
    await page.wait_for_selector("button:has-text('English')")
    assert not [c for c in await page.context.cookies() if c["name"] == "mn_chat"]
    await _onboard_in_english(page)
    await page.check("#remember")
    await page.wait_for_function("localStorage.getItem('mangnon-chat') !== null")
    assert [c for c in await page.context.cookies() if c["name"] == "mn_chat"]
    await page.fill("#text", "/help")
    await page.click("#send")
    await page.wait_for_selector("text=/forget")
    await page.reload()
    await page.wait_for_selector(".msg.me:has-text('/help')")  # kept across the reload
    assert await page.is_checked("#remember")
    await page.fill("#text", "/forget")
    await page.click("#send")
    await page.click("button:has-text('Yes, delete my data')")
    await page.wait_for_function("localStorage.getItem('mangnon-chat') === null")
    assert not [c for c in await page.context.cookies() if c["name"] == "mn_chat"]


async def test_a_disclosure_reaches_the_web_desk_and_the_answer_the_childs_chat(
    live: Live,
) -> None:
    desk = await live.signed_in("hoa", "caseworker")
    await desk.goto(live.url + "/admin/cases")
    await desk.wait_for_selector("text=No open cases")
    child = await live.page(locale="vi-VN")
    await child.goto(live.url + "/")
    await child.wait_for_selector(".buttons button")
    await child.fill("#text", DISCLOSURE)
    await child.click("#send")
    await child.click("button:has-text('Có, mình muốn nói chuyện với ai đó')")
    # the queue shows it without a reload, and the tab counts it
    await desk.wait_for_selector("[data-case][data-status=new]", timeout=20_000)
    await desk.wait_for_function("document.title.startsWith('(1)')")
    await shot(desk, "desk-queue")
    await desk.click("[data-case] a")
    await desk.wait_for_selector("text=đánh em bằng roi")
    await desk.click("button:has-text('Acknowledge')")
    await desk.fill("#answer", "Cô là tư vấn viên. Em có an toàn không?")
    await desk.click("button:has-text('Send answer')")
    await desk.wait_for_selector(".flash")
    await shot(desk, "desk-case")
    await child.wait_for_selector("text=Em có an toàn không?", timeout=20_000)
    await shot(child, "chat-counsellor")


async def test_sign_in_and_out(live: Live) -> None:
    page = await live.signed_in("lan", "editor")
    assert await page.is_visible("nav >> text=Unanswered")
    await page.click("button:has-text('Sign out')")
    await page.wait_for_url(live.url + "/admin/login")
    await page.goto(live.url + "/admin/unanswered")
    assert page.url == live.url + "/admin/login"


async def test_an_editor_sees_unanswered_questions(live: Live) -> None:
    async with admin_stores(live.app.database)() as store:
        for _ in range(3):
            await store.unanswered.add(
                UnansweredQuestion(live.app.pipeline.clock.now(), "vi", "trẻ bị ong đốt thì làm gì")
            )
        await store.commit()
    page = await live.signed_in("lan", "editor")
    await page.click("nav >> text=Unanswered")
    row = page.locator("tr:has-text('trẻ bị ong đốt thì làm gì')")
    assert await row.locator("td.num").inner_text() == "3"
    await shot(page, "unanswered")


async def test_a_report_renders_a_chart_and_exports_xlsx(live: Live, tmp_path: Any) -> None:
    page = await live.signed_in("mai", "reporter")
    chat = await live.page(locale="vi-VN")
    await chat.goto(live.url + "/")
    await chat.wait_for_selector(".buttons button")
    await page.click("nav >> text=Reports")
    chart = page.locator("svg.chart").first
    assert await chart.is_visible()
    assert await chart.get_attribute("role") == "img"
    await shot(page, "reports")
    async with page.expect_download() as info:
        await page.click("a:has-text('XLSX')")
    download = await info.value
    path = tmp_path / "report.xlsx"
    await download.save_as(path)
    book = load_workbook(path)
    assert "users-locale" in book.sheetnames
    assert ("(not given)", "< 5") in list(book["users-locale"].iter_rows(values_only=True))


async def test_a_form_post_without_the_csrf_token_is_refused(live: Live) -> None:
    page = await live.signed_in("root", "admin")
    await page.click("nav >> text=Accounts")
    await shot(page, "accounts")
    await page.evaluate("document.querySelector('form.add input[name=csrf]').remove()")
    await page.fill("#new-username", "mai")
    await page.check("form.add input[value=reporter]")
    await page.click("form.add button")
    assert "CSRF" in await page.inner_text("body")


async def test_too_many_wrong_passwords_lock_the_login(live: Live) -> None:
    from tests.web.conftest import PASSWORD, add_account

    await add_account(live.app, "lan", "editor")
    page = await live.page()
    for password in ["wrong"] * 5 + [PASSWORD]:
        await page.goto(live.url + "/admin/login")
        await page.fill("#username", "lan")
        await page.fill("#password", password)
        await page.click("button[type=submit]")
    assert "locked" in await page.inner_text(".error")
    assert page.url.endswith("/admin/login")


async def test_an_author_cannot_approve_their_own_campaign_and_a_second_account_can(
    live: Live,
) -> None:
    from tests.core.test_campaigns import add_users

    await add_users(live.app.database, live.app.pipeline.clock, {"id": "p1"}, {"id": "p2"})
    # the author may approve campaigns, but never her own
    page = await live.signed_in("lan", "editor,approver", viewport={"width": 1280, "height": 960})
    await page.click("nav >> text=Campaigns")
    await page.click("text=New campaign")
    await page.fill("#title", "Mùa hè an toàn")
    await page.fill("#text-vi", "**Mùa hè** an toàn: dạy trẻ bơi và luôn trông trẻ gần nước.")
    await page.fill("#text-en", "A safe **summer**: teach children to swim; watch them near water.")
    await page.select_option("#articles", ["drowning-prevention"])
    await page.check("input[name=roles][value=parent]")
    await page.click("button:has-text('Save draft')")
    await page.wait_for_selector("h1:has-text('Mùa hè an toàn')")
    assert await page.inner_text("#audience-size") == "2"
    assert await page.locator(".preview[lang=vi] strong:has-text('Mùa hè')").is_visible()
    assert await page.locator(".preview[lang=en] li:has-text('📖')").count() == 1
    await page.click("button:has-text('Submit for approval')")
    await page.wait_for_selector(".flash:has-text('Submitted')")
    assert await page.locator("#own").is_visible()  # told why, and offered no approval
    assert await page.locator("button:has-text('Approve')").count() == 0
    await shot(page, "campaign")

    approver = await live.signed_in("minh", "approver")
    await approver.click("nav >> text=Campaigns")
    await approver.click("a:has-text('Mùa hè an toàn')")
    assert await approver.locator("#own").count() == 0
    await approver.click("button:has-text('Approve for 2 subscribers')")
    await approver.wait_for_selector(".flash:has-text('Approved')")
    await approver.click("button:has-text('Send now')")
    await approver.wait_for_selector("#progress [data-status=sending]")
    # live: the page follows the campaign when it changes elsewhere (here: cancelled by the core)
    campaign_id = int(approver.url.rsplit("/", 1)[1])
    await live.app.campaigns.cancel(campaign_id, "console:test")
    await approver.wait_for_selector("#progress [data-status=cancelled]", timeout=20_000)
    _campaign, trail = await live.app.campaigns.get(campaign_id)
    actions = [e.action for e in trail]
    assert actions[:4] == ["created", "submitted", "approved", "sending"]
    assert len({e.actor for e in trail[:2]} | {trail[2].actor}) == 2  # two people, four eyes
