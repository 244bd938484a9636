"""Counts for reports (``bot.core.reports.ReportSource``): GROUP BY queries, never rows of text."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.cases.model import CaseStatus
from bot.core.outbox import Status
from bot.core.reports import CampaignReach, CaseFacts
from bot.core.reports.build import UserColumn
from bot.storage.campaigns import OPEN_EVENT
from bot.storage.models import CampaignRow, CaseRow, EventRow, FeedbackRow, OutboxRow, UserRow


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

    async def campaign_reach(self, start: datetime, end: datetime) -> Sequence[CampaignReach]:
        sent = (
            select(OutboxRow.campaign_id, func.count())
            .where(
                OutboxRow.campaign_id.is_not(None),
                OutboxRow.status == Status.SENT.value,
                OutboxRow.sent_at >= start,
                OutboxRow.sent_at < end,
            )
            .group_by(OutboxRow.campaign_id)
        )
        reached = {c: int(n) for c, n in (await self._session.execute(sent)).all() if c}
        opened = (
            select(EventRow.subject, func.count())
            .where(EventRow.kind == OPEN_EVENT, EventRow.at >= start, EventRow.at < end)
            .group_by(EventRow.subject)
        )
        opens = {
            int(subject): int(n)
            for subject, n in (await self._session.execute(opened)).all()
            if subject and subject.isdigit()
        }
        stopped = (
            select(OutboxRow.campaign_id, func.count(func.distinct(UserRow.id)))
            .select_from(UserRow)
            .join(
                OutboxRow,
                (OutboxRow.channel == UserRow.channel)
                & (OutboxRow.recipient == UserRow.external_id),
            )
            .where(
                UserRow.opted_out_at >= start,
                UserRow.opted_out_at < end,
                OutboxRow.campaign_id.is_not(None),
                OutboxRow.created_at <= UserRow.opted_out_at,
            )
            .group_by(OutboxRow.campaign_id)
        )
        opted_out = {c: int(n) for c, n in (await self._session.execute(stopped)).all() if c}
        ids = set(reached) | set(opens) | set(opted_out)
        if not ids:
            return []
        titles = dict(
            (
                await self._session.execute(
                    select(CampaignRow.id, CampaignRow.title).where(CampaignRow.id.in_(ids))
                )
            ).all()
        )
        return [
            CampaignReach(
                c, titles.get(c, ""), reached.get(c, 0), opens.get(c, 0), opted_out.get(c, 0)
            )
            for c in sorted(ids)
            if c in titles
        ]
