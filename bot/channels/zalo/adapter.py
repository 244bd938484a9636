"""Zalo webhook events → core :class:`Inbound` messages, and what else an event means.

Pure functions over the event's JSON, so each rule is tested with a raw event in, a value out.
Ids are read as text (``parse_int=str``): Zalo's user and message ids are large integers, and the
same person must be the same ``UserRef`` whether an id came quoted or not.

- ``user_send_text``: a message; its text is a button press when it is ``#`` + button data that
  the core knows (a choice button's payload comes back as the user's text).
- ``user_send_image`` / ``_audio`` / ``_sticker`` / ``_location`` / … : an attachment (its URL and
  any coordinates are dropped here: the bot never fetches or keeps them); a caption is text.
- ``follow``: a message "/start" (the greeting and onboarding); ``unfollow``: unreachable.
- anything else (``user_click_chatnow``, ``user_seen_message``, the OA's own ``oa_send_*``…):
  ignored, logged by name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.channels.http import BadInput, parse_json
from bot.channels.zalo.render import CALLBACK_MARK
from bot.core.callbacks import parse as parse_button
from bot.core.messages import Attachment, Inbound, UserRef

CHANNEL = "zalo"
TEXT = "user_send_text"
ATTACHMENT_KINDS = {
    "user_send_image": "image",
    "user_send_gif": "image",
    "user_send_sticker": "sticker",
    "user_send_audio": "audio",
    "user_send_video": "video",
    "user_send_file": "file",
    "user_send_location": "location",
    "user_send_link": "link",
    "user_send_business_card": "contact",
}
NAME = re.compile(r"^[a-z_]{1,40}$")  # what an event name may look like in the log


class Kind(StrEnum):
    MESSAGE = "message"
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    IGNORED = "ignored"


@dataclass(frozen=True)
class ZaloEvent:
    name: str  # Zalo's event_name, safe to log (see ``NAME``)
    kind: Kind
    key: str  # a hash of the event's identity: a redelivery has the same key
    user: UserRef | None = None
    inbound: Inbound | None = None


def parse(body: bytes) -> dict[str, Any]:
    """The event's JSON object; raises ValueError for anything else."""
    try:
        data = parse_json(body, parse_int=str)
    except BadInput as bad:
        raise ValueError(bad.message) from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def read(data: dict[str, Any]) -> ZaloEvent:
    raw_name = _text(data.get("event_name"))
    name = raw_name if NAME.match(raw_name) else "unnamed"
    found = data.get("message")
    message: dict[str, Any] = found if isinstance(found, dict) else {}
    if raw_name in ("follow", "unfollow"):
        user = _user(data.get("follower"))
        kind = Kind.FOLLOW if raw_name == "follow" else Kind.UNFOLLOW
        inbound = Inbound(user, text="/start") if user and kind is Kind.FOLLOW else None
        return ZaloEvent(name, kind if user else Kind.IGNORED, _key(data, message), user, inbound)
    user = _user(data.get("sender"))
    inbound = _inbound(raw_name, user, message) if user is not None else None
    kind = Kind.MESSAGE if inbound is not None else Kind.IGNORED
    return ZaloEvent(name, kind, _key(data, message), user, inbound)


def _inbound(name: str, user: UserRef, message: dict[str, Any]) -> Inbound | None:
    text = _text(message.get("text"))
    msg_id = _text(message.get("msg_id")) or None
    if name == TEXT:
        if not text.strip():
            return None
        if text.startswith(CALLBACK_MARK) and parse_button(text[1:]) is not None:
            return Inbound(user, callback=text[1:], message_id=msg_id)
        return Inbound(user, text=text, message_id=msg_id)
    kind = ATTACHMENT_KINDS.get(name)
    if kind is None:
        return None
    return Inbound(user, text=text, attachments=(Attachment(kind),), message_id=msg_id)


def _user(party: object) -> UserRef | None:
    user_id = _text(party.get("id")) if isinstance(party, dict) else ""
    return UserRef(CHANNEL, user_id) if user_id.isdigit() and len(user_id) <= 64 else None


def _key(data: dict[str, Any], message: dict[str, Any]) -> str:
    """Zalo's ``msg_id`` when there is one, else the event's name, user and time."""
    party = data.get("follower") if isinstance(data.get("follower"), dict) else data.get("sender")
    user_id = _text(party.get("id")) if isinstance(party, dict) else ""
    identity = _text(message.get("msg_id")) or "|".join(
        (_text(data.get("event_name")), user_id, _text(data.get("timestamp")))
    )
    return hashlib.sha256(identity.encode()).hexdigest()


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
