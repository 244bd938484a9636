"""Telegram updates → core :class:`Inbound` messages, or desk actions from the staff group.

Pure functions over aiogram's types, so each rule is tested with a raw update in, a value out.
``None`` means "not for the core": a group that is not the case desk, ordinary talk in the desk
group, a service message, or button data longer than Telegram ever sends (a forgery).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.enums import ChatMemberStatus, ChatType, ContentType
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, User

from bot.channels.telegram import desk
from bot.channels.telegram.config import CHANNEL, TelegramConfig
from bot.core.cases.desk import DeskAction
from bot.core.messages import Attachment, Inbound, UserRef

MAX_CALLBACK_BYTES = 64  # Telegram's own limit on callback_data

# What a user can send besides text, as the core's attachment kinds. Service messages (members
# joining, pinned messages, payments...) are not listed: they are not something a user said.
ATTACHMENT_KINDS: dict[str, str] = {
    ContentType.PHOTO: "image",
    ContentType.LIVE_PHOTO: "image",
    ContentType.STICKER: "sticker",
    ContentType.VOICE: "audio",
    ContentType.AUDIO: "audio",
    ContentType.VIDEO: "video",
    ContentType.VIDEO_NOTE: "video",
    ContentType.ANIMATION: "video",
    ContentType.DOCUMENT: "file",
    ContentType.LOCATION: "location",
    ContentType.VENUE: "location",
    ContentType.CONTACT: "contact",
    ContentType.POLL: "poll",
    ContentType.DICE: "other",
    ContentType.STORY: "other",
}
PRIVATE = ChatType.PRIVATE
GROUPS = (ChatType.GROUP, ChatType.SUPERGROUP)


@dataclass(frozen=True)
class DeskInput:
    """Something a member of the staff group asked of the case desk."""

    account: UserRef  # their Telegram account (the core checks it against the staff table)
    chat: UserRef  # the group: where the answer goes
    action: DeskAction | None
    usage: str | None = None  # a command meant for the bot that it could not read


def user_ref(user: User) -> UserRef:
    return UserRef(CHANNEL, str(user.id))


def chat_ref(chat_id: int) -> UserRef:
    """Where a message goes: a private chat's id is the user's id; a group's id is negative."""
    return UserRef(CHANNEL, str(chat_id))


def from_message(
    message: Message, config: TelegramConfig, edited: bool = False
) -> Inbound | DeskInput | None:
    user = message.from_user
    if user is None or user.is_bot:
        return None
    if message.chat.type in GROUPS:
        if edited or not config.is_case_desk(message.chat.id):
            return None
        return _desk_message(message, user)
    kind = message.content_type
    attachments = (Attachment(ATTACHMENT_KINDS[kind]),) if kind in ATTACHMENT_KINDS else ()
    # A caption is what the user wrote: it is safety-checked like any text.
    text = message.text or message.caption or ""
    if not text and not attachments:
        return None
    if message.chat.type != PRIVATE:
        return None
    return Inbound(
        user_ref(user),
        text=text,
        attachments=attachments,
        locale_hint=user.language_code,
        message_id=str(message.message_id),
        edited=edited,
    )


def _desk_message(message: Message, user: User) -> DeskInput | None:
    quoted = message.reply_to_message
    quoted_text = (quoted.text or quoted.caption) if quoted is not None else None
    group = chat_ref(message.chat.id)
    try:
        action = desk.from_text(message.text or message.caption or "", quoted_text)
    except desk.Usage as usage:
        return DeskInput(user_ref(user), group, None, str(usage))
    return DeskInput(user_ref(user), group, action) if action is not None else None


def from_callback(query: CallbackQuery, config: TelegramConfig) -> Inbound | DeskInput | None:
    data = query.data
    if data is None or len(data.encode()) > MAX_CALLBACK_BYTES or query.from_user.is_bot:
        return None
    user = query.from_user
    message = query.message
    if message is None or message.chat.type == PRIVATE:
        return Inbound(user_ref(user), callback=data, locale_hint=user.language_code)
    if message.chat.type in GROUPS and config.is_case_desk(message.chat.id):
        action = desk.from_button(data)
        return DeskInput(user_ref(user), chat_ref(message.chat.id), action) if action else None
    return None


def reachability(event: ChatMemberUpdated) -> tuple[UserRef, bool] | None:
    """A private chat's member update: the user blocked (kicked) or unblocked the bot."""
    if event.chat.type != PRIVATE:
        return None
    status = event.new_chat_member.status
    if status == ChatMemberStatus.KICKED:
        return user_ref(event.from_user), False
    if status == ChatMemberStatus.MEMBER:
        return user_ref(event.from_user), True
    return None
