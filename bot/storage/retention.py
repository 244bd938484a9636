"""Retention: conversation-derived data older than its limit is deleted; counts stay.

``mangnon retention run`` and a daily job in ``mangnon serve`` call :func:`run_retention`. What
goes, per table (``RETENTION_DAYS``, default 365; ``CASE_RETENTION_DAYS``, default 1825):

- ``unanswered``: the scrubbed questions editors read, older than the limit, deleted (how many
  questions went unanswered stays in the anonymous ``events``);
- ``feedback``: older rows lose their link to the user (``user_id``), so "helpful / not
  helpful" per article still adds up in reports;
- ``outbox``: delivered, refused and withdrawn rows older than the limit, deleted; a
  campaign's rows stay for its statistics, but lose the recipient;
- ``case_messages``: what was said in a case, deleted ``CASE_RETENTION_DAYS`` after the case
  closed; the case row stays for reports (category, dates, outcome) without the user's id;
  its audit trail stays;
- ``outbox_payloads`` no row points at any more, deleted.

``events`` (no user, no text) and the audit logs are kept: they are the aggregates and the
accountability. Each run appends one line to the append-only ``admin_audit`` (counts only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.cases.model import CaseStatus
from bot.core.outbox import FINAL
from bot.storage.database import Database
from bot.storage.models import (
    AdminAuditRow,
    CaseMessageRow,
    CaseRow,
    FeedbackRow,
    OutboxPayloadRow,
    OutboxRow,
    PeriodicRow,
    UnansweredRow,
)

JOB = "retention"
ANONYMOUS = ""  # a recipient or user id removed by retention


@dataclass(frozen=True)
class RetentionReport:
    """Rows touched per table and what was done to them: ``("unanswered", "deleted"): 12``."""

    cutoff: datetime
    case_cutoff: datetime
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [f"{table}: {n} {action}" for (table, action), n in self.counts.items()]

    def summary(self) -> str:
        """For the audit log (80 characters): only what changed."""
        done = [f"{table}.{action[0]}={n}" for (table, action), n in self.counts.items() if n]
        return " ".join(done)[:80] or "nothing"


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def _apply(
    session: AsyncSession, cutoff: datetime, case_cutoff: datetime
) -> dict[tuple[str, str], int]:
    final = [status.value for status in FINAL]
    counts: dict[tuple[str, str], int] = {}
    counts["unanswered", "deleted"] = _count(
        await session.execute(delete(UnansweredRow).where(UnansweredRow.at < cutoff))
    )
    counts["feedback", "anonymised"] = _count(
        await session.execute(
            update(FeedbackRow)
            .where(FeedbackRow.at < cutoff, FeedbackRow.user_id.is_not(None))
            .values(user_id=None)
        )
    )
    old_outbox = (OutboxRow.status.in_(final), OutboxRow.created_at < cutoff)
    counts["outbox", "deleted"] = _count(
        await session.execute(delete(OutboxRow).where(*old_outbox, OutboxRow.campaign_id.is_(None)))
    )
    counts["outbox", "anonymised"] = _count(
        await session.execute(
            update(OutboxRow)
            .where(*old_outbox, OutboxRow.campaign_id.is_not(None))
            .where(OutboxRow.recipient != ANONYMOUS)
            .values(recipient=ANONYMOUS, dedupe_key=None, payload=None, message_ref=None)
        )
    )
    counts["outbox_payloads", "deleted"] = _count(
        await session.execute(
            delete(OutboxPayloadRow).where(
                OutboxPayloadRow.created_at < cutoff,
                ~exists().where(OutboxRow.payload_id == OutboxPayloadRow.id),
            )
        )
    )
    expired = select(CaseRow.id).where(
        CaseRow.status == CaseStatus.CLOSED.value, CaseRow.closed_at < case_cutoff
    )
    counts["case_messages", "deleted"] = _count(
        await session.execute(delete(CaseMessageRow).where(CaseMessageRow.case_id.in_(expired)))
    )
    counts["cases", "anonymised"] = _count(
        await session.execute(
            update(CaseRow)
            .where(CaseRow.id.in_(expired), CaseRow.user_external_id != ANONYMOUS)
            .values(user_external_id=ANONYMOUS)
            .execution_options(synchronize_session=False)
        )
    )
    return counts


async def run_retention(
    database: Database, now: datetime, days: int, case_days: int
) -> RetentionReport:
    """Apply the limits in one transaction and audit-log it; returns what was done."""
    cutoff = now - timedelta(days=days)
    case_cutoff = now - timedelta(days=case_days)
    async with database.session() as session:
        counts = await _apply(session, cutoff, case_cutoff)
        report = RetentionReport(cutoff, case_cutoff, counts)
        session.add(
            AdminAuditRow(
                at=now,
                staff_id=None,
                actor="system",
                action="retention.run",
                target=f"days={days} case_days={case_days}",
                detail=report.summary(),
            )
        )
        await session.commit()
    return report


async def claim_today(database: Database, day: str) -> bool:
    """Whether this process is the one to run retention for ``day`` (several workers run the
    daily job; the ``periodic`` table lets one of them through)."""
    try:
        async with database.session() as session:
            row = await session.get(PeriodicRow, JOB, with_for_update=True)
            if row is None:
                session.add(PeriodicRow(name=JOB, done=day))
                await session.commit()
                return True
            if row.done >= day:
                return False
            result = await session.execute(
                update(PeriodicRow)
                .where(PeriodicRow.name == JOB, PeriodicRow.done == row.done)
                .values(done=day)
            )
            await session.commit()
            return _count(result) == 1
    except IntegrityError:  # another worker inserted the first row at the same moment
        return False
