"""Plain data that flows through the core: what a user sent and what the bot answers.

Channel adapters build an :class:`Inbound` from their own update format and render each
:class:`Reply` with their own widgets. Nothing here holds a connection or reaches a global.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class UserRef:
    """Who a message is from: the same person on Telegram and Zalo is two users."""

    channel: str
    external_id: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"


class ButtonKind(StrEnum):
    CALLBACK = "callback"  # comes back as Inbound.callback
    LINK = "link"  # opens a URL
    PHONE = "phone"  # dials a number where the channel can


@dataclass(frozen=True)
class Button:
    label: str
    kind: ButtonKind
    value: str  # callback data, URL or phone number

    @classmethod
    def callback(cls, label: str, data: str) -> Button:
        return cls(label, ButtonKind.CALLBACK, data)

    @classmethod
    def link(cls, label: str, url: str) -> Button:
        return cls(label, ButtonKind.LINK, url)

    @classmethod
    def phone(cls, label: str, number: str) -> Button:
        return cls(label, ButtonKind.PHONE, number)


class MediaKind(StrEnum):
    IMAGE = "image"
    AUDIO = "audio"


@dataclass(frozen=True)
class Media:
    kind: MediaKind
    path: str  # a file under CONTENT_DIR
    caption: str = ""


@dataclass(frozen=True)
class Attachment:
    kind: str  # image, audio, file, sticker, location...
    url: str = ""


@dataclass(frozen=True)
class Inbound:
    """One thing a user did: typed text or pressed a button."""

    user: UserRef
    text: str = ""
    callback: str | None = None
    locale_hint: str | None = None  # e.g. Telegram's language_code; a hint, not a choice
    attachments: tuple[Attachment, ...] = ()
    message_id: str | None = None
    chat: str | None = None  # the group chat it came from (the case desk); None for a private chat
    quoted: str | None = (
        None  # text of the message this one replies to (case workers reply to a case)
    )
    edited: bool = (
        False  # an edit of an earlier message: still safety-checked, never answered twice
    )


@dataclass(frozen=True)
class Reply:
    """One message to send. ``to`` is None for the user who wrote; set for relays (case desk)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    media: tuple[Media, ...] = ()
    to: UserRef | None = None
    meta: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
