"""Whole conversations over real HTTP: fake Bot API server → aiogram polling → pipeline → DB."""

from __future__ import annotations

import logging

import pytest

from tests.channels.telegram.conftest import Telegram
from tests.fakes import telegram_updates as tg

USER = 1001


async def onboard(telegram: Telegram, user_id: int = USER, lang: str = "en") -> None:
    await telegram.say(user_id, "/start", language_code=lang)
    await telegram.press(user_id, f"lang:{lang}")
    await telegram.press(user_id, "role:parent")
    await telegram.press(user_id, "commune:none")
    await telegram.press(user_id, "consent:self")


async def test_onboarding(telegram: Telegram) -> None:
    sent = await telegram.say(USER, "/start", language_code="en")
    assert len(sent) == 1 and sent[0].chat_id == USER
    assert sent[0].params["parse_mode"] == "HTML"
    assert {"lang:vi", "lang:en"} <= set(sent[0].callbacks())

    sent = await telegram.press(USER, "lang:en")
    assert len(telegram.since("answerCallbackQuery")) == 1
    assert "role:parent" in sent[-1].callbacks()
    sent = await telegram.press(USER, "role:parent")
    assert "commune:none" in sent[-1].callbacks()  # optional: a skip button
    sent = await telegram.press(USER, "commune:none")
    assert "consent:self" in sent[-1].callbacks()
    sent = await telegram.press(USER, "consent:self")
    assert "menu:topics" in sent[-1].callbacks()

    row = await telegram.user_row(USER)
    assert row is not None
    assert (row.locale, row.role, row.consent_by, row.blocked) == ("en", "parent", "self", False)


async def test_commands_menu_is_set_per_language(telegram: Telegram) -> None:
    calls = telegram.fake.of("setMyCommands")
    by_lang = {c.params.get("language_code"): c.params["commands"] for c in calls}
    assert set(by_lang) == {None, "en"}  # vi is the default menu
    for commands in by_lang.values():
        names = [c["command"] for c in commands]
        assert {"start", "topics", "language", "stop", "forget"} <= set(names)
        assert all(c["description"] for c in commands)


async def test_language_switch(telegram: Telegram) -> None:
    await onboard(telegram)
    sent = await telegram.say(USER, "/language")
    assert "lang:vi" in sent[-1].callbacks()
    await telegram.press(USER, "lang:vi")
    row = await telegram.user_row(USER)
    assert row is not None and row.locale == "vi"


async def test_browsing_topics_to_an_article(telegram: Telegram) -> None:
    await onboard(telegram)
    sent = await telegram.say(USER, "/topics")
    assert any(d.startswith("pillar:") for d in sent[-1].callbacks())
    sent = await telegram.press(USER, "pillar:")
    assert any(d.startswith("topic:") for d in sent[-1].callbacks())
    sent = await telegram.press(USER, "topic:")
    if not any(d.startswith("fb:") for c in sent for d in c.callbacks()):
        sent = await telegram.press(USER, "art:")  # a list of articles: open the first
    article = next(c for c in sent if any(d.startswith("fb:") for d in c.callbacks()))
    assert len(article.text) > 100
    assert "more:" in " ".join(article.callbacks())


async def test_a_free_text_question_is_answered(telegram: Telegram) -> None:
    await onboard(telegram)
    sent = await telegram.say(USER, "How do I stop my child drowning in the river?")
    assert sent and all(c.chat_id == USER for c in sent)
    assert any(d.startswith(("art:", "topic:")) for c in sent for d in c.callbacks())


async def test_stop(telegram: Telegram) -> None:
    await onboard(telegram)
    sent = await telegram.say(USER, "/stop")
    assert len(sent) == 1
    row = await telegram.user_row(USER)
    assert row is not None and row.opted_out and not row.subscribed


async def test_forget_deletes_the_user(telegram: Telegram) -> None:
    await onboard(telegram)
    await telegram.say(USER, "/forget")
    assert await telegram.user_row(USER) is not None
    sent = await telegram.press(USER, "forget:1")
    assert len(sent) == 1
    assert await telegram.user_row(USER) is None


async def test_updates_of_one_user_are_handled_in_order(telegram: Telegram) -> None:
    await onboard(telegram)
    sent = await telegram.push(
        tg.text(USER, "/help"),
        tg.text(2002, "/start"),
        tg.text(USER, "/topics"),
        tg.text(2002, "/help"),
        tg.text(USER, "/tip"),
    )
    seen = [i.text for i in telegram.pipeline.seen if i.user.external_id == str(USER)][-3:]
    assert seen == ["/help", "/topics", "/tip"]
    mine = [c for c in sent if c.chat_id == USER]
    assert "menu:topics" in mine[0].callbacks()  # help comes with the main menu
    assert any(d.startswith("pillar:") for d in mine[1].callbacks())
    assert any(d == "tip" for d in mine[2].callbacks())
    assert [c.chat_id for c in sent].count(2002) == 2


async def test_no_message_text_or_token_in_the_logs(
    telegram: Telegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # production level; the channel and aiogram at DEBUG
    caplog.set_level(logging.DEBUG, logger="aiogram")
    caplog.set_level(logging.DEBUG, logger="bot.channels")
    await onboard(telegram)
    await telegram.say(USER, "Bé nhà tôi tên Lan hay bị bắt nạt ở trường")
    refusal = "Bad Request: can't parse: Lan"
    telegram.fake.fail("sendMessage", USER, status=400, description=refusal)
    await telegram.say(USER, "Lan")
    assert caplog.records
    assert "Lan" not in caplog.text and "bắt nạt" not in caplog.text
    assert telegram.fake.token not in caplog.text
