"""Raw Telegram updates in, core messages out: one row per rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Update

from bot.channels.telegram import adapter
from bot.channels.telegram.config import TelegramConfig
from bot.core.cases.desk import Acknowledge, Answer, Close, Note
from bot.core.messages import Attachment, Inbound, UserRef
from tests.fakes import telegram_updates as tg

DESK, WORKER, STRANGER, USER = -100500, 501, 999, 1001
CONFIG = TelegramConfig(token="1:x", content_dir=Path("content"), desk_chat_id=DESK)


def ref(user_id: int) -> UserRef:
    return UserRef("telegram", str(user_id))


def update(raw: dict[str, Any]) -> Update:
    return Update.model_validate({"update_id": 1, **raw})


def desk(user: int, action: object, usage: str | None = None) -> adapter.DeskInput:
    return adapter.DeskInput(ref(user), ref(DESK), action, usage)  # type: ignore[arg-type]


def inbound(raw: dict[str, Any]) -> Inbound | adapter.DeskInput | None:
    event = update(raw)
    if event.message is not None:
        return adapter.from_message(event.message, CONFIG)
    if event.edited_message is not None:
        return adapter.from_message(event.edited_message, CONFIG, edited=True)
    assert event.callback_query is not None
    return adapter.from_callback(event.callback_query, CONFIG)


def without_ids(value: Inbound | adapter.DeskInput | None) -> Inbound | adapter.DeskInput | None:
    if not isinstance(value, Inbound):
        return value
    return Inbound(**{**value.__dict__, "message_id": None})


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
        # the case desk: a reply to a case message answers the case; commands; anything else
        # is colleagues talking. Who is staff is the core's question, not the adapter's.
        (
            tg.group_text(DESK, WORKER, "đã nhận", reply_to_text="🆘 #3 · violence"),
            desk(WORKER, Answer(3, "đã nhận")),
        ),
        (tg.group_text(DESK, WORKER, "hi"), None),
        (
            tg.group_text(DESK, STRANGER, "hi", reply_to_text="🆘 #3"),
            desk(STRANGER, Answer(3, "hi")),
        ),
        (tg.group_text(DESK, WORKER, "/ack 12"), desk(WORKER, Acknowledge(12))),
        (
            tg.group_text(DESK, WORKER, "/note gọi xã", reply_to_text="🆘 #4"),
            desk(WORKER, Note(4, "gọi xã")),
        ),
        (
            tg.group_text(DESK, WORKER, "/close"),
            desk(
                WORKER,
                None,
                "/close: which case? Write /close <number>, or reply to the case message.",
            ),
        ),
        (tg.group_text(-100777, WORKER, "hi", reply_to_text="🆘 #3"), None),
        ({"edited_message": tg.group_text(DESK, WORKER, "x")["message"]}, None),
        # buttons
        (tg.callback(USER, "lang:vi"), Inbound(ref(USER), callback="lang:vi", locale_hint="vi")),
        (tg.callback(USER, "x" * 64), Inbound(ref(USER), callback="x" * 64, locale_hint="vi")),
        (tg.callback(USER, "x" * 65), None),
        (tg.callback(USER, "ồ" * 22), None),  # 66 bytes in UTF-8
        (tg.callback(WORKER, "desk:ack:3", chat_id=DESK), desk(WORKER, Acknowledge(3))),
        (tg.callback(WORKER, "desk:close:3", chat_id=DESK), desk(WORKER, Close(3))),
        (tg.callback(WORKER, "desk:ack:x", chat_id=DESK), None),
        (tg.callback(WORKER, "desk:ack:3", chat_id=-100777), None),
    ],
)
def test_update_to_inbound(
    raw: dict[str, Any], expected: Inbound | adapter.DeskInput | None
) -> None:
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
