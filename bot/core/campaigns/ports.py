"""What the campaign service needs from storage (``bot.storage.campaigns`` implements it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.core.campaigns.model import (
    Audience,
    AuditEntry,
    Campaign,
    CampaignDraft,
    CampaignStatus,
    Progress,
)
from bot.core.messages import UserRef

Payload = list[dict[str, Any]]  # replies as stored (bot.core.messages.reply_to_data)


@dataclass(frozen=True)
class TipSubscriber:
    """What choosing someone's weekly tip needs to know (nothing that identifies them)."""

    to: UserRef
    locale: str | None
    role: str | None
    age_band: str | None
    child_age: str | None
    topics: frozenset[str]


class CampaignRepository(Protocol):
    async def add(self, draft: CampaignDraft, author: str | None, now: datetime) -> Campaign: ...

    async def get(self, campaign_id: int) -> Campaign | None: ...

    async def listing(self) -> Sequence[Campaign]: ...

    async def transition(
        self,
        campaign_id: int,
        from_statuses: Sequence[CampaignStatus],
        to: CampaignStatus,
        now: datetime,
        **changes: Any,
    ) -> bool:
        """Compare-and-set: move to ``to`` (with ``changes``) only from one of ``from_statuses``;
        False when the campaign was elsewhere (another worker, another operator got there first)."""
        ...

    async def audit(self, campaign_id: int, entry: AuditEntry) -> None: ...

    async def audit_log(self, campaign_id: int) -> Sequence[AuditEntry]: ...

    async def audience_size(self, audience: Audience, now: datetime) -> int: ...

    async def audience_locales(self, audience: Audience, now: datetime) -> list[str | None]:
        """The languages the audience's members chose (None: never chose)."""
        ...

    async def enqueue(
        self,
        campaign_id: int,
        run: int,
        audience: Audience,
        payloads: Mapping[str | None, Payload],
        fallback: Payload,
        priority: int,
        now: datetime,
    ) -> int:
        """One outbox row per member of the audience for this run (never twice: the rows are
        unique per campaign, run and recipient), each pointing at its language's payload (or
        ``fallback``). The number of rows queued."""
        ...

    async def move_rows(
        self, campaign_id: int, from_status: str, to_status: str, reason: str | None = None
    ) -> int:
        """Pause, resume or cancel the campaign's rows not yet claimed."""
        ...

    async def progress(self, campaign_id: int) -> Progress: ...

    async def opted_out_between(self, campaign_id: int, start: datetime, end: datetime) -> int:
        """Recipients of the campaign who opted out between ``start`` and ``end``."""
        ...

    async def opens(self, campaign_id: int) -> int: ...

    async def due(self, now: datetime) -> Sequence[Campaign]:
        """Scheduled campaigns whose next run is due."""
        ...

    async def with_status(self, status: CampaignStatus) -> Sequence[Campaign]: ...

    async def claim_period(self, job: str, period: str) -> bool:
        """Mark ``period`` done for ``job`` unless it is already (True: this caller does it)."""
        ...

    async def tip_subscribers(self) -> Sequence[TipSubscriber]:
        """Everyone who asked for the weekly tip (and has not opted out or blocked the bot)."""
        ...

    async def enqueue_notices(
        self,
        rows: Sequence[tuple[UserRef, int]],
        payloads: Mapping[int, Payload],
        kind: str,
        key: str,
        priority: int,
        now: datetime,
    ) -> int:
        """One row per (recipient, payload number), unique per ``key`` and recipient."""
        ...
