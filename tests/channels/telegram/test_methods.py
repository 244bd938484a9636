"""The lean sendMessage and the response classes the channel keeps alive."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from aiogram import Bot
from aiogram.methods import SendMessage
from aiogram.methods.base import Response
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message

from bot.channels.telegram.methods import PinnedResponses, SendText, Sent
from bot.channels.telegram.session import JsonSession


def _response_class() -> weakref.ref[type]:
    return weakref.ref(Response[Message])  # made inside a function: only pydantic's weak cache


def test_pinned_response_classes_survive_a_collection_and_unpinned_ones_do_not() -> None:
    pinned = PinnedResponses()
    alive = _response_class()
    gc.collect()
    assert alive() is not None and alive() in pinned.classes
    del pinned
    gc.collect()
    assert _response_class()() is not None  # rebuilt on demand…
    assert alive() is None  # …because the pinned one was dropped: what aiogram would do per call


def test_send_text_is_send_message_answered_with_the_id_only() -> None:
    method = SendText(chat_id=5, text="hi", parse_mode="HTML")
    assert method.__api_method__ == "sendMessage" and method.__returning__ is Sent
    answer = Response[Sent].model_validate(
        {"ok": True, "result": {"message_id": 9, "chat": {"id": 5}, "text": "hi"}}
    )
    assert answer.result == Sent(message_id=9)


def test_send_text_payload_is_what_aiogram_would_send_for_send_message() -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text="📚 Chủ đề", callback_data="menu:topics")],
            [InlineKeyboardButton(text="Web", url="https://example.org")],
        ]
    )
    fields: dict[str, Any] = {
        "chat_id": 42,
        "text": "Xin chào <b>bạn</b>",
        "parse_mode": "HTML",
        "reply_markup": keyboard,
        "link_preview_options": LinkPreviewOptions(is_disabled=True),
    }
    bot = Bot("123456:TEST-token_abc")
    generic = JsonSession().json_payload(bot, SendMessage(**fields), files={})
    assert SendText(**fields).payload() == generic
    assert SendText(chat_id=42, text="hi").payload() == {"chat_id": 42, "text": "hi"}
