"""The composition root: settings → database → content → services → pipeline → channels.

This is the only module (with ``serve``) that knows every layer; the core imports none of them.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any, cast

from aiohttp import web

from bot.channels import telegram as telegram_channel
from bot.channels import web as web_channel
from bot.channels import zalo as zalo_channel
from bot.channels.base import Channel, ChannelContext, PushChannel
from bot.config import Settings
from bot.core.campaigns.model import WEEKDAYS
from bot.core.campaigns.service import Campaigns
from bot.core.campaigns.tips import TipSchedule
from bot.core.channels import Reach
from bot.core.communes import CommuneDirectory
from bot.core.dispatcher import Dispatcher, DispatchOptions, LocalSignal
from bot.core.flood import Counter, FloodGate, LocalCounter
from bot.core.hours import parse_hours
from bot.core.i18n import Catalogs
from bot.core.languages import LanguageRegistry
from bot.core.library import Level, Library
from bot.core.library.schema import ReviewLevel
from bot.core.pipeline import Pipeline
from bot.core.ports import StoreFactory
from bot.core.quiet import QuietHours
from bot.core.safety import SafetyChecker
from bot.core.search import MODEL_PATH, Lexicon, SearchIndex, TopicModel
from bot.core.services import Content, DeskOptions, Options, Services
from bot.metrics import Metrics
from bot.storage.admin import admin_stores
from bot.storage.cached import CachedStores
from bot.storage.credentials import SqlCredentialStore
from bot.storage.database import Database
from bot.storage.inbox import SqlInbox
from bot.storage.outbox import SqlOutboxQueue
from bot.storage.presence import SqlPresence
from bot.storage.redis_counter import RedisCounter
from bot.storage.redis_locks import RedisLocks
from bot.storage.redis_rate import RedisRates
from bot.storage.seen import SqlSeenEvents
from bot.web import AdminContext

ChannelBuilder = Callable[[Any, ChannelContext], Channel | None]

log = logging.getLogger(__name__)


def load_languages(settings: Settings) -> LanguageRegistry:
    return LanguageRegistry.load(settings.locales_dir / "languages.yaml")


def load_topic_model(content_dir: Path) -> TopicModel | None:
    """The search's topic model, or None (BM25F alone) when it is absent or unreadable."""
    path = content_dir / MODEL_PATH
    if not path.exists():
        log.warning("no search topic model at %s: BM25F alone (run `mangnon search train`)", path)
        return None
    try:
        return TopicModel.load(path)
    except ValueError as exc:  # a broken artefact degrades search; it must not stop the bot
        log.error("search topic model skipped: %s", exc)
        return None


def load_content(
    content_dir: Path,
    languages: LanguageRegistry,
    min_level: ReviewLevel = ReviewLevel.INTERNAL,
    today: date | None = None,
    model: bool = True,
) -> Content:
    """Load the library and build its search index (with the topic model unless ``model`` is
    False). Broken files are reported and skipped."""
    library = Library.load(content_dir, fallbacks=languages.fallbacks, min_level=min_level)
    lexicon_dir = content_dir / "lexicon"
    try:
        lexicon = Lexicon.load(lexicon_dir) if lexicon_dir.is_dir() else Lexicon.empty()
    except ValueError as exc:  # a broken synonym file degrades search; it must not stop the bot
        log.error("search lexicon skipped: %s", exc)
        lexicon = Lexicon.empty()
    topic_model = load_topic_model(content_dir) if model else None
    index = SearchIndex.build(library.servable(today or date.today()), lexicon, topic_model)
    errors = sum(1 for p in library.problems if p.level is Level.ERROR)
    log.info("content loaded", extra={"count": len(library.articles)})
    if errors:
        log.error("content has errors; the broken files are skipped", extra={"count": errors})
    return Content(library=library, index=index)


def desk_options(settings: Settings) -> DeskOptions:
    """When a counsellor can be offered; the desk feeds are added by the channels that have one."""
    return DeskOptions(
        ack_minutes=settings.desk.ack_minutes,
        hours=parse_hours(settings.desk.hours),
        zone=settings.zone,
    )


