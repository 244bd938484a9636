"""The state operators watch, read from the database at each scrape of ``/metrics``: the same
answer from any worker, so these are not per-process counters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.core.cases.model import CaseStatus
from bot.core.outbox import Status
from bot.storage.database import Database
from bot.storage.models import CaseRow, OutboxRow

# the outbox rows worth watching: still to go (pending, in a dispatcher's hands, held by a
# paused campaign) and the dead letters; delivered and withdrawn rows are history
WATCHED = (Status.PENDING, Status.SENDING, Status.PAUSED, Status.DEAD)


@dataclass(frozen=True)
class Gauges:
    outbox: dict[tuple[str, str], int] = field(default_factory=dict)  # (channel, status) → rows
    unacknowledged: int = 0  # open cases nobody acknowledged yet
    overdue: int = 0  # …of which waiting longer than DESK_ACK_MINUTES
    oldest_seconds: float = 0.0  # how long the oldest of them has waited


async def read_gauges(database: Database, now: datetime, ack: timedelta) -> Gauges:
    async with database.session() as session:
        outbox = (
            await session.execute(
                select(OutboxRow.channel, OutboxRow.status, func.count())
                .where(OutboxRow.status.in_([s.value for s in WATCHED]))
                .group_by(OutboxRow.channel, OutboxRow.status)
            )
        ).all()
        waiting, oldest = (
            await session.execute(
                select(func.count(), func.min(CaseRow.opened_at)).where(
                    CaseRow.status == CaseStatus.NEW.value, CaseRow.acknowledged_at.is_(None)
                )
            )
        ).one()
        overdue = await session.scalar(
            select(func.count()).where(
                CaseRow.status == CaseStatus.NEW.value,
                CaseRow.acknowledged_at.is_(None),
                CaseRow.opened_at < now - ack,
            )
        )
    if oldest is not None and oldest.tzinfo is None:  # SQLite forgets the zone in aggregates
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return Gauges(
        outbox={(channel, status): int(n) for channel, status, n in outbox},
        unacknowledged=int(waiting),
        overdue=int(overdue or 0),
        oldest_seconds=max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0,
    )
