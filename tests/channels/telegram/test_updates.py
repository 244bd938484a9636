"""What reaches the core, and what does not: groups, forged buttons, non-text, edits, blocking."""

from __future__ import annotations

import asyncio

from bot.core.cases.desk import Answer
from bot.core.messages import Reply, UserRef
from tests.channels.telegram.conftest import DESK_CHAT, STRANGER, WORKER, Telegram
from tests.fakes import telegram_updates as tg

USER = 1001


async def test_every_button_press_is_answered_and_forged_long_data_stops_there(
    telegram: Telegram,
) -> None:
    sent = await telegram.push(tg.callback(USER, "x" * 65))
    assert len(telegram.since("answerCallbackQuery")) == 1
    assert sent == [] and telegram.pipeline.seen == []
    assert await telegram.user_row(USER) is None


async def test_unknown_button_data_gets_the_core_expired_answer(telegram: Telegram) -> None:
    sent = await telegram.push(tg.callback(USER, "zzz:forged"))
    assert len(telegram.since("answerCallbackQuery")) == 1
    assert len(sent) == 1 and "menu:topics" in sent[0].callbacks()


async def test_group_messages_only_from_case_workers_in_the_case_desk(telegram: Telegram) -> None:
    sent = await telegram.push(
        tg.group_text(DESK_CHAT, STRANGER, "hello bot"),
        tg.group_text(DESK_CHAT, STRANGER, "answer", reply_to_text="🆘 #1 · abuse"),
        tg.group_text(-100777, WORKER, "another group", reply_to_text="🆘 #1"),
        tg.callback(STRANGER, "desk:ack:1", chat_id=DESK_CHAT),
    )
    assert telegram.pipeline.seen == [] and sent == []  # not users; strangers are not staff
    assert [a for a, _ in telegram.pipeline.desk_seen] == [UserRef("telegram", str(STRANGER))] * 2
    assert await telegram.user_row(STRANGER) is None

    sent = await telegram.push(
        tg.group_text(DESK_CHAT, WORKER, "we are on it", reply_to_text="🆘 #7 · x")
    )
    assert telegram.pipeline.desk_seen[-1] == (
        UserRef("telegram", str(WORKER)),
        Answer(7, "we are on it"),
    )
    assert [c.chat_id for c in sent] == [DESK_CHAT] and "#7" in sent[0].text  # no such case


async def test_photos_stickers_and_voice_reach_the_core_as_attachments(telegram: Telegram) -> None:
    await telegram.push(tg.photo(USER), tg.sticker(USER), tg.voice(USER), tg.photo(USER, "help me"))
    kinds = [(i.text, [a.kind for a in i.attachments]) for i in telegram.pipeline.seen]
    assert kinds == [("", ["image"]), ("", ["sticker"]), ("", ["audio"]), ("help me", ["image"])]


async def test_edits_are_passed_on_as_edits(telegram: Telegram) -> None:
    await telegram.say(USER, "/start")
    await telegram.push(tg.edited(USER, "/start again"))
    assert telegram.pipeline.seen[-1].edited
    assert telegram.pipeline.seen[-1].text == "/start again"


async def test_a_user_who_blocked_the_bot_is_marked_and_no_longer_sent_to(
    telegram: Telegram,
) -> None:
    await telegram.say(USER, "/start")
    telegram.fake.block(USER)
    await telegram.say(USER, "/help")
    assert [c.status for c in telegram.since("sendMessage")] == [403]
    row = await telegram.user_row(USER)
    assert row is not None and row.blocked

    # a relay (or a broadcast) to them now makes no request at all
    before = len(telegram.fake.calls)
    await telegram.channel.sender.send(UserRef("telegram", str(USER)), [Reply("hello?")])
    assert len(telegram.fake.calls) == before

    # unblocking arrives as a my_chat_member update
    telegram.fake.unblock(USER)
    await telegram.push(tg.member(USER, "member"))
    row = await telegram.user_row(USER)
    assert row is not None and not row.blocked
    sent = await telegram.say(USER, "/help")
    assert sent and sent[0].status == 200


async def test_blocking_reported_by_telegram_marks_the_user(telegram: Telegram) -> None:
    await telegram.say(USER, "/start")
    await telegram.push(tg.member(USER, "kicked"))
    row = await telegram.user_row(USER)
    assert row is not None and row.blocked
    before = len(telegram.fake.calls)
    await telegram.channel.sender.send(UserRef("telegram", str(USER)), [Reply("hello?")])
    assert len(telegram.fake.calls) == before


async def test_flood_control_429_is_retried_after_retry_after(telegram: Telegram) -> None:
    telegram.fake.fail("sendMessage", chat_id=USER, status=429, retry_after=1)
    sent = await telegram.say(USER, "/start")
    calls = telegram.since("sendMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 0.99
    assert len(sent) == 1 and "lang:vi" in sent[0].callbacks()


async def test_a_slow_user_does_not_hold_up_the_others(telegram: Telegram) -> None:
    telegram.fake.fail("sendMessage", chat_id=USER, status=429, retry_after=1)
    start = asyncio.get_running_loop().time()
    telegram.fake.push(tg.text(USER, "/start"))
    ids = telegram.fake.push(tg.text(2002, "/start"))
    await telegram.fake.wait_until(lambda: bool(telegram.fake.sent(2002)), within=5)
    assert asyncio.get_running_loop().time() - start < 0.9
    await telegram.fake.wait_confirmed(ids[-1])
    await telegram.channel.idle()
    assert telegram.fake.sent(USER)
