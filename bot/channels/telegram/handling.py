"""What happens to each update: build the core message, queue it for its user, send the answer.

The aiogram handlers registered here return as soon as the work is queued (see ``ordering``);
the pipeline and the sender run in the user's queue. An update kept in the inbox (webhook mode:
``inbox_key``) is marked done when its work has finished — also when it failed, never when the
process stops in the middle (then another worker claims it from the inbox). Nothing is filtered by aiogram filters:
the rules live in ``adapter``, as plain functions.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial

from aiogram import Router
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message

from bot.channels.ordering import OrderedTasks
from bot.channels.ports import Inbox
from bot.channels.telegram import adapter
from bot.channels.telegram.config import CHANNEL, TelegramConfig
from bot.channels.telegram.sender import TelegramSender
from bot.core.messages import Inbound, Reply, UserRef
from bot.core.pipeline import Pipeline

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
GONE = (ChatMemberStatus.LEFT, ChatMemberStatus.KICKED)

Observer = Callable[[float], None]  # seconds per update: its turn start → last reply sent


class Updates:
    def __init__(
        self,
        config: TelegramConfig,
        pipeline: Pipeline,
        sender: TelegramSender,
        tasks: OrderedTasks,
        observer: Observer | None = None,
        inbox: Inbox | None = None,
    ) -> None:
        self.config = config
        self.pipeline = pipeline
        self.sender = sender
        self.tasks = tasks
        self.observer = observer
        self.inbox = inbox
        # turns in the core at once (its database work); sending is not limited by this
        self.core = asyncio.Semaphore(config.max_concurrency)

    def router(self) -> Router:
        router = Router(name=CHANNEL)
        router.message.register(self.message)
        router.edited_message.register(self.edited_message)
        router.callback_query.register(self.callback_query)
        router.my_chat_member.register(self.my_chat_member)
        return router

    async def message(self, message: Message, inbox_key: str | None = None) -> None:
        await self._submit(adapter.from_message(message, self.config), inbox_key)

    async def edited_message(self, message: Message, inbox_key: str | None = None) -> None:
        await self._submit(adapter.from_message(message, self.config, edited=True), inbox_key)

    async def callback_query(self, query: CallbackQuery, inbox_key: str | None = None) -> None:
        self.tasks.spawn(self._answer(query.id))  # always: it stops the spinner on the button
        await self._submit(adapter.from_callback(query, self.config), inbox_key)

    async def my_chat_member(self, event: ChatMemberUpdated, inbox_key: str | None = None) -> None:
        change = adapter.reachability(event)
        if change is None:
            self._group_membership(event)
            await self._done(inbox_key)
            return
        user, reachable = change
        work = partial(self._reachability, user, reachable)
        await self.tasks.submit(user, partial(self._then_done, work, inbox_key))

    async def _submit(self, item: Inbound | adapter.DeskInput | None, key: str | None) -> None:
        if isinstance(item, Inbound):
            await self.tasks.submit(
                item.user, partial(self._then_done, partial(self._turn, item), key)
            )
        elif item is not None:
            await self.tasks.submit(
                item.chat, partial(self._then_done, partial(self._desk, item), key)
            )
        else:
            await self._done(key)

    async def _then_done(self, work: Callable[[], Awaitable[None]], key: str | None) -> None:
        """The work, then the update is done in the inbox: also when the work failed (logged; a
        retry would fail the same way), not when it was cancelled (the process is stopping)."""
        try:
            await work()
        except Exception:
            log.exception("update handling failed", extra={"channel": CHANNEL})
        await self._done(key)

    async def _done(self, key: str | None) -> None:
        if key is None or self.inbox is None:
            return
        try:
            await self.inbox.done(CHANNEL, key)
        except Exception:  # the update stays kept: a worker claims it after the lease
            log.exception("update not marked done", extra={"channel": CHANNEL})

    async def _turn(self, inbound: Inbound) -> None:
        started = time.perf_counter()
        if self.sender.reachable_again(inbound.user):
            await self.pipeline.mark_reachable(inbound.user, True)  # writing means unblocked
        async with self.core:
            replies = await self.pipeline.handle(inbound)
        await self.sender.send(inbound.user, replies)
        if self.observer is not None:
            self.observer(time.perf_counter() - started)

    async def _desk(self, item: adapter.DeskInput) -> None:
        """A case worker's action; its notice goes to the group, the user's part to the outbox."""
        if item.action is None:
            replies = [Reply(item.usage)] if item.usage else []
        else:
            async with self.core:
                replies = await self.pipeline.desk(item.account, item.action)
        await self.sender.send(item.chat, replies)

    async def _reachability(self, user: UserRef, reachable: bool) -> None:
        if reachable:
            self.sender.reachable_again(user)
        else:
            self.sender.unreachable.add(user.external_id)
        await self.pipeline.mark_reachable(user, reachable)
        log.info(
            "reachability changed",
            extra={"channel": CHANNEL, "kind": "unblocked" if reachable else "blocked"},
        )

    async def _answer(self, query_id: str) -> None:
        try:
            await self.sender.bot.answer_callback_query(query_id)
        except TelegramAPIError as exc:  # too old, or flood: the button still works
            log.info(
                "answerCallbackQuery failed (%s)", type(exc).__name__, extra={"channel": CHANNEL}
            )

    def _group_membership(self, event: ChatMemberUpdated) -> None:
        gone = event.new_chat_member.status in GONE
        if self.config.is_case_desk(event.chat.id):
            if gone:
                log.error(
                    "the bot was removed from the case-worker group", extra={"channel": CHANNEL}
                )
            else:
                log.info("the bot is in the case-worker group", extra={"channel": CHANNEL})
        elif not gone:
            log.warning(
                "added to a group that is not the case desk: ignored", extra={"channel": CHANNEL}
            )
