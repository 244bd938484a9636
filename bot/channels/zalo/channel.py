"""The Zalo channel's lifecycle: the tokens, the webhook route, periodic upkeep, and ``deliver``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from aiohttp import web

from bot.channels.base import ChannelContext
from bot.channels.errors import ChannelConfigError
from bot.channels.ordering import OrderedTasks
from bot.channels.zalo.adapter import CHANNEL
from bot.channels.zalo.api import ZaloApi, ZaloUnavailable
from bot.channels.zalo.handling import Events, Observer
from bot.channels.zalo.limiter import PriorityLimiter
from bot.channels.zalo.sender import TOKEN_ERRORS, ZaloSender
from bot.channels.zalo.settings import ZaloSettings
from bot.channels.zalo.tokens import TokenKeeper, Tokens
from bot.channels.zalo.webhook import WebhookEndpoint
from bot.core.channels import Capabilities, Formatting, Reach
from bot.core.messages import UserRef
from bot.core.outbox import Delivery, Envelope

log = logging.getLogger(__name__)

UPKEEP_SECONDS = 60.0  # how often the tokens are looked at and old event ids purged
MAX_PENDING = 10_000  # events received but not handled before the webhook waits
STOP_TIMEOUT = 10.0  # seconds to finish the events in hand at shutdown


class ZaloChannel:
    """``await start(web_app)`` … ``await stop()``; outbox messages go out through ``deliver``."""

    name = CHANNEL
    desk_feeds: tuple[UserRef, ...] = ()

    def __init__(
        self, settings: ZaloSettings, context: ChannelContext, observer: Observer | None = None
    ) -> None:
        assert settings.app_id and settings.app_secret and settings.oa_secret_key  # validated
        assert settings.access_token and settings.refresh_token
        self.settings = settings
        self.context = context
        self.capabilities = Capabilities(
            formatting=Formatting.PLAIN,
            reach=Reach.PUSH,
            max_text=settings.max_text,
            max_buttons=settings.max_buttons,
            phone_buttons=True,
        )
        pipeline = context.pipeline
        self.api = ZaloApi(
            settings.api_base,
            settings.oauth_base,
            settings.app_id,
            settings.app_secret.get_secret_value(),
        )
        self.keeper = TokenKeeper(
            self.api,
            context.credentials,
            Tokens.given(
                settings.access_token.get_secret_value(),
                settings.refresh_token.get_secret_value(),
            ),
            clock=pipeline.clock.now,
            margin=timedelta(minutes=settings.refresh_margin_minutes),
        )
        self.limiter = PriorityLimiter(
            settings.rate,
            burst=max(1, round(settings.rate)),
            shared=context.shared_rate,
            shared_key=f"zalo:{settings.app_id}",
        )
        self.sender = ZaloSender(
            self.api, self.keeper, self.limiter, pipeline, settings, context.content_dir
        )
        self.tasks = OrderedTasks(MAX_PENDING, CHANNEL)
        self.events = Events(pipeline, self.sender, context.seen, self.tasks, observer)
        self.webhook = WebhookEndpoint(
            settings.app_id,
            settings.oa_secret_key.get_secret_value(),
            settings.skew,
            settings.max_body,
            self.events.submit,
        )
        self._upkeep: asyncio.Task[None] | None = None

    async def start(self, web_app: web.Application) -> None:
        """Raises :class:`ChannelConfigError` when Zalo refuses tokens that were just given in
        the settings (a typo, or spent ones); stored tokens that stop working only degrade the
        channel, with an operator alert, so the rest of the server keeps running."""
        try:
            await self._start_tokens()
        except BaseException:
            await self.api.close()
            raise
        self.webhook.mount(web_app, self.settings.route)
        self._upkeep = asyncio.create_task(self._keep_up())
        log.info("zalo channel started", extra={"channel": CHANNEL})

    async def start_sending(self) -> None:
        """Only deliver outbox messages (``mangnon dispatch``): the tokens, no webhook."""
        try:
            await self._start_tokens()
        except BaseException:
            await self.api.close()
            raise
        self._upkeep = asyncio.create_task(self._keep_up())

    async def _start_tokens(self) -> None:
        await self.keeper.load()
        if not self.keeper.due():
            await self._check()
            return
        from_settings = self.keeper.tokens.expires_at is None  # never refreshed yet
        await self.keeper.refresh()
        if from_settings and self.keeper.problem is not None:
            raise ChannelConfigError(
                f"Zalo did not take ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN ({self.keeper.problem}); "
                "check them, or issue new ones (docs/ZALO.md)"
            )

    async def _check(self) -> None:
        """Does Zalo take the stored access token? If not, refresh it now."""
        token = self.keeper.access
        try:
            code = await self.api.check(token)
        except ZaloUnavailable as exc:
            log.warning("zalo did not answer at start (%s)", exc, extra={"channel": CHANNEL})
            return
        if code in TOKEN_ERRORS:
            await self.keeper.refresh(refused=token)

    async def deliver(self, envelope: Envelope) -> Delivery:
        return await self.sender.deliver(envelope)

    def health(self) -> str | None:
        return self.keeper.problem

    async def idle(self) -> None:
        """Wait until every event received so far has been handled and answered."""
        await self.tasks.join()

    async def stop(self) -> None:
        self.webhook.open = False
        if self._upkeep is not None:
            self._upkeep.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._upkeep
        await self.tasks.close(STOP_TIMEOUT)
        await self.api.close()
        log.info("zalo channel stopped", extra={"channel": CHANNEL})

    async def _keep_up(self) -> None:
        """Refresh the tokens before they expire; forget event ids older than any redelivery."""
        horizon = timedelta(hours=self.settings.dedupe_hours)
        while True:
            await asyncio.sleep(UPKEEP_SECONDS)
            try:
                await self.keeper.keep()
                await self.context.seen.purge(self.context.pipeline.clock.now() - horizon)
            except Exception:
                log.exception("zalo upkeep failed", extra={"channel": CHANNEL})