def load_communes(content_dir: Path) -> CommuneDirectory:
    """The province's communes; a missing or broken list only turns the commune question off."""
    path = content_dir / "communes.yaml"
    if not path.is_file():
        return CommuneDirectory.empty()
    try:
        return CommuneDirectory.load(path)
    except ValueError as exc:
        log.error("commune list skipped: %s", exc)
        return CommuneDirectory.empty()


def quiet_hours(settings: Settings) -> QuietHours:
    hours = settings.campaigns.quiet_hours
    return QuietHours(parse_hours(hours) if hours else None, settings.zone)


def tip_schedule(settings: Settings) -> TipSchedule:
    return TipSchedule(
        WEEKDAYS.index(settings.campaigns.tip_day), time.fromisoformat(settings.campaigns.tip_time)
    )


def build_services(settings: Settings) -> Services:
    languages = load_languages(settings)
    catalogs = Catalogs.load(settings.locales_dir, settings.default_locale, languages.chains())
    return Services(
        catalogs=catalogs,
        languages=languages,
        content=load_content(settings.content_dir, languages, settings.min_review_level),
        safety=SafetyChecker.load(settings.content_dir / "safety"),
        options=Options(
            default_locale=settings.default_locale,
            max_message_chars=settings.max_message_chars,
            lang_min_coverage=settings.lang_min_coverage,
            lang_beta=settings.lang_beta,
        ),
        desk=desk_options(settings),
        communes=load_communes(settings.content_dir),
    )


def store_factory(settings: Settings, database: Database) -> StoreFactory:
    """One process on its database: cached profiles and batched routine writes. Several workers
    (REDIS_URL): every turn through the database, which is what they share."""
    if settings.write_behind_ms and not settings.redis_url:
        return CachedStores(
            database,
            delay=settings.write_behind_ms / 1000,
            cache_size=settings.profile_cache_size,
        )
    return database.store


