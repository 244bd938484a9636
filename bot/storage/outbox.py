"""SQL implementation of the outbox (see ``bot.core.outbox`` for what it promises).

Claiming is one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``: on
PostgreSQL several dispatchers take disjoint batches without waiting for each other; SQLite
ignores the locking clause and serialises writers, and there is one process per SQLite database.
A row is claimable when it is pending and due, or claimed by someone whose lease ran out, and no
earlier row of the same recipient is still unsent (each recipient's messages keep their order).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, exists, func, insert, null, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.core.messages import UserRef, reply_from_data, reply_to_data
from bot.core.outbox import Envelope, Outgoing, Status
from bot.storage.models import OutboxRow

OUTBOX: Table = OutboxRow.__table__  # type: ignore[assignment]
UNSENT = (Status.PENDING.value, Status.SENDING.value)


def outbox_values(message: Outgoing, now: datetime) -> dict[str, Any]:
    return {
        "created_at": now,
        "channel": message.to.channel,
        "recipient": message.to.external_id,
        "kind": message.kind[:16],
        "priority": int(message.priority),
        "payload": [reply_to_data(reply) for reply in message.replies],
        "status": Status.PENDING.value,
        "available_at": message.not_before or now,
        "attempts": 0,
        "dedupe_key": message.dedupe_key,
    }


class SqlOutboxWriter:
    """Part of a turn's unit of work: rows are written with the turn's commit."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enqueue(self, message: Outgoing, now: datetime) -> None:
        values = outbox_values(message, now)
        if message.dedupe_key is None:
            await self._session.execute(insert(OUTBOX), values)
            return
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(OUTBOX), values)
        except IntegrityError:
            pass  # already queued under this key: never twice


def _due(now: Any) -> Any:
    row = OUTBOX.c
    return or_(
        and_(row.status == Status.PENDING.value, row.available_at <= now),
        and_(row.status == Status.SENDING.value, row.lease_until < now),
    )


_EARLIER = OUTBOX.alias("earlier")
_NO_EARLIER_UNSENT = ~exists().where(
    _EARLIER.c.channel == OUTBOX.c.channel,
    _EARLIER.c.recipient == OUTBOX.c.recipient,
    _EARLIER.c.status.in_(UNSENT),
    _EARLIER.c.id < OUTBOX.c.id,
)


def _envelope(row: Any) -> Envelope:
    return Envelope(
        id=row.id,
        to=UserRef(row.channel, row.recipient),
        replies=tuple(reply_from_data(item) for item in row.payload or ()),
        attempts=row.attempts,
        kind=row.kind,
    )


class SqlOutboxQueue:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.single_process = engine.dialect.name == "sqlite"

    async def recover(self, now: datetime) -> int:
        """SQLite has one process: whatever it finds claimed was claimed by itself before a
        crash, and is due again now. (PostgreSQL relies on the leases running out.)"""
        if not self.single_process:
            return 0
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.status == Status.SENDING.value)
                .values(status=Status.PENDING.value, claimed_by=None, lease_until=None)
            )
        return int(result.rowcount)

    async def claim(
        self, channels: Sequence[str], limit: int, worker: str, now: datetime, lease: timedelta
    ) -> list[Envelope]:
        candidates = (
            select(OUTBOX.c.id)
            .where(OUTBOX.c.channel.in_(list(channels)), _due(now), _NO_EARLIER_UNSENT)
            .order_by(OUTBOX.c.priority, OUTBOX.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return await self._claim(candidates, worker, now, lease)

    async def claim_for(
        self, to: UserRef, limit: int, worker: str, now: datetime, lease: timedelta
    ) -> list[Envelope]:
        candidates = (
            select(OUTBOX.c.id)
            .where(OUTBOX.c.channel == to.channel, OUTBOX.c.recipient == to.external_id, _due(now))
            .order_by(OUTBOX.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return await self._claim(candidates, worker, now, lease)

    async def _claim(
        self, candidates: Any, worker: str, now: datetime, lease: timedelta
    ) -> list[Envelope]:
        statement = (
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(candidates.scalar_subquery()))
            .values(
                status=Status.SENDING.value,
                claimed_by=worker,
                lease_until=now + lease,
                attempts=OUTBOX.c.attempts + 1,
            )
            .returning(
                OUTBOX.c.id,
                OUTBOX.c.channel,
                OUTBOX.c.recipient,
                OUTBOX.c.payload,
                OUTBOX.c.attempts,
                OUTBOX.c.kind,
            )
        )
        async with self.engine.begin() as conn:
            rows = (await conn.execute(statement)).all()
        return sorted((_envelope(row) for row in rows), key=lambda e: e.id)

    async def settle(self, outcomes: Sequence[tuple[Envelope, Status, str]], now: datetime) -> None:
        if not outcomes:
            return
        params = [
            {
                "row_id": envelope.id,
                "new_status": status.value,
                "error": (error or None) and error[:64],
                "sent": now if status is Status.SENT else None,
            }
            for envelope, status, error in outcomes
        ]
        statement = (
            update(OUTBOX)
            .where(OUTBOX.c.id == bindparam("row_id"))
            .values(
                status=bindparam("new_status"),
                last_error=bindparam("error"),
                sent_at=bindparam("sent"),
                lease_until=None,
            )
        )
        # what was said is not kept once it is out; dead letters keep it, for an operator
        delivered = [envelope.id for envelope, status, _ in outcomes if status is not Status.DEAD]
        async with self.engine.begin() as conn:
            await conn.execute(statement, params)
            if delivered:
                await conn.execute(
                    update(OUTBOX).where(OUTBOX.c.id.in_(delivered)).values(payload=null())
                )

    async def retry(self, envelope: Envelope, at: datetime, error: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id == envelope.id)
                .values(
                    status=Status.PENDING.value,
                    available_at=at,
                    lease_until=None,
                    claimed_by=None,
                    last_error=error[:64] or None,
                )
            )

    async def depth(self) -> dict[str, int]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(OUTBOX.c.channel, func.count())
                    .where(OUTBOX.c.status.in_(UNSENT))
                    .group_by(OUTBOX.c.channel)
                )
            ).all()
        return {str(channel): int(count) for channel, count in rows}
