"""Plain data that flows through the core: what a user sent and what the bot answers.

Channel adapters build an :class:`Inbound` from their own update format and render each
:class:`Reply` with their own widgets. Nothing here holds a connection or reaches a global.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.core.textnorm import sanitize


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


@dataclass(frozen=True)
class Inbound:
    """One thing a user did: typed text or pressed a button."""

    user: UserRef
    text: str = ""
    callback: str | None = None
    locale_hint: str | None = None  # e.g. Telegram's language_code; a hint, not a choice
    attachments: tuple[Attachment, ...] = ()
    message_id: str | None = None
    edited: bool = (
        False  # an edit of an earlier message: still safety-checked, never answered twice
    )

    def __post_init__(self) -> None:
        # Every channel's words enter the core here: cleaned once, so that nothing a user sends
        # (a lone surrogate, a NUL) can stop a write, a log line or a hash further in.
        for name in ("text", "callback", "locale_hint", "message_id"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, sanitize(value))


@dataclass(frozen=True)
class Reply:
    """One message to send. ``to`` is None for the user who wrote; anyone else (a case desk, the
    user of a case) gets it through the outbox. ``markdown``: the text is the library's Markdown
    (headings, lists, bold, links), which each channel renders its own way; otherwise plain text."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    media: tuple[Media, ...] = ()
    to: UserRef | None = None
    markdown: bool = False


def reply_to_data(reply: Reply) -> dict[str, Any]:
    """A reply as JSON-ready data, to be stored in the outbox (``to`` is stored beside it)."""
    data: dict[str, Any] = {"text": reply.text}
    if reply.buttons:
        data["buttons"] = [[[b.label, b.kind.value, b.value] for b in row] for row in reply.buttons]
    if reply.media:
        data["media"] = [[m.kind.value, m.path, m.caption] for m in reply.media]
    if reply.markdown:
        data["markdown"] = True
    return data


def reply_from_data(data: dict[str, Any]) -> Reply:
    """The inverse of :func:`reply_to_data`; raises ValueError (or KeyError) on a damaged row."""
    buttons = tuple(
        tuple(Button(str(label), ButtonKind(kind), str(value)) for label, kind, value in row)
        for row in data.get("buttons", ())
    )
    media = tuple(
        Media(MediaKind(kind), str(path), str(caption))
        for kind, path, caption in data.get("media", ())
    )
    return Reply(
        str(data["text"]), buttons=buttons, media=media, markdown=bool(data.get("markdown"))
    )
