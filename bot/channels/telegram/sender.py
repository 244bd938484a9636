"""The one way anything reaches Telegram: replies, case-desk relays and broadcasts.

It renders core replies, keeps each chat's messages together and in order, waits for the flood
limits, retries after Telegram's ``retry_after`` (429) and after network errors, and when a chat
answers 403 (the user blocked the bot or deleted the account) it marks the user unreachable
and sends nothing more there until the user comes back. Logs carry the method and status only:
never the text, the chat id or the token.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import FSInputFile, LinkPreviewOptions, Message

from bot.channels.telegram.config import CHANNEL, TelegramConfig
from bot.channels.telegram.methods import PinnedResponses, SendText, Sent
from bot.channels.telegram.ratelimit import RateLimiter
from bot.channels.telegram.render import MediaPart, Part, TextPart, render, render_shared
from bot.channels.telegram.session import JsonSession
from bot.core.locks import LocalLocks
from bot.core.messages import Reply, UserRef
from bot.core.outbox import UNSOLICITED, Delivery, Envelope, Priority, Result

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
Unreachable = Callable[[UserRef], Awaitable[None]]


class Attempt(Enum):
    SENT = "sent"
    REFUSED = "refused"  # Telegram refused this message for good (400); the next ones may go
    GAVE_UP = "gave-up"  # network errors, 5xx or 429 until max_attempts: try again later
    UNREACHABLE = "unreachable"  # nothing more can go to this chat


class TelegramSender:
    def __init__(
        self,
        bot: Bot,
        config: TelegramConfig,
        on_unreachable: Unreachable,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.bot = bot
        self.config = config
        self.on_unreachable = on_unreachable
        self.limiter = limiter or RateLimiter(config)
        self.unreachable: set[str] = set()
        self._chats = LocalLocks()
        self._file_ids: dict[tuple[Path, int, int], str] = {}
        self._pinned = PinnedResponses()  # for as long as this sender runs (see methods.py)

    async def send(
        self, to: UserRef, replies: Sequence[Reply], priority: int = Priority.CASE
    ) -> Attempt:
        """Deliver ``replies`` to the chat ``to`` (a user's private chat or a group): the worst
        outcome of its parts (a part refused does not stop the next ones). Replies to the
        user's own message go at the most urgent ``priority`` (the default)."""
        return (await self._send(to, replies, priority))[0]

    async def _send(
        self, to: UserRef, replies: Sequence[Reply], priority: int
    ) -> tuple[Attempt, str]:
        if to.channel != CHANNEL:
            raise ValueError(f"the Telegram sender cannot deliver to {to.channel!r}")
        if to.external_id in self.unreachable:
            log.info(
                "not sent: chat unreachable", extra={"channel": CHANNEL, "count": len(replies)}
            )
            return Attempt.UNREACHABLE, ""
        chat_id = int(to.external_id)
        render_one = render_shared if priority >= UNSOLICITED else render
        parts = [part for reply in replies for part in render_one(reply, self.config.content_dir)]
        outcome, ref = Attempt.SENT, ""
        async with self._chats.hold(to):  # one batch at a time per chat: replies stay in order
            for part in parts:
                attempt, message_id = await self._deliver(chat_id, part, priority)
                if attempt is Attempt.UNREACHABLE:
                    self.unreachable.add(to.external_id)
                    await self.on_unreachable(to)
                    return attempt, ""
                if attempt is Attempt.GAVE_UP:
                    return attempt, ""  # the rest waits for the next try, in order
                if attempt is Attempt.REFUSED:
                    outcome = attempt
                ref = message_id or ref
        return outcome, ref

    async def deliver(self, envelope: Envelope) -> Delivery:
        """An outbox message (a case alert, a counsellor's answer, a campaign…)."""
        attempt, ref = await self._send(envelope.to, envelope.replies, envelope.priority)
        return {
            Attempt.SENT: Delivery.sent(ref),
            Attempt.UNREACHABLE: Delivery(Result.UNREACHABLE, error="403"),
            Attempt.GAVE_UP: Delivery(Result.RETRY, error="gave-up"),
            Attempt.REFUSED: Delivery(Result.REJECTED, error="400"),
        }[attempt]

    def reachable_again(self, who: UserRef) -> bool:
        """The user unblocked the bot or wrote to it; True if they had been marked unreachable."""
        if who.external_id not in self.unreachable:
            return False
        self.unreachable.discard(who.external_id)
        return True

    async def _deliver(self, chat_id: int, part: Part, priority: int) -> tuple[Attempt, str]:
        """One message, retried here through 429s and network errors (up to max_attempts):
        (outcome, Telegram's message id when sent)."""
        method = _method_name(part)
        paid = self.limiter.paid_for(priority)
        for attempt in range(1, self.config.max_attempts + 1):
            await self.limiter.wait(chat_id, priority)
            try:
                message = await self._call(chat_id, part, paid, priority >= UNSOLICITED)
            except TelegramRetryAfter as exc:  # flood control: Telegram says how long to wait
                _log(logging.WARNING, "429: waiting before retrying", method, 429)
                self.limiter.pause(chat_id, exc.retry_after)
            except TelegramForbiddenError:  # blocked by the user, or the account is gone
                _log(logging.INFO, "403: chat unreachable", method, 403)
                return Attempt.UNREACHABLE, ""
            except TelegramMigrateToChat:
                _log(
                    logging.ERROR,
                    "the group has a new id: update TELEGRAM_DESK_CHAT_ID",
                    method,
                    400,
                )
                return Attempt.REFUSED, ""
            except TelegramBadRequest as exc:
                if "chat not found" in exc.message.lower():
                    _log(logging.INFO, "400: chat not found", method, 400)
                    return Attempt.UNREACHABLE, ""
                _log(logging.ERROR, f"400: message refused ({_reason(exc)})", method, 400)
                return Attempt.REFUSED, ""
            except (TelegramNetworkError, TelegramServerError) as exc:
                _log(logging.WARNING, f"{type(exc).__name__}: retrying", method)
                self.limiter.pause(chat_id, min(2.0**attempt, 30.0))
            else:
                self._remember_file(part, message)
                return Attempt.SENT, str(message.message_id)
        _log(logging.ERROR, f"gave up after {self.config.max_attempts} attempts", method)
        return Attempt.GAVE_UP, ""

    async def _call(
        self, chat_id: int, part: Part, paid: bool = False, shared: bool = False
    ) -> Message | Sent:
        allow_paid = True if paid else None
        if isinstance(part, TextPart):

            def method() -> SendText:
                return SendText(
                    chat_id=chat_id,
                    text=part.html,
                    parse_mode="HTML",
                    reply_markup=part.keyboard,
                    link_preview_options=NO_PREVIEW,
                    allow_paid_broadcast=allow_paid,
                )

            session = self.bot.session
            if isinstance(session, JsonSession):
                body = (shared_text_body if shared else text_body)(part, paid)
                return await session.send_text(self.bot, chat_id, body, method)
            return await self.bot(method())
        key = _file_key(part.path)
        file = (self._file_ids.get(key) if key else None) or FSInputFile(part.path)
        caption = part.caption or None
        if part.method == "photo":
            return await self.bot.send_photo(
                chat_id,
                file,
                caption=caption,
                parse_mode="HTML",
                reply_markup=part.keyboard,
                allow_paid_broadcast=allow_paid,
            )
        if part.method == "voice":
            return await self.bot.send_voice(
                chat_id,
                file,
                caption=caption,
                parse_mode="HTML",
                reply_markup=part.keyboard,
                allow_paid_broadcast=allow_paid,
            )
        return await self.bot.send_audio(
            chat_id,
            file,
            caption=caption,
            parse_mode="HTML",
            reply_markup=part.keyboard,
            allow_paid_broadcast=allow_paid,
        )

    def _remember_file(self, part: Part, message: Message | Sent) -> None:
        """Upload a file once: Telegram's file_id sends it again without the bytes."""
        if not isinstance(part, MediaPart) or not isinstance(message, Message):
            return
        sent = message.photo[-1] if message.photo else (message.voice or message.audio)
        key = _file_key(part.path)
        if sent is not None and key is not None:
            self._file_ids[key] = sent.file_id


def text_body(part: TextPart, paid: bool) -> bytes:
    """A sendMessage body without its chat: every field but ``chat_id`` (``JsonSession.
    send_text`` puts the chat in front)."""
    fields = SendText(
        chat_id=0,
        text=part.html,
        parse_mode="HTML",
        reply_markup=part.keyboard,
        link_preview_options=NO_PREVIEW,
        allow_paid_broadcast=True if paid else None,
    ).payload()
    del fields["chat_id"]
    return json.dumps(fields, ensure_ascii=False).encode()[1:]


# a campaign's few texts, encoded once for all their recipients (never what one person is told)
shared_text_body = functools.lru_cache(maxsize=256)(text_body)


def _log(level: int, message: str, method: str, status: int | None = None) -> None:
    extra: dict[str, object] = {"channel": CHANNEL, "method": method}
    if status is not None:
        extra["status"] = status
    log.log(level, message, extra=extra)


def _method_name(part: Part) -> str:
    return "sendMessage" if isinstance(part, TextPart) else f"send{part.method.capitalize()}"


def _file_key(path: Path) -> tuple[Path, int, int] | None:
    try:
        stat = path.stat()  # a file changed on disk (content reload) is uploaded again
    except OSError:
        return None
    return path, stat.st_mtime_ns, stat.st_size


def _reason(exc: TelegramBadRequest) -> str:
    """Telegram's description without its last detail, which may quote the message text."""
    return ":".join(exc.message.split(":")[:2])[:80]
