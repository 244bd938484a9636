"""The lean sendMessage and the response classes the channel keeps alive."""

from __future__ import annotations

import gc
import weakref

from aiogram.methods.base import Response
from aiogram.types import Message

from bot.channels.telegram.methods import PinnedResponses, SendText, Sent


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
