"""The shape every channel has, and what the composition root gives it to start.

A channel package exposes ``build(settings, context) -> Channel | None`` (None when its settings
say it is off). ``bot.app`` wires the list; the server starts each one with the web application
(for routes: the web chat, webhooks) and stops them in reverse order. Push channels also deliver
outbox messages (``deliver``); pull channels hand them to their clients themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from aiohttp import web

from bot.channels.ports import CredentialStore, Inbox, SeenEvents, SharedRate
from bot.core.channels import Capabilities
from bot.core.dispatcher import LocalSignal
from bot.core.flood import Counter, LocalCounter
from bot.core.messages import UserRef
from bot.core.outbox import Delivery, Envelope, OutboxQueue
from bot.core.pipeline import Pipeline


@dataclass(frozen=True)
class ChannelContext:
    """What any channel may use: the core, the outbox, where the content lives, and the
    channel state kept in the database (webhook events taken, rotating tokens)."""

    pipeline: Pipeline
    queue: OutboxQueue
    signal: LocalSignal
    content_dir: Path
    worker: str  # this process's name, for outbox claims
    seen: SeenEvents
    credentials: CredentialStore
    inbox: Inbox | None = None  # webhook events kept until handled (Telegram)
    counter: Counter = field(default_factory=LocalCounter)  # limits shared by every worker
    shared_rate: SharedRate | None = None  # send rates held across processes (Redis)


class Channel(Protocol):
    name: str
    capabilities: Capabilities

    @property
    def desk_feeds(self) -> tuple[UserRef, ...]:
        """Staff chats on this channel that get case alerts (a Telegram group); usually none."""
        ...

    async def start(self, app: web.Application) -> None:
        """Mount routes and begin receiving; raise with a message naming a bad setting."""
        ...

    async def stop(self) -> None: ...


class PushChannel(Channel, Protocol):
    async def deliver(self, envelope: Envelope) -> Delivery: ...


@runtime_checkable
class ReportsHealth(Protocol):
    """A channel that can be up yet unable to send (Zalo without a valid token): ``/healthz``
    shows it as degraded."""

    def health(self) -> str | None:
        """None when all is well, else a short reason for operators (never a secret)."""
        ...


@runtime_checkable
class SendOnly(Protocol):
    """A push channel that can start to send without receiving (``mangnon dispatch``)."""

    async def start_sending(self) -> None: ...
