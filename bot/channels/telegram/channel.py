"""The Telegram channel's lifecycle: check the token, set the menus, then poll or take webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNotFound, TelegramUnauthorizedError
from aiogram.types import Update
from aiohttp import web

from bot.channels.ordering import OrderedTasks
from bot.channels.ports import Inbox, SharedRate
from bot.channels.telegram.commands import set_commands
from bot.channels.telegram.config import CHANNEL, TelegramConfig, TelegramConfigError
from bot.channels.telegram.handling import ALLOWED_UPDATES, Observer, Updates
from bot.channels.telegram.ratelimit import RateLimiter
from bot.channels.telegram.redact import RedactToken
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.session import JsonSession
from bot.channels.telegram.webhook import WebhookEndpoint, feed
from bot.core.channels import Capabilities, Formatting, Reach
from bot.core.messages import UserRef
from bot.core.outbox import Delivery, Envelope
from bot.core.pipeline import Pipeline

log = logging.getLogger(__name__)

STOP_TIMEOUT = 10.0  # seconds to finish the updates in hand at shutdown
KEYS_KEPT = timedelta(hours=48)  # handled updates' ids outlive Telegram's redeliveries


class TelegramChannel:
    """``await start(web_app)`` … ``await stop()``; outbox messages go out through ``deliver``."""

    name = CHANNEL
    capabilities = Capabilities(
        formatting=Formatting.TELEGRAM_HTML,
        reach=Reach.PUSH,
        max_text=4096,
        max_buttons=100,
        phone_buttons=False,  # no tel: buttons in Telegram: numbers are shown as text lines
        button_data_bytes=64,
    )

    def __init__(
        self,
        config: TelegramConfig,
        pipeline: Pipeline,
        observer: Observer | None = None,
        inbox: Inbox | None = None,
        shared_rate: SharedRate | None = None,
    ) -> None:
        self.config = config
        self.pipeline = pipeline
        self.inbox = inbox
        session = JsonSession(api=TelegramAPIServer.from_base(config.api_server))
        self.bot = Bot(config.token, session=session)
        self.tasks = OrderedTasks(config.max_pending, CHANNEL)
        self.sender = TelegramSender(
            self.bot,
            config,
            limiter=RateLimiter(config, shared=shared_rate),
            on_unreachable=self._unreachable,
        )
        self.updates = Updates(config, pipeline, self.sender, self.tasks, observer, inbox)
        self.dispatcher = Dispatcher(disable_fsm=True)
        self.dispatcher.include_router(self.updates.router())
        self.webhook: WebhookEndpoint | None = None
        self._polling: asyncio.Task[None] | None = None
        self._recovery: asyncio.Task[None] | None = None
        self._redact = RedactToken(config.token)

    async def start(self, web_app: web.Application | None = None) -> None:
        """Raises :class:`TelegramConfigError` when the server refuses the token or the mode
        cannot work; mount before the web server starts (webhook mode adds a route)."""
        self._redact.install()
        try:
            await self._start(web_app)
        except BaseException:
            await self.bot.session.close()
            self._redact.remove()
            raise
        log.info("telegram channel started", extra={"channel": CHANNEL, "kind": self.config.mode})

    async def start_sending(self) -> None:
        """Only deliver outbox messages (``mangnon dispatch``): no webhook, no polling."""
        self._redact.install()

    async def _start(self, web_app: web.Application | None) -> None:
        if self.config.mode == "webhook" and web_app is None:
            raise TelegramConfigError(
                "TELEGRAM_MODE=webhook needs the web server to mount its route on"
            )
        try:
            await self.bot.get_me()  # the token and the server, checked before anything else
        except (TelegramUnauthorizedError, TelegramNotFound) as exc:
            raise TelegramConfigError(
                f"the Bot API server at {self.config.api_server} refused TELEGRAM_BOT_TOKEN "
                f"({type(exc).__name__})"
            ) from None
        await set_commands(self.bot, self.pipeline.services)
        staff = [UserRef(CHANNEL, str(i)) for i in sorted(self.config.desk_staff)]
        if staff:
            await self.pipeline.enrol_staff(staff)
        if web_app is not None and self.config.mode == "webhook":
            await self._start_webhook(web_app)
        else:
            await self._start_polling()

    async def _start_webhook(self, web_app: web.Application) -> None:
        assert self.config.webhook_url and self.config.webhook_secret  # checked by TelegramConfig
        self.webhook = WebhookEndpoint(
            self.dispatcher,
            self.bot,
            self.config.webhook_secret,
            self.config.webhook_max_body,
            inbox=self.inbox,
            clock=self.pipeline.clock.now,
        )
        self.webhook.mount(web_app, self.config.webhook_path)
        await self.bot.set_webhook(
            self.config.webhook_url,
            secret_token=self.config.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )
        if self.inbox is not None:
            self._recovery = asyncio.create_task(self._recover_forever())

    async def recover(self) -> int:
        """Handle the updates a killed worker kept but never handled (kept longer ago than
        ``inbox_lease``); how many were claimed."""
        if self.inbox is None:
            return 0
        now = self.pipeline.clock.now()
        claimed = await self.inbox.claim(
            CHANNEL, now - timedelta(seconds=self.config.inbox_lease), now
        )
        for key, body in claimed:
            try:
                update = Update.model_validate(json.loads(body), context={"bot": self.bot})
            except ValueError:  # kept only after it parsed: never expected
                await self.inbox.done(CHANNEL, key)
                continue
            await feed(self.dispatcher, self.bot, update, key, self.inbox)
        if claimed:
            log.warning(
                "updates a stopped worker had kept are handled now",
                extra={"channel": CHANNEL, "count": len(claimed)},
            )
        return len(claimed)

    async def _recover_forever(self) -> None:
        assert self.inbox is not None
        pause = max(1.0, self.config.inbox_lease / 2)
        while True:
            try:
                while await self.recover():
                    pass
                await self.inbox.purge(CHANNEL, self.pipeline.clock.now() - KEYS_KEPT)
            except Exception:
                log.exception("inbox recovery failed; trying again", extra={"channel": CHANNEL})
            await asyncio.sleep(pause)

    async def _start_polling(self) -> None:
        await self.bot.delete_webhook()  # polling while a webhook is set fails with 409 Conflict
        self._polling = asyncio.create_task(
            self.dispatcher.start_polling(
                self.bot,
                polling_timeout=self.config.polling_timeout,
                handle_as_tasks=False,  # handlers only queue the work (see ordering.py)
                allowed_updates=ALLOWED_UPDATES,
                handle_signals=False,
                close_bot_session=False,
            )
        )

    @property
    def desk_feeds(self) -> tuple[UserRef, ...]:
        chat = self.config.desk_chat_id
        return (UserRef(CHANNEL, str(chat)),) if chat is not None else ()

    async def deliver(self, envelope: Envelope) -> Delivery:
        return await self.sender.deliver(envelope)

    async def idle(self) -> None:
        """Wait until every update received so far has been handled and answered."""
        await self.tasks.join()

    async def stop(self) -> None:
        if self.webhook is not None:
            self.webhook.open = False
        if self._recovery is not None:
            self._recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._recovery
        if self._polling is not None:
            if not self._polling.done():
                with contextlib.suppress(RuntimeError):  # polling had not really begun
                    await self.dispatcher.stop_polling()
                self._polling.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._polling
        await self.tasks.close(STOP_TIMEOUT)
        await self.bot.session.close()
        self._redact.remove()
        log.info("telegram channel stopped", extra={"channel": CHANNEL})

    async def _unreachable(self, who: UserRef) -> None:
        await self.pipeline.mark_reachable(who, False)
