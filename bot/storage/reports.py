"""Counts for reports (``bot.core.reports.ReportSource``): GROUP BY queries, never rows of text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.cases.model import CaseStatus
from bot.core.reports import CaseFacts
from bot.core.reports.build import UserColumn
from bot.storage.models import CaseRow, EventRow, FeedbackRow, UserRow


class SqlReportSource:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def new_users_by(
        self, column: UserColumn, start: datetime, end: datetime
    ) -> Sequence[tuple[str | None, int]]:
        field = getattr(UserRow, column)
        query = (
            select(field, func.count())
            .where(UserRow.created_at >= start, UserRow.created_at < end)
            .group_by(field)
        )
        return [(label, int(n)) for label, n in (await self._session.execute(query)).all()]

    async def events_by_subject(
        self, kind: str, start: datetime, end: datetime
    ) -> Sequence[tuple[str | None, int]]:
        query = (
            select(EventRow.subject, func.count())
            .where(EventRow.kind == kind, EventRow.at >= start, EventRow.at < end)
            .group_by(EventRow.subject)
        )
        return [(label, int(n)) for label, n in (await self._session.execute(query)).all()]

    async def feedback_by_article(
        self, start: datetime, end: datetime
    ) -> Sequence[tuple[str, int, int]]:
        query = (
            select(
                FeedbackRow.article_id,
                func.sum(case((FeedbackRow.helpful.is_(True), 1), else_=0)),
                func.sum(case((FeedbackRow.helpful.is_(False), 1), else_=0)),
            )
            .where(FeedbackRow.at >= start, FeedbackRow.at < end)
            .group_by(FeedbackRow.article_id)
        )
        return [
            (a, int(h or 0), int(u or 0)) for a, h, u in (await self._session.execute(query)).all()
        ]

    async def cases(self, start: datetime, end: datetime) -> Sequence[CaseFacts]:
        query = select(
            CaseRow.category,
            CaseRow.opened_at,
            CaseRow.acknowledged_at,
            CaseRow.outcome,
            CaseRow.status,
        ).where(
            CaseRow.opened_at >= start,
            CaseRow.opened_at < end,
            CaseRow.status != CaseStatus.OFFERED.value,
        )
        return [
            CaseFacts(category, opened, acknowledged, outcome, status == CaseStatus.CLOSED.value)
            for category, opened, acknowledged, outcome, status in (
                await self._session.execute(query)
            ).all()
        ]
