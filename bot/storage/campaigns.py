"""SQL implementation of the campaign repository (see ``bot.core.campaigns.ports``).

A run is queued with one ``INSERT … SELECT`` from the users table: 100,000 recipients are one
statement in the database, not 100,000 round trips. Each row points at its language's shared
payload (``CASE users.locale WHEN … THEN payload_id``) and carries a key unique per campaign, run
and recipient, so a run queued twice (a retry, a second worker) still reaches each person once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, case, exists, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.campaigns.model import (
    Audience,
    AuditEntry,
    Campaign,
    CampaignDraft,
    CampaignStatus,
    Message,
    Progress,
    Schedule,
)
from bot.core.campaigns.ports import Payload, TipSubscriber
from bot.core.messages import UserRef
from bot.core.outbox import Status
from bot.core.profile import Frequency
from bot.storage.models import (
    CampaignAuditRow,
    CampaignRow,
    EventRow,
    OutboxPayloadRow,
    OutboxRow,
    PeriodicRow,
    UserRow,
    UTCDateTime,
)

OUTBOX: Table = OutboxRow.__table__  # type: ignore[assignment]
USERS: Table = UserRow.__table__  # type: ignore[assignment]
CAMPAIGNS: Table = CampaignRow.__table__  # type: ignore[assignment]
PAYLOADS: Table = OutboxPayloadRow.__table__  # type: ignore[assignment]
EVENTS: Table = EventRow.__table__  # type: ignore[assignment]
OPEN_EVENT = "campaign-open"
WAITING = (Status.PENDING.value, Status.SENDING.value, Status.PAUSED.value)


FREQUENCIES = frozenset(f.value for f in Frequency)


def topics_value(topics: frozenset[str]) -> str:
    """Pillar ids as stored: ``,abuse,injury,`` (so that ``LIKE '%,abuse,%'`` finds one), or ''."""
    return f",{','.join(sorted(topics))}," if topics else ""


def topics_from(value: str | None) -> frozenset[str]:
    return frozenset(part for part in (value or "").split(",") if part)


def audience_filter(audience: Audience, now: datetime) -> list[Any]:
    """Subscribers (never anyone else) who match every filter the audience gives."""
    user = USERS.c
    conditions: list[Any] = [
        user.subscribed.is_(True),
        user.opted_out.is_(False),
        user.blocked.is_(False),
    ]
    if audience.languages:
        conditions.append(user.locale.in_(audience.languages))
    if audience.roles:
        conditions.append(user.role.in_(audience.roles))
    if audience.age_bands:
        conditions.append(
            or_(user.age_band.in_(audience.age_bands), user.child_age.in_(audience.age_bands))
        )
    if audience.communes:
        conditions.append(user.commune.in_(audience.communes))
    if audience.topics:
        conditions.append(
            or_(user.topics == "", *(user.topics.like(f"%,{t},%") for t in audience.topics))
        )
    if audience.active_days is not None:
        conditions.append(user.last_seen_at >= now - timedelta(days=audience.active_days))
    if audience.channels:
        conditions.append(user.channel.in_(audience.channels))
    return conditions


def to_campaign(row: CampaignRow) -> Campaign:
    return Campaign(
        id=row.id,
        title=row.title,
        status=CampaignStatus(row.status),
        messages={
            lang: Message.from_json(lang, data) for lang, data in (row.messages or {}).items()
        },
        audience=Audience.from_json(row.audience or {}),
        schedule=Schedule.from_json(row.schedule or {}),
        created_at=row.created_at,
        source=row.source,
        author=row.author,
        submitted_by=row.submitted_by,
        approved_by=row.approved_by,
        audience_size=row.audience_size,
        next_run_at=row.next_run_at,
        runs=row.runs,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


class SqlCampaignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, draft: CampaignDraft, author: str | None, now: datetime) -> Campaign:
        row = CampaignRow(
            title=draft.title,
            status=CampaignStatus.DRAFT.value,
            created_at=now,
            updated_at=now,
            author=author,
            source=draft.source,
            messages={lang: m.to_json() for lang, m in draft.messages.items()},
            audience=draft.audience.to_json(),
            schedule=draft.schedule.to_json(),
            runs=0,
        )
        self._session.add(row)
        await self._session.flush()
        return to_campaign(row)

    async def get(self, campaign_id: int) -> Campaign | None:
        row = await self._session.get(CampaignRow, campaign_id, populate_existing=True)
        return to_campaign(row) if row is not None else None

    async def listing(self) -> Sequence[Campaign]:
        rows = await self._session.execute(select(CampaignRow).order_by(CampaignRow.id.desc()))
        return [to_campaign(row) for row in rows.scalars()]

    async def transition(
        self,
        campaign_id: int,
        from_statuses: Sequence[CampaignStatus],
        to: CampaignStatus,
        now: datetime,
        **changes: Any,
    ) -> bool:
        result = await self._session.execute(
            update(CAMPAIGNS)
            .where(
                CAMPAIGNS.c.id == campaign_id,
                CAMPAIGNS.c.status.in_([s.value for s in from_statuses]),
            )
            .values(status=to.value, updated_at=now, **changes)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def audit(self, campaign_id: int, entry: AuditEntry) -> None:
        self._session.add(
            CampaignAuditRow(
                campaign_id=campaign_id,
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                detail=entry.detail,
            )
        )
        await self._session.flush()

    async def audit_log(self, campaign_id: int) -> Sequence[AuditEntry]:
        rows = await self._session.execute(
            select(CampaignAuditRow)
            .where(CampaignAuditRow.campaign_id == campaign_id)
            .order_by(CampaignAuditRow.id)
        )
        return [AuditEntry(r.at, r.actor, r.action, r.detail) for r in rows.scalars()]

    async def audience_size(self, audience: Audience, now: datetime) -> int:
        found = await self._session.execute(
            select(func.count()).select_from(USERS).where(*audience_filter(audience, now))
        )
        return int(found.scalar_one())

    async def audience_locales(self, audience: Audience, now: datetime) -> list[str | None]:
        rows = await self._session.execute(
            select(USERS.c.locale).where(*audience_filter(audience, now)).distinct()
        )
        return [row[0] for row in rows]

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
        ids: dict[str, int] = {}
        for locale, payload in payloads.items():
            if locale is not None:
                ids[locale] = await self._payload(payload, now)
        fallback_id = await self._payload(fallback, now)
        user = USERS.c
        payload_id: Any = (
            case(ids, value=user.locale, else_=literal(fallback_id))
            if ids
            else literal(fallback_id)
        )
        key = literal(f"c{campaign_id}.{run}:") + user.channel + literal(":") + user.external_id
        chosen = select(
            literal(now, UTCDateTime()),
            user.channel,
            user.external_id,
            literal("campaign"),
            literal(priority),
            literal(Status.PENDING.value),
            literal(now, UTCDateTime()),
            literal(0),
            key,
            payload_id,
            literal(campaign_id),
        ).where(*audience_filter(audience, now))
        columns = [
            "created_at",
            "channel",
            "recipient",
            "kind",
            "priority",
            "status",
            "available_at",
            "attempts",
            "dedupe_key",
            "payload_id",
            "campaign_id",
        ]
        dialect = (await self._session.connection()).dialect.name
        if dialect == "postgresql":
            statement: Any = (
                postgresql.insert(OUTBOX)
                .from_select(columns, chosen)
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
            )
        else:
            statement = sqlite.insert(OUTBOX).from_select(columns, chosen).on_conflict_do_nothing()
        result = await self._session.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def _payload(self, payload: Payload, now: datetime) -> int:
        result = await self._session.execute(
            insert(PAYLOADS).values(created_at=now, payload=payload).returning(PAYLOADS.c.id)
        )
        return int(result.scalar_one())

    async def move_rows(
        self, campaign_id: int, from_status: str, to_status: str, reason: str | None = None
    ) -> int:
        values: dict[str, Any] = {"status": to_status}
        if reason is not None:
            values["last_error"] = reason[:64]
        result = await self._session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.campaign_id == campaign_id, OUTBOX.c.status == from_status)
            .values(**values)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def progress(self, campaign_id: int) -> Progress:
        rows = await self._session.execute(
            select(OUTBOX.c.status, OUTBOX.c.last_error, func.count())
            .where(OUTBOX.c.campaign_id == campaign_id)
            .group_by(OUTBOX.c.status, OUTBOX.c.last_error)
        )
        counts: dict[str, int] = {}
        opted_out = 0
        for status, error, count in rows:
            counts[status] = counts.get(status, 0) + int(count)
            if status == Status.CANCELLED.value and error == "opted-out":
                opted_out += int(count)
        return Progress(
            queued=sum(counts.values()),
            sent=counts.get(Status.SENT.value, 0),
            failed=counts.get(Status.DEAD.value, 0),
            unreachable=counts.get(Status.UNREACHABLE.value, 0)
            + counts.get(Status.OUTSIDE_WINDOW.value, 0),
            cancelled=counts.get(Status.CANCELLED.value, 0),
            opted_out=opted_out,
            waiting=sum(counts.get(s, 0) for s in WAITING),
        )

    async def opted_out_between(self, campaign_id: int, start: datetime, end: datetime) -> int:
        received = exists().where(
            OUTBOX.c.campaign_id == campaign_id,
            OUTBOX.c.channel == USERS.c.channel,
            OUTBOX.c.recipient == USERS.c.external_id,
        )
        found = await self._session.execute(
            select(func.count())
            .select_from(USERS)
            .where(USERS.c.opted_out_at >= start, USERS.c.opted_out_at <= end, received)
        )
        return int(found.scalar_one())

    async def opens(self, campaign_id: int) -> int:
        found = await self._session.execute(
            select(func.count())
            .select_from(EVENTS)
            .where(EVENTS.c.kind == OPEN_EVENT, EVENTS.c.subject == str(campaign_id))
        )
        return int(found.scalar_one())

    async def due(self, now: datetime) -> Sequence[Campaign]:
        rows = await self._session.execute(
            select(CampaignRow).where(
                CampaignRow.status == CampaignStatus.SCHEDULED.value,
                CampaignRow.next_run_at <= now,
            )
        )
        return [to_campaign(row) for row in rows.scalars()]

    async def with_status(self, status: CampaignStatus) -> Sequence[Campaign]:
        rows = await self._session.execute(
            select(CampaignRow).where(CampaignRow.status == status.value)
        )
        return [to_campaign(row) for row in rows.scalars()]

    async def claim_period(self, job: str, period: str) -> bool:
        done = await self._session.get(PeriodicRow, job, with_for_update=True)
        if done is None:
            self._session.add(PeriodicRow(name=job, done=period))
            await self._session.flush()
            return True
        if done.done == period:
            return False
        result = await self._session.execute(
            update(PeriodicRow)
            .where(PeriodicRow.name == job, PeriodicRow.done == done.done)
            .values(done=period)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def tip_subscribers(self) -> Sequence[TipSubscriber]:
        user = USERS.c
        rows = await self._session.execute(
            select(
                user.channel,
                user.external_id,
                user.locale,
                user.role,
                user.age_band,
                user.child_age,
                user.topics,
            ).where(
                *audience_filter(Audience(), datetime.min.replace(tzinfo=UTC)),
                user.frequency == "weekly",
            )
        )
        return [
            TipSubscriber(
                UserRef(r.channel, r.external_id),
                r.locale,
                r.role,
                r.age_band,
                r.child_age,
                topics_from(r.topics),
            )
            for r in rows
        ]

    async def enqueue_notices(
        self,
        rows: Sequence[tuple[UserRef, int]],
        payloads: Mapping[int, Payload],
        kind: str,
        key: str,
        priority: int,
        now: datetime,
    ) -> int:
        ids = {number: await self._payload(payload, now) for number, payload in payloads.items()}
        values = [
            {
                "created_at": now,
                "channel": to.channel,
                "recipient": to.external_id,
                "kind": kind[:16],
                "priority": priority,
                "status": Status.PENDING.value,
                "available_at": now,
                "attempts": 0,
                "dedupe_key": f"{key}:{to.channel}:{to.external_id}"[:120],
                "payload_id": ids[number],
            }
            for to, number in rows
        ]
        inserted = 0
        for start in range(0, len(values), 5_000):
            chunk = values[start : start + 5_000]
            dialect = (await self._session.connection()).dialect.name
            if dialect == "postgresql":
                statement: Any = postgresql.insert(OUTBOX).on_conflict_do_nothing(
                    index_elements=["dedupe_key"]
                )
            else:
                statement = sqlite.insert(OUTBOX).on_conflict_do_nothing()
            result = await self._session.execute(statement, chunk)
            count = int(result.rowcount)  # type: ignore[attr-defined]
            inserted += count if count >= 0 else len(chunk)  # some drivers cannot tell
        return inserted
