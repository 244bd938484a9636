"""Zalo webhook events as Zalo sends them (ids as quoted large integers), and their signature."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from bot.channels.zalo.signature import HEADER, header_value
from tests.fakes.zalo_api import APP_ID, OA_SECRET_KEY

OA_ID = "579745863508352884"
_msg_ids = itertools.count(int(time.time() * 1000) * 1000)


def now_ms() -> int:
    return int(time.time() * 1000)


def _event(name: str, at_ms: int | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "app_id": APP_ID,
        "event_name": name,
        "timestamp": str(at_ms if at_ms is not None else now_ms()),
        **fields,
    }


def _message(name: str, user: str, message: dict[str, Any], at_ms: int | None) -> dict[str, Any]:
    message = {"msg_id": f"{next(_msg_ids):x}", **message}
    return _event(
        name,
        at_ms,
        sender={"id": user},
        recipient={"id": OA_ID},
        user_id_by_app=f"9{user}",
        message=message,
    )


def text(user: str, words: str, at_ms: int | None = None) -> dict[str, Any]:
    return _message("user_send_text", user, {"text": words}, at_ms)


def press(user: str, payload: str) -> dict[str, Any]:
    """A choice button pressed: its payload comes back as the user's text."""
    return text(user, payload)


def image(user: str, caption: str = "") -> dict[str, Any]:
    attachment = {"type": "image", "payload": {"url": "https://zalo.example/i.jpg"}}
    return _message("user_send_image", user, {"text": caption, "attachments": [attachment]}, None)


def sticker(user: str) -> dict[str, Any]:
    attachment = {"type": "sticker", "payload": {"id": "12", "url": "https://zalo.example/s"}}
    return _message("user_send_sticker", user, {"attachments": [attachment]}, None)


def location(user: str) -> dict[str, Any]:
    coordinates = {"latitude": "16.74", "longitude": "107.18"}
    attachment = {"type": "location", "payload": {"coordinates": coordinates}}
    return _message("user_send_location", user, {"attachments": [attachment]}, None)


def follow(user: str) -> dict[str, Any]:
    return _event("follow", None, oa_id=OA_ID, follower={"id": user}, source="oa_profile")


def unfollow(user: str) -> dict[str, Any]:
    return _event("unfollow", None, oa_id=OA_ID, follower={"id": user}, source="oa_profile")


def chat_now(user: str) -> dict[str, Any]:
    return _event("user_click_chatnow", None, oa_id=OA_ID, user_id=user)


def signed(
    event: dict[str, Any], secret: str = OA_SECRET_KEY, app_id: str = APP_ID
) -> tuple[bytes, dict[str, str]]:
    """The body and the headers Zalo would send with ``event``."""
    body = json.dumps(event, ensure_ascii=False).encode()
    return body, {
        HEADER: header_value(app_id, body, event["timestamp"], secret),
        "Content-Type": "application/json",
    }
