"""The one way anything reaches a Zalo user: replies, case messages and campaigns.

Each message goes to the consultation endpoint after the OA's rate limiter lets it (replies to a
user's own message first, see ``limiter``). What Zalo answers decides what happens next; HTTP 200
with ``error != 0`` is a failure:

- -216 / -220 (access token invalid or expired): refresh the tokens once, send again;
- -213 / -227 (not a follower, banned or inactive): the user is unreachable (marked in the
  database; nothing more is sent until they write again);
- -230 / -232 (the user has not interacted within Zalo's window): outside the window — recorded,
  never retried, and not "unreachable": the user can still write to us;
- -32 (rate limit): everybody waits ``backoff_seconds``; an outbox message is retried then;
- -211 (out of quota): the outbox retries after ``quota_retry_minutes``;
- a message with buttons refused for another reason: sent again as a numbered menu, and from
  then on every menu is numbered (``ZALO_BUTTONS=auto``); the numbers' meaning goes to the core;
- anything else: the message is refused, logged with its code — never its text.

Before sending an outbox message the user's profile is checked: unfollowed (blocked) users are
unreachable, and Zalo's windows are applied here so a campaign never pays for a message Zalo would
refuse or bill: notices and campaigns only within ``reply_window_hours`` of the user's last
message, anything only within ``interaction_window_days``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from bot.channels.zalo.adapter import CHANNEL
from bot.channels.zalo.api import ZaloApi, ZaloUnavailable
from bot.channels.zalo.limiter import REPLY, PriorityLimiter
from bot.channels.zalo.render import Message, Style, numbered, render, with_attachment_id
from bot.channels.zalo.settings import ButtonMode, ZaloSettings
from bot.channels.zalo.tokens import TokenKeeper
from bot.core.locks import LocalLocks
from bot.core.messages import Reply, UserRef
from bot.core.outbox import Delivery, Envelope, Priority, Result
from bot.core.pipeline import Pipeline

log = logging.getLogger(__name__)

TOKEN_ERRORS = frozenset({-216, -220})
UNREACHABLE = frozenset({-213, -227})
OUTSIDE_WINDOW = frozenset({-230, -232})
RATE_LIMITED = -32
OUT_OF_QUOTA = -211
SEVERITY = {  # the worst outcome of an answer's messages is the answer's
    Result.SENT: 0,
    Result.REJECTED: 1,
    Result.RETRY: 2,
    Result.OUTSIDE_WINDOW: 3,
    Result.UNREACHABLE: 4,
}


class ZaloSender:
    def __init__(
        self,
        api: ZaloApi,
        keeper: TokenKeeper,
        limiter: PriorityLimiter,
        pipeline: Pipeline,
        settings: ZaloSettings,
        content_dir: Path,
    ) -> None:
        self.api = api
        self.keeper = keeper
        self.limiter = limiter
        self.pipeline = pipeline
        self.settings = settings
        self.content_dir = content_dir
        self.style = Style(settings.max_text, settings.max_buttons, settings.choice_button)
        self.numbered = settings.buttons is ButtonMode.OFF  # set when Zalo refuses buttons
        self.unreachable: set[str] = set()
        self._users = LocalLocks()
        self._images: dict[tuple[Path, int, int], str] = {}  # uploaded once: attachment ids

    async def send(self, to: UserRef, replies: Sequence[Reply], priority: int = REPLY) -> Delivery:
        """Deliver ``replies`` to ``to`` in order; the worst outcome of their messages."""
        if to.external_id in self.unreachable:
            return Delivery(Result.UNREACHABLE, error="unfollowed")
        queue = render(replies, self.content_dir, self.style)
        choices: list[str] = []
        outcome = Delivery.sent()
        as_numbers = self.numbered
        refused: str | None = None  # Zalo refused a message with buttons (its error code)
        async with self._users.hold(to):  # one answer at a time per user: messages stay in order
            while queue:
                message = queue.pop(0)
                if message.has_buttons and as_numbers:
                    menu = [message]
                    while queue and queue[0].continues:
                        menu.append(queue.pop(0))
                    parts, picked = numbered(menu, len(choices) + 1, self.style.max_text)
                    choices.extend(picked)
                    queue[0:0] = parts
                    continue
                delivery = await self._post(to, message, priority)
                if (
                    delivery.result is Result.REJECTED
                    and message.has_buttons
                    and self.settings.buttons is ButtonMode.AUTO
                ):
                    as_numbers, refused = True, delivery.error
                    queue.insert(0, message)  # the same message again, as a numbered menu
                    continue
                if delivery.result is Result.SENT and message.numbered and refused is not None:
                    self._refuse_buttons(refused)  # numbers went where buttons did not
                if SEVERITY[delivery.result] > SEVERITY[outcome.result]:
                    outcome = delivery
                if delivery.result not in (Result.SENT, Result.REJECTED):
                    break  # the rest waits (or is moot): never out of order
        if choices:
            await self.pipeline.remember_choices(to, tuple(choices))
        if outcome.result is Result.UNREACHABLE:
            self.unreachable.add(to.external_id)
            await self.pipeline.mark_reachable(to, False)
        return outcome

    async def deliver(self, envelope: Envelope) -> Delivery:
        """An outbox message: a counsellor's answer, a case notice, a campaign."""
        to = envelope.to
        if to.channel != CHANNEL:
            return Delivery(Result.REJECTED, error="channel")
        profile = await self.pipeline.profile(to)
        if profile is None or profile.blocked:
            return Delivery(Result.UNREACHABLE, error="unfollowed" if profile else "unknown")
        silent = self.pipeline.clock.now() - profile.last_seen_at
        if silent > timedelta(days=self.settings.interaction_window_days):
            return Delivery(Result.OUTSIDE_WINDOW, error="interaction-window")
        if envelope.priority > Priority.CASE and silent > timedelta(
            hours=self.settings.reply_window_hours
        ):
            return Delivery(Result.OUTSIDE_WINDOW, error="reply-window")
        return await self.send(to, envelope.replies, envelope.priority)

    def reachable_again(self, who: UserRef) -> bool:
        """The user wrote or followed again; True if they had been marked unreachable here."""
        if who.external_id not in self.unreachable:
            return False
        self.unreachable.discard(who.external_id)
        return True

    async def _post(self, to: UserRef, message: Message, priority: int) -> Delivery:
        refreshed = False
        attempt = 0
        while attempt < self.settings.max_attempts:
            attempt += 1
            await self.limiter.wait(priority)
            token = self.keeper.access
            body = await self._with_image(message, token) if message.image else message.body
            try:
                code = await self.api.send(token, to.external_id, body)
            except ZaloUnavailable as exc:
                _log(logging.WARNING, f"zalo did not answer ({exc})")
                if attempt < self.settings.max_attempts:
                    await asyncio.sleep(min(2.0**attempt, 30.0))
                continue
            if code == 0:
                return Delivery.sent()
            if code == RATE_LIMITED and priority == REPLY:  # the user is waiting: wait too
                _log(logging.WARNING, "rate limited: everybody waits", code)
                self.limiter.pause(self.settings.backoff_seconds)
                continue
            if code in TOKEN_ERRORS and not refreshed:
                refreshed, attempt = True, attempt - 1  # a refused token is not the message's try
                if await self.keeper.refresh(refused=token):
                    continue
            return await self._failure(code, priority)
        _log(logging.ERROR, f"gave up after {self.settings.max_attempts} attempts")
        return Delivery(Result.RETRY, error="gave-up")

    async def _failure(self, code: int, priority: int) -> Delivery:
        if code in TOKEN_ERRORS:
            _log(logging.ERROR, "access token refused after a refresh", code)
            return Delivery(Result.RETRY, error=str(code))
        if code in UNREACHABLE:
            _log(logging.INFO, "user unreachable", code)
            return Delivery(Result.UNREACHABLE, error=str(code))
        if code in OUTSIDE_WINDOW:
            _log(logging.INFO, "outside the interaction window", code)
            return Delivery(Result.OUTSIDE_WINDOW, error=str(code))
        if code == RATE_LIMITED:
            _log(logging.WARNING, "rate limited: everybody waits", code)
            self.limiter.pause(self.settings.backoff_seconds)
            return Delivery(
                Result.RETRY, retry_after=self.settings.backoff_seconds, error=str(code)
            )
        if code == OUT_OF_QUOTA:
            _log(logging.ERROR, "OPERATOR: the OA is out of quota", code)
            minutes = self.settings.quota_retry_minutes
            return Delivery(Result.RETRY, retry_after=minutes * 60, error=str(code))
        _log(logging.ERROR, "message refused", code)
        return Delivery(Result.REJECTED, error=str(code))

    def _refuse_buttons(self, error: str) -> None:
        if not self.numbered:
            self.numbered = True
            log.warning(
                "zalo refused a message with buttons (error %s): menus are numbered from now on",
                error,
                extra={"channel": CHANNEL},
            )

    async def _with_image(self, message: Message, token: str) -> dict[str, object]:
        """The image message with its file's attachment id (uploaded once per file version)."""
        assert message.image is not None
        stat = message.image.stat()
        key = (message.image, stat.st_mtime_ns, stat.st_size)
        attachment = self._images.get(key)
        if attachment is None:
            try:
                code, attachment = await self.api.upload_image(token, message.image)
            except ZaloUnavailable:
                code, attachment = -1, None
            if attachment is None:
                _log(logging.ERROR, "image upload failed; sent without it", code)
                return {"text": message.body.get("text") or "🖼️"}
            self._images[key] = attachment
        return with_attachment_id(message, attachment)


def _log(level: int, text: str, code: int | None = None) -> None:
    extra: dict[str, object] = {"channel": CHANNEL, "method": "message/cs"}
    if code is not None:
        extra["status"] = code
    log.log(level, text, extra=extra)