def settle_heap() -> None:
    """After start-up (and after a content reload): take what is loaded out of the collector's view.

    The content, its search index, the lexicons and aiogram's ~270,000 type objects live as long
    as the process, yet every full garbage collection walks them again: ~0.3 s each on the bench
    machine, twice per 1,000 Telegram updates. ``gc.freeze()`` (CPython's tool for exactly this)
    moves them to a generation the collector skips. Unfreezing first lets a reload's old content
    be collected instead of staying frozen for good.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def worker_name() -> str:
    """This process, as outbox claims name it."""
    return f"{socket.gethostname()}:{os.getpid()}"


# Every channel, with its settings section: each builds itself (or stays off) from its section.
CHANNELS: tuple[tuple[str, ChannelBuilder], ...] = (
    ("web", web_channel.build),
    ("telegram", telegram_channel.build),
    ("zalo", zalo_channel.build),
)


@dataclass
class App:
    settings: Settings
    database: Database
    services: Services
    pipeline: Pipeline
    queue: SqlOutboxQueue
    signal: LocalSignal
    dispatcher: Dispatcher
    seen: SqlSeenEvents
    credentials: SqlCredentialStore
    campaigns: Campaigns
    inbox: SqlInbox
    counter: Counter
    rates: RedisRates | None = None
    stores: StoreFactory | None = None
    channels: list[Channel] = field(default_factory=list)
    metrics: Metrics = field(default_factory=Metrics)

    async def flush(self) -> None:
        """Write the batched routine writes now (tests, and before reading the database)."""
        if isinstance(self.stores, CachedStores):
            await self.stores.flush()

    @classmethod
    def create(cls, settings: Settings, services: Services | None = None) -> App:
        database = Database.from_url(settings.database_url)
        # a copy: starting channels sets its desk feeds (tests share one set of services)
        services = replace(services) if services is not None else build_services(settings)
        if settings.admin.enabled:  # the web desk: a case worker signed in there is on duty
            window = timedelta(minutes=settings.admin.presence_minutes)
            services.desk = replace(services.desk, presence=SqlPresence(database, window))
        locks = RedisLocks.from_url(settings.redis_url) if settings.redis_url else None
        # limits (flood, new web sessions) counted across every worker when there are several
        counter: Counter = (
            RedisCounter.from_url(settings.redis_url) if settings.redis_url else LocalCounter()
        )
        stores = store_factory(settings, database)
        signal = LocalSignal()
        metrics = Metrics()
        pipeline = Pipeline(
            services,
            stores,
            locks=locks,
            signal=signal,
            observer=metrics,
            flood=FloodGate(counter=counter),
        )
        queue = SqlOutboxQueue(database.engine, quiet_hours(settings))
        dispatcher = Dispatcher(
            queue, {}, pipeline.clock, worker_name(), dispatch_options(settings), observer=metrics
        )
        signal.attach(dispatcher)
        campaigns = Campaigns(
            database.store,
            services,
            pipeline.clock,
            signal,
            settings.zone,
            settings.content_dir,
            channels=frozenset(name for name, _build in CHANNELS),
            tip_schedule=tip_schedule(settings),
        )
        return cls(
            settings=settings,
            database=database,
            services=services,
            pipeline=pipeline,
            queue=queue,
            signal=signal,
            dispatcher=dispatcher,
            # one process: event records are batched like the cached store's writes
            seen=SqlSeenEvents(
                database.engine,
                delay=settings.write_behind_ms / 1000 if isinstance(stores, CachedStores) else 0,
            ),
            credentials=SqlCredentialStore(database.engine),
            campaigns=campaigns,
            inbox=SqlInbox(database.engine),
            counter=counter,
            # the channels' send rates held across every process (workers, dispatchers)
            rates=RedisRates.from_url(settings.redis_url) if settings.redis_url else None,
            stores=stores,
            metrics=metrics,
        )

    def admin_context(self) -> AdminContext:
        return AdminContext(
            pipeline=self.pipeline,
            stores=admin_stores(self.database),
            settings=self.settings.admin,
            zone=self.settings.zone,
            report_min_group=self.settings.report.min_group,
            campaigns=self.campaigns,
        )

    def context(self) -> ChannelContext:
        return ChannelContext(
            pipeline=self.pipeline,
            queue=self.queue,
            signal=self.signal,
            content_dir=self.settings.content_dir,
            worker=self.dispatcher.worker,
            seen=self.seen,
            credentials=self.credentials,
            inbox=self.inbox,
            counter=self.counter,
            shared_rate=self.rates,
        )

    async def start_channels(self, web_app: web.Application) -> list[Channel]:
        """Build and start every configured channel; push channels join the dispatcher, and
        channels with a staff chat add it to the case desks."""
        context = self.context()
        for section, build in CHANNELS:
            channel = build(getattr(self.settings, section), context)
            if channel is None:
                continue
            await channel.start(web_app)
            self.channels.append(channel)
            if channel.capabilities.reach is Reach.PUSH:
                self.dispatcher.senders[channel.name] = cast(PushChannel, channel)
        feeds = tuple(feed for channel in self.channels for feed in channel.desk_feeds)
        desk = self.services.desk
        self.services.desk = replace(desk, feeds=desk.feeds + feeds)
        return self.channels

    async def stop_channels(self) -> None:
        for channel in reversed(self.channels):
            await channel.stop()
        self.channels.clear()

    def reload_content(self) -> None:
        """Swap in freshly loaded content; a failure keeps the content already serving."""
        try:
            self.services.content = load_content(
                self.settings.content_dir, self.services.languages, self.settings.min_review_level
            )
        except Exception:
            log.exception("content reload failed; keeping the previous content")
        settle_heap()

    async def close(self) -> None:
        await self.seen.close()
        await self.inbox.close()
        if isinstance(self.stores, CachedStores):
            await self.stores.close()  # the last batched writes
        if isinstance(self.pipeline.locks, RedisLocks):
            await self.pipeline.locks.close()
        if isinstance(self.counter, RedisCounter):
            await self.counter.close()
        if self.rates is not None:
            await self.rates.close()
        await self.database.close()


def dispatch_options(settings: Settings) -> DispatchOptions:
    outbox = settings.outbox
    return DispatchOptions(
        batch=outbox.batch,
        concurrency=outbox.concurrency,
        lease=timedelta(seconds=outbox.lease_seconds),
        max_attempts=outbox.max_attempts,
        poll=outbox.poll_seconds,
    )
