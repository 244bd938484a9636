"""SQL implementation of the core's CaseRepository."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.cases.model import (
    DESK_STATUSES,
    OPEN_STATUSES,
    AuditEntry,
    Case,
    CaseMessage,
    CaseStatus,
    Direction,
    NewCase,
)
from bot.core.messages import UserRef
from bot.storage.models import CaseAuditRow, CaseMessageRow, CaseRow

_OPEN = [status.value for status in OPEN_STATUSES]


def for_user(user: UserRef) -> Any:
    """The cases of one user (who is kept as channel and account, never a users-row id)."""
    return _of(user.channel, user.external_id)


def open_case_of(user: UserRef) -> Any:
    """The user's cases that are not closed."""
    return _open_of(user.channel, user.external_id)


def _of(channel: Any, external_id: Any) -> Any:
    return (CaseRow.user_channel == channel) & (CaseRow.user_external_id == external_id)


def _open_of(channel: Any, external_id: Any) -> Any:
    return _of(channel, external_id) & CaseRow.status.in_(_OPEN)


# ``open_case_of`` for a statement built once: the user is given as the parameters
# "channel" and "external_id" when it runs
OPEN_CASE_OF_PARAMS = _open_of(bindparam("channel"), bindparam("external_id"))


def _case(row: CaseRow) -> Case:
    return Case(
        id=row.id,
        opened_at=row.opened_at,
        category=row.category,
        severity=row.severity,
        user=UserRef(row.user_channel, row.user_external_id),
        pseudonym=row.pseudonym,
        status=CaseStatus(row.status),
        assignee=row.assignee,
        acknowledged_at=row.acknowledged_at,
        closed_at=row.closed_at,
        alerts=row.alerts,
        last_alert_at=row.last_alert_at,
        referred_to=row.referred_to,
        outcome=row.outcome,
    )


class SqlCaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def open(self, case: NewCase) -> Case:
        return await self._insert(case, CaseStatus.NEW)

    async def offer(self, case: NewCase) -> Case:
        return await self._insert(case, CaseStatus.OFFERED)

    async def accept(self, case_id: int) -> Case | None:
        result = await self._session.execute(
            update(CaseRow)
            .where(CaseRow.id == case_id, CaseRow.status == CaseStatus.OFFERED.value)
            .values(status=CaseStatus.NEW.value)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        return await self.get(case_id)

    async def withdraw(self, case_id: int) -> None:
        await self._session.execute(
            delete(CaseRow).where(CaseRow.id == case_id, CaseRow.status == CaseStatus.OFFERED.value)
        )

    async def purge_offers(self, before: datetime) -> int:
        result = await self._session.execute(
            delete(CaseRow).where(
                CaseRow.status == CaseStatus.OFFERED.value, CaseRow.opened_at < before
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def refer(self, case_id: int, to: str, worker: str, at: datetime) -> bool:
        result = await self._session.execute(
            update(CaseRow)
            .where(CaseRow.id == case_id, CaseRow.status.in_(_OPEN))
            .values(
                status=CaseStatus.REFERRED.value,
                referred_to=to,
                assignee=func.coalesce(CaseRow.assignee, worker),
                acknowledged_at=func.coalesce(CaseRow.acknowledged_at, at),
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _insert(self, case: NewCase, status: CaseStatus) -> Case:
        row = CaseRow(
            opened_at=case.opened_at,
            category=case.category,
            severity=case.severity,
            user_channel=case.user.channel,
            user_external_id=case.user.external_id,
            pseudonym=case.pseudonym,
            status=status.value,
            alerts=0,
        )
        self._session.add(row)
        await self._session.flush()
        return _case(row)

    async def get(self, case_id: int) -> Case | None:
        row = await self._session.get(CaseRow, case_id, populate_existing=True)
        return _case(row) if row else None

    async def open_for(self, user: UserRef) -> Case | None:
        result = await self._session.execute(
            select(CaseRow).where(open_case_of(user)).order_by(CaseRow.id.desc()).limit(1)
        )
        row = result.scalar_one_or_none()
        return _case(row) if row else None

    async def count_for(self, user: UserRef) -> int:
        result = await self._session.execute(
            select(func.count())
            .select_from(CaseRow)
            .where(for_user(user), CaseRow.status != CaseStatus.OFFERED.value)
        )
        return int(result.scalar_one())

    async def withdraw_offers_of(self, user: UserRef) -> None:
        """/forget: an offer the user never accepted goes with their data."""
        await self._session.execute(
            delete(CaseRow).where(for_user(user), CaseRow.status == CaseStatus.OFFERED.value)
        )

    async def acknowledge(self, case_id: int, worker: str, at: datetime) -> bool:
        """Atomic: of two workers pressing at once, exactly one wins."""
        result = await self._session.execute(
            update(CaseRow)
            .where(CaseRow.id == case_id, CaseRow.status == CaseStatus.NEW.value)
            .values(status=CaseStatus.ACKNOWLEDGED.value, assignee=worker, acknowledged_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def close(
        self, case_id: int, worker: str, at: datetime, outcome: str | None = None
    ) -> bool:
        result = await self._session.execute(
            update(CaseRow)
            .where(CaseRow.id == case_id, CaseRow.status.in_(_OPEN))
            .values(
                status=CaseStatus.CLOSED.value,
                closed_at=at,
                outcome=outcome,
                assignee=func.coalesce(CaseRow.assignee, worker),
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def add_message(self, case_id: int, message: CaseMessage) -> None:
        self._session.add(
            CaseMessageRow(
                case_id=case_id,
                at=message.at,
                direction=message.direction.value,
                text=message.text,
                author=message.author,
            )
        )

    async def messages(self, case_id: int) -> Sequence[CaseMessage]:
        rows = (
            await self._session.execute(
                select(CaseMessageRow)
                .where(CaseMessageRow.case_id == case_id)
                .order_by(CaseMessageRow.id)
            )
        ).scalars()
        return [
            CaseMessage(at=r.at, direction=Direction(r.direction), text=r.text, author=r.author)
            for r in rows
        ]

    async def audit(self, case_id: int, entry: AuditEntry) -> None:
        self._session.add(
            CaseAuditRow(
                case_id=case_id,
                at=entry.at,
                actor=entry.actor,
                action=entry.action,
                detail=entry.detail[:200],
            )
        )

    async def audit_log(self, case_id: int) -> Sequence[AuditEntry]:
        rows = (
            await self._session.execute(
                select(CaseAuditRow)
                .where(CaseAuditRow.case_id == case_id)
                .order_by(CaseAuditRow.id)
            )
        ).scalars()
        return [AuditEntry(at=r.at, actor=r.actor, action=r.action, detail=r.detail) for r in rows]

    async def overdue(self, older_than: datetime, alerted_before: datetime) -> Sequence[Case]:
        rows = (
            await self._session.execute(
                select(CaseRow)
                .where(
                    CaseRow.status == CaseStatus.NEW.value,
                    CaseRow.opened_at <= older_than,
                    or_(CaseRow.last_alert_at.is_(None), CaseRow.last_alert_at <= alerted_before),
                )
                .order_by(CaseRow.id)
                # several workers tick at once: each overdue case is claimed by one (PostgreSQL)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
        return [_case(r) for r in rows]

    async def mark_alerted(self, case_id: int, at: datetime, alerted_before: datetime) -> bool:
        """Claim one re-alert (compare-and-set): False when another worker just did it."""
        result = await self._session.execute(
            update(CaseRow)
            .where(
                CaseRow.id == case_id,
                CaseRow.status == CaseStatus.NEW.value,
                or_(CaseRow.last_alert_at.is_(None), CaseRow.last_alert_at <= alerted_before),
            )
            .values(alerts=CaseRow.alerts + 1, last_alert_at=at)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def listing(self, statuses: Sequence[CaseStatus]) -> Sequence[Case]:
        wanted = statuses or DESK_STATUSES  # offers are never shown to a desk
        query = (
            select(CaseRow)
            .where(CaseRow.status.in_([s.value for s in wanted]))
            .order_by(CaseRow.id.desc())
        )
        return [_case(r) for r in (await self._session.execute(query)).scalars()]
