"""SQL implementation of the outbox (see ``bot.core.outbox`` for what it promises).

Claiming is one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``: on
PostgreSQL several dispatchers take disjoint batches without waiting for each other; SQLite
ignores the locking clause and serialises writers, and there is one process per SQLite database.
A row is claimable when it is pending and due, or claimed by someone whose lease ran out, and no
earlier row of the same recipient with the same or a more urgent priority is still unsent (each
recipient's messages keep their order; a case message never waits behind a broadcast). During
quiet hours, unsolicited rows (tips, campaigns) are not claimed at all.

A broadcast's rows carry no text of their own: they point at a shared payload (one per campaign
run and language, ``outbox_payloads``), read once and kept in a small cache, so 100,000 rows
cost 100,000 short rows rather than 100,000 copies of the message.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    exists,
    func,
    insert,
    null,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.core.messages import Reply, UserRef, reply_from_data, reply_to_data
from bot.core.outbox import UNSOLICITED, Envelope, Outgoing, Status
from bot.core.quiet import NEVER, QuietHours
from bot.storage.models import OutboxPayloadRow, OutboxRow

OUTBOX: Table = OutboxRow.__table__  # type: ignore[assignment]
PAYLOADS: Table = OutboxPayloadRow.__table__  # type: ignore[assignment]
UNSENT = (Status.PENDING.value, Status.SENDING.value)
PAYLOAD_CACHE = 256  # shared payloads kept decoded (a campaign has one per language)
SCAN_FACTOR = 4  # a claim looks at this many times its batch at the head of the queue


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


def withdraw_statement(to: UserRef, reason: str, now: datetime) -> Any:
    """Cancel a recipient's unsolicited rows not yet sent (claimed ones included: the
    dispatcher that holds them is told to skip them; see ``Signal.withdrawn``)."""
    return (
        update(OUTBOX)
        .where(
            OUTBOX.c.channel == to.channel,
            OUTBOX.c.recipient == to.external_id,
            OUTBOX.c.status.in_((*UNSENT, Status.PAUSED.value)),
            OUTBOX.c.priority >= int(UNSOLICITED),
        )
        .values(status=Status.CANCELLED.value, last_error=reason[:64], lease_until=None)
    )


class SqlOutboxWriter:
    """Part of a turn's unit of work: rows are written with the turn's commit."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def withdraw(self, to: UserRef, reason: str, now: datetime) -> int:
        result = await self._session.execute(withdraw_statement(to, reason, now))
        return int(result.rowcount)  # type: ignore[attr-defined]

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
    _EARLIER.c.priority <= OUTBOX.c.priority,
)


def _replies(data: Sequence[dict[str, Any]] | None) -> tuple[Reply, ...]:
    return tuple(reply_from_data(item) for item in data or ())


class SqlOutboxQueue:
    def __init__(self, engine: AsyncEngine, quiet: QuietHours = NEVER) -> None:
        self.engine = engine
        self.quiet = quiet
        self.single_process = engine.dialect.name == "sqlite"
        self._payloads: OrderedDict[int, tuple[Reply, ...]] = OrderedDict()

    def _held(self, now: datetime) -> Any:
        """The claim's condition for quiet hours (true when nothing is held)."""
        held = self.quiet.held_from(now)
        return OUTBOX.c.priority < int(held) if held is not None else true()

    async def _shared(self, conn: AsyncConnection, ids: set[int]) -> None:
        """Load the shared payloads of a claim that are not in the cache yet."""
        missing = [i for i in ids if i not in self._payloads]
        if missing:
            rows = await conn.execute(
                select(PAYLOADS.c.id, PAYLOADS.c.payload).where(PAYLOADS.c.id.in_(missing))
            )
            for payload_id, payload in rows:
                self._payloads[payload_id] = _replies(payload)
        for payload_id in ids:
            if payload_id in self._payloads:
                self._payloads.move_to_end(payload_id)
        while len(self._payloads) > PAYLOAD_CACHE:
            self._payloads.popitem(last=False)

    def _envelope(self, row: Any) -> Envelope:
        if row.payload_id is not None:
            replies = self._payloads.get(row.payload_id, ())
        else:
            replies = _replies(row.payload)
        return Envelope(
            id=row.id,
            to=UserRef(row.channel, row.recipient),
            replies=replies,
            attempts=row.attempts,
            kind=row.kind,
            priority=row.priority,
        )

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
        """Two steps, so that the cost does not grow with the rows waiting: the head of the
        queue (pending and due, in claim order) straight from ``ix_outbox_due``, then the
        per-recipient order check on that head only. With one query PostgreSQL hash-joined all
        100,000 rows of a campaign with themselves on every claim (260 ms; see BENCHMARKS.md).
        A recipient with more than ``SCAN_FACTOR`` × ``limit`` rows waiting in front of
        everyone else would hold the head up: no channel queues that many to one chat."""
        await self._release_expired(now)
        head = (
            select(OUTBOX.c.id)
            .where(
                OUTBOX.c.status == Status.PENDING.value,
                OUTBOX.c.available_at <= now,
                OUTBOX.c.channel.in_(list(channels)),
                self._held(now),
            )
            .order_by(OUTBOX.c.priority, OUTBOX.c.id)
            .limit(limit * SCAN_FACTOR)
        )
        candidates = (
            select(OUTBOX.c.id)
            .where(OUTBOX.c.id.in_(head.scalar_subquery()), _NO_EARLIER_UNSENT)
            .order_by(OUTBOX.c.priority, OUTBOX.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return await self._claim(candidates, worker, now, lease)

    async def _release_expired(self, now: datetime) -> None:
        """Claims whose lease ran out (their worker died) are pending again."""
        async with self.engine.begin() as conn:
            await conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.status == Status.SENDING.value, OUTBOX.c.lease_until < now)
                .values(status=Status.PENDING.value, claimed_by=None, lease_until=None)
            )

    async def claim_for(
        self, to: UserRef, limit: int, worker: str, now: datetime, lease: timedelta
    ) -> list[Envelope]:
        candidates = (
            select(OUTBOX.c.id)
            .where(
                OUTBOX.c.channel == to.channel,
                OUTBOX.c.recipient == to.external_id,
                _due(now),
                self._held(now),
            )
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
                OUTBOX.c.payload_id,
                OUTBOX.c.attempts,
                OUTBOX.c.kind,
                OUTBOX.c.priority,
            )
        )
        async with self.engine.begin() as conn:
            rows = (await conn.execute(statement)).all()
            shared = {row.payload_id for row in rows if row.payload_id is not None}
            if shared:
                await self._shared(conn, shared)
        return sorted((self._envelope(row) for row in rows), key=lambda e: e.id)

    async def settle(
        self,
        outcomes: Sequence[tuple[Envelope, Status, str]],
        now: datetime,
        refs: Mapping[int, str] | None = None,
    ) -> None:
        if not outcomes:
            return
        refs = refs or {}
        params = [
            {
                "row_id": envelope.id,
                "new_status": status.value,
                "error": (error or None) and error[:64],
                "sent": now if status is Status.SENT else None,
                "ref": refs.get(envelope.id, "")[:64] or None,
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
                message_ref=bindparam("ref"),
                lease_until=None,
            )
        )
        # what was said is not kept once it is out; dead letters keep it, for an operator (a
        # shared payload is not the row's own: it stays with its campaign)
        delivered = [envelope.id for envelope, status, _ in outcomes if status is not Status.DEAD]
        async with self.engine.begin() as conn:
            await conn.execute(statement, params)
            if delivered:
                await conn.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.id.in_(delivered), OUTBOX.c.payload.is_not(None))
                    .values(payload=null())
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
