"""SQL implementations of the core's repository Protocols."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.messages import UserRef
from bot.core.ports import Event, ForgetReport, UnansweredQuestion
from bot.core.profile import AgeBand, Consent, Frequency, Memo, Profile, Role, State
from bot.storage.campaigns import FREQUENCIES, SqlCampaignRepository, topics_from, topics_value
from bot.storage.cases import SqlCaseRepository
from bot.storage.models import EventRow, FeedbackRow, UnansweredRow, UserRow
from bot.storage.outbox import SqlOutboxWriter
from bot.storage.staff import SqlStaffRepository


def to_profile(row: UserRow | Row[Any]) -> Profile:
    """A profile from a users row (ORM object or Core row: the same attribute names)."""
    consent = None
    if row.consent_at is not None and row.consent_by:
        consent = Consent(by=row.consent_by, at=row.consent_at, scope=row.consent_scope or "")
    return Profile(
        ref=UserRef(row.channel, row.external_id),
        id=row.id,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        locale=row.locale,
        role=Role(row.role) if row.role else None,
        age_band=AgeBand(row.age_band) if row.age_band else None,
        commune=row.commune,
        consent=consent,
        subscribed=row.subscribed,
        frequency=Frequency(row.frequency) if row.frequency in FREQUENCIES else None,
        topics=topics_from(row.topics),
        child_age=row.child_age,
        subscribed_at=row.subscribed_at,
        opted_out=row.opted_out,
        opted_out_at=row.opted_out_at,
        blocked=row.blocked,
        state=State(row.state) if row.state in State._value2member_map_ else State.NEW,
        memo=Memo.from_json(row.state_data),
        version=row.version or 0,
    )


def profile_values(profile: Profile) -> dict[str, Any]:
    """The users-row columns a profile save writes (everything but the key and created_at)."""
    consent = profile.consent
    return {
        "locale": profile.locale,
        "role": profile.role.value if profile.role else None,
        "age_band": profile.age_band.value if profile.age_band else None,
        "commune": profile.commune,
        "consent_by": consent.by if consent else None,
        "consent_at": consent.at if consent else None,
        "consent_scope": consent.scope if consent else None,
        "subscribed": profile.subscribed,
        "frequency": profile.frequency.value if profile.frequency else None,
        "topics": topics_value(profile.topics),
        "child_age": profile.child_age,
        "subscribed_at": profile.subscribed_at,
        "opted_out": profile.opted_out,
        "opted_out_at": profile.opted_out_at,
        "blocked": profile.blocked,
        "state": profile.state.value,
        "state_data": profile.memo.to_json(),
        "last_seen_at": profile.last_seen_at,
        "version": profile.version,
    }


def new_profile(ref: UserRef, now: datetime) -> Profile:
    """Someone seen for the first time (not yet in the database: no id)."""
    return Profile(ref=ref, created_at=now, last_seen_at=now)


def new_user_values(profile: Profile) -> dict[str, Any]:
    """The users row that creates ``profile``."""
    return {
        "channel": profile.ref.channel,
        "external_id": profile.ref.external_id,
        "created_at": profile.created_at,
        **profile_values(profile),
    }


def event_values(event: Event) -> dict[str, Any]:
    """The events row of an analytics event."""
    return {
        "at": event.at,
        "kind": event.kind,
        "channel": event.channel,
        "locale": event.locale,
        "role": event.role,
        "subject": event.subject,
        "data": dict(event.data),
    }


def _apply(row: UserRow, profile: Profile) -> None:
    for column, value in profile_values(profile).items():
        setattr(row, column, value)


class SqlUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._rows: dict[UserRef, UserRow] = {}  # loaded in this unit of work: no second SELECT

    async def _row(self, ref: UserRef) -> UserRow | None:
        cached = self._rows.get(ref)
        if cached is not None:
            return cached
        result = await self._session.execute(
            select(UserRow).where(
                UserRow.channel == ref.channel, UserRow.external_id == ref.external_id
            )
        )
        row = result.scalar_one_or_none()
        if row is not None:
            self._rows[ref] = row
        return row

    async def get(self, ref: UserRef) -> Profile | None:
        row = await self._row(ref)
        return to_profile(row) if row else None

    async def get_or_create(self, ref: UserRef, now: datetime) -> Profile:
        row = await self._row(ref)
        if row is None:
            row = UserRow(**new_user_values(new_profile(ref, now)))
            try:
                async with self._session.begin_nested():
                    self._session.add(row)
            except IntegrityError:  # created by a concurrent worker
                row = await self._row(ref)
                assert row is not None
            self._rows[ref] = row
        return to_profile(row)

    async def save(self, profile: Profile) -> None:
        row = await self._row(profile.ref)
        if row is None:
            raise LookupError(f"no user {profile.ref.channel}:<id>")
        profile.version += 1
        _apply(row, profile)
        await self._session.flush()

    async def forget(self, ref: UserRef) -> ForgetReport:
        row = await self._row(ref)
        cases = SqlCaseRepository(self._session)
        await cases.withdraw_offers_of(ref)
        kept = await cases.count_for(ref)
        if row is None:
            return ForgetReport(deleted=False, kept_cases=kept)
        await self._session.execute(delete(FeedbackRow).where(FeedbackRow.user_id == row.id))
        await self._session.delete(row)
        self._rows.pop(ref, None)
        await self._session.flush()
        return ForgetReport(deleted=True, kept_cases=kept)

    async def reachable(self, ref: UserRef, reachable: bool) -> None:
        await self._session.execute(
            update(UserRow)
            .where(UserRow.channel == ref.channel, UserRow.external_id == ref.external_id)
            .values(blocked=not reachable)
        )


class SqlEventLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, event: Event) -> None:
        self._session.add(EventRow(**event_values(event)))


class SqlFeedbackRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, article_id: str, lang: str, helpful: bool, at: datetime, user_id: int | None
    ) -> None:
        self._session.add(
            FeedbackRow(at=at, article_id=article_id, lang=lang, helpful=helpful, user_id=user_id)
        )


class SqlUnansweredRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, question: UnansweredQuestion) -> None:
        self._session.add(UnansweredRow(at=question.at, lang=question.lang, text=question.text))

    async def since(self, since: datetime | None) -> Sequence[UnansweredQuestion]:
        query = select(UnansweredRow).order_by(UnansweredRow.at)
        if since is not None:
            query = query.where(UnansweredRow.at >= since)
        rows = (await self._session.execute(query)).scalars().all()
        return [UnansweredQuestion(at=r.at, lang=r.lang, text=r.text) for r in rows]


class SqlStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = SqlUserRepository(session)
        self.events = SqlEventLog(session)
        self.feedback = SqlFeedbackRepository(session)
        self.unanswered = SqlUnansweredRepository(session)
        self.cases = SqlCaseRepository(session)
        self.staff = SqlStaffRepository(session)
        self.outbox = SqlOutboxWriter(session)
        self.campaigns = SqlCampaignRepository(session)

    async def commit(self) -> None:
        await self.session.commit()
