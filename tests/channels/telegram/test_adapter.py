"""Raw Telegram updates in, core messages out: one row per rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Update

from bot.channels.telegram import adapter
from bot.channels.telegram.config import TelegramConfig
from bot.core.messages import Attachment, Inbound, UserRef
from tests.fakes import telegram_updates as tg

DESK, WORKER, STRANGER, USER = -100500, 501, 999, 1001
CONFIG = TelegramConfig(
    token="1:x",
    content_dir=Path("content"),
    caseworker_chat_id=DESK,
    caseworker_ids=frozenset({WORKER}),
)


def ref(user_id: int) -> UserRef:
    return UserRef("telegram", str(user_id))


def update(raw: dict[str, Any]) -> Update:
    return Update.model_validate({"update_id": 1, **raw})


def inbound(raw: dict[str, Any]) -> Inbound | None:
    event = update(raw)
    if event.message is not None:
        return adapter.from_message(event.message, CONFIG)
    if event.edited_message is not None:
        return adapter.from_message(event.edited_message, CONFIG, edited=True)
    assert event.callback_query is not None
    return adapter.from_callback(event.callback_query, CONFIG)


def without_ids(value: Inbound | None) -> Inbound | None:
    return None if value is None else Inbound(**{**value.__dict__, "message_id": None})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (tg.text(USER, "xin chào"), Inbound(ref(USER), text="xin chào", locale_hint="vi")),
        (tg.text(USER, "hi", language_code=None), Inbound(ref(USER), text="hi")),
        (tg.photo(USER), Inbound(ref(USER), attachments=(Attachment("image"),), locale_hint="vi")),
        (
            tg.photo(USER, "bố đánh em"),
            Inbound(
                ref(USER), text="bố đánh em", attachments=(Attachment("image"),), locale_hint="vi"
            ),
        ),
        (
            tg.sticker(USER),
            Inbound(ref(USER), attachments=(Attachment("sticker"),), locale_hint="vi"),
        ),
        (tg.voice(USER), Inbound(ref(USER), attachments=(Attachment("audio"),), locale_hint="vi")),
        (tg.edited(USER, "sửa"), Inbound(ref(USER), text="sửa", locale_hint="vi", edited=True)),
        (
            {
                "message": tg.message(
                    USER, pinned_message={"chat": tg.chat(USER), "message_id": 1, "date": 0}
                )
            },
            None,
        ),
        ({"message": {**tg.message(USER, "bot"), "from": tg.user(USER, is_bot=True)}}, None),
        # the case desk: case workers only, with the case message they reply to
        (
            tg.group_text(DESK, WORKER, "đã nhận", reply_to_text="🆘 #3"),
            Inbound(ref(WORKER), text="đã nhận", locale_hint="vi", chat=str(DESK), quoted="🆘 #3"),
        ),
        (
            tg.group_text(DESK, WORKER, "hi"),
            Inbound(ref(WORKER), text="hi", locale_hint="vi", chat=str(DESK)),
        ),
        (tg.group_text(DESK, STRANGER, "hi", reply_to_text="🆘 #3"), None),
        (tg.group_text(-100777, WORKER, "hi"), None),
        ({"edited_message": tg.group_text(DESK, WORKER, "x")["message"]}, None),
        # buttons
        (tg.callback(USER, "lang:vi"), Inbound(ref(USER), callback="lang:vi", locale_hint="vi")),
        (tg.callback(USER, "x" * 64), Inbound(ref(USER), callback="x" * 64, locale_hint="vi")),
        (tg.callback(USER, "x" * 65), None),
        (tg.callback(USER, "ồ" * 22), None),  # 66 bytes in UTF-8
        (
            tg.callback(WORKER, "ack:3", chat_id=DESK),
            Inbound(ref(WORKER), callback="ack:3", locale_hint="vi", chat=str(DESK)),
        ),
        (tg.callback(STRANGER, "ack:3", chat_id=DESK), None),
    ],
)
def test_update_to_inbound(raw: dict[str, Any], expected: Inbound | None) -> None:
    assert without_ids(inbound(raw)) == expected


def test_message_id_is_kept() -> None:
    raw = tg.text(USER, "hi")
    result = inbound(raw)
    assert result is not None and result.message_id == str(raw["message"]["message_id"])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (tg.member(USER, "kicked"), (ref(USER), False)),
        (tg.member(USER, "member"), (ref(USER), True)),
        (tg.member(WORKER, "member", chat_id=DESK), None),
        (tg.member(WORKER, "left", chat_id=DESK), None),
    ],
)
def test_reachability(raw: dict[str, Any], expected: tuple[UserRef, bool] | None) -> None:
    event = update(raw).my_chat_member
    assert event is not None
    assert adapter.reachability(event) == expected


def test_answers_go_to_the_chat_the_message_came_from() -> None:
    assert adapter.reply_target(Inbound(ref(USER))) == ref(USER)
    assert adapter.reply_target(Inbound(ref(WORKER), chat=str(DESK))) == ref(DESK)
