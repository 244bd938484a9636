"""Raw Telegram updates, as the Bot API sends them (without ``update_id``: the fake adds it)."""

from __future__ import annotations

import itertools
import time
from typing import Any

_message_ids = itertools.count(1)


def user(user_id: int, language_code: str | None = "vi", is_bot: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": f"U{user_id}"}
    if language_code:
        data["language_code"] = language_code
    return data


def chat(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"U{chat_id}"}
    return {"id": chat_id, "type": "supergroup", "title": "Case desk"}


def message(
    user_id: int,
    text: str | None = None,
    chat_id: int | None = None,
    language_code: str | None = "vi",
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(chat_id if chat_id is not None else user_id),
        "from": user(user_id, language_code),
    }
    if text is not None:
        body["text"] = text
    body.update(extra)
    return body


def text(user_id: int, text: str, language_code: str | None = "vi") -> dict[str, Any]:
    return {"message": message(user_id, text, language_code=language_code)}


def edited(user_id: int, text: str) -> dict[str, Any]:
    return {"edited_message": {**message(user_id, text), "edit_date": int(time.time())}}


def photo(user_id: int, caption: str | None = None) -> dict[str, Any]:
    sizes = [{"file_id": "ph1", "file_unique_id": "uph1", "width": 90, "height": 90}]
    extra: dict[str, Any] = {"photo": sizes}
    if caption:
        extra["caption"] = caption
    return {"message": message(user_id, **extra)}


def sticker(user_id: int) -> dict[str, Any]:
    body = {
        "file_id": "st1",
        "file_unique_id": "ust1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    return {"message": message(user_id, sticker=body)}


def voice(user_id: int) -> dict[str, Any]:
    return {
        "message": message(user_id, voice={"file_id": "v1", "file_unique_id": "uv1", "duration": 3})
    }


def group_text(
    chat_id: int, user_id: int, text: str, reply_to_text: str | None = None
) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if reply_to_text is not None:
        bot = user(424242, None, is_bot=True)
        extra["reply_to_message"] = {**message(424242, reply_to_text, chat_id=chat_id), "from": bot}
    return {"message": message(user_id, text, chat_id=chat_id, **extra)}


def callback(
    user_id: int, data: str, chat_id: int | None = None, language_code: str | None = "vi"
) -> dict[str, Any]:
    where = chat_id if chat_id is not None else user_id
    bot = user(424242, None, is_bot=True)
    return {
        "callback_query": {
            "id": f"cq{next(_message_ids)}",
            "from": user(user_id, language_code),
            "chat_instance": f"ci{where}",
            "data": data,
            "message": {**message(424242, "…", chat_id=where), "from": bot},
        }
    }


def member(user_id: int, status: str, chat_id: int | None = None) -> dict[str, Any]:
    """The bot's own membership changed: ``kicked`` (blocked), ``member`` (unblocked/added)."""
    bot = user(424242, None, is_bot=True)
    old = "member" if status != "member" else ("kicked" if chat_id is None else "left")
    return {
        "my_chat_member": {
            "chat": chat(chat_id if chat_id is not None else user_id),
            "from": user(user_id),
            "date": int(time.time()),
            "old_chat_member": _member(bot, old),
            "new_chat_member": _member(bot, status),
        }
    }


def _member(bot: dict[str, Any], status: str) -> dict[str, Any]:
    body: dict[str, Any] = {"user": bot, "status": status}
    if status == "kicked":
        body["until_date"] = 0
    return body
