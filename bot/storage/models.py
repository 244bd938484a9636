"""Database tables (SQLAlchemy 2 declarative). Schema changes go through Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_users_channel_external"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(16))
    role: Mapped[str | None] = mapped_column(String(16))
    age_band: Mapped[str | None] = mapped_column(String(8))
    commune: Mapped[str | None] = mapped_column(String(64))  # an official commune code
    consent_by: Mapped[str | None] = mapped_column(String(16))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consent_scope: Mapped[str | None] = mapped_column(String(32))
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    # what a subscriber chose: "weekly" (a tip a week, and campaigns) or "campaigns" only; the
    # pillars they want (",abuse,injury," — empty: all); the age band of the child tips are for
    frequency: Mapped[str | None] = mapped_column(String(16))
    topics: Mapped[str] = mapped_column(String(120), default="", server_default="")
    child_age: Mapped[str | None] = mapped_column(String(8))
    subscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(32), default="new")
    state_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # profile saves so far: a buffered write lands only if it is newer than the row
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class EventRow(Base):
    """Append-only, anonymised analytics: no user reference, no message text."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str | None] = mapped_column(String(16))
    role: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str | None] = mapped_column(String(80))
    data: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    article_id: Mapped[str] = mapped_column(String(80), index=True)
    lang: Mapped[str] = mapped_column(String(16))
    helpful: Mapped[bool] = mapped_column(Boolean)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class UnansweredRow(Base):
    """Questions the library could not answer, scrubbed of personal data, for editors."""

    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    lang: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


class CaseRow(Base):
    """A safety case. Kept after the user's /forget: the law requires a child at risk to be acted on."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_user", "user_channel", "user_external_id"),
        Index("ix_cases_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    category: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    user_channel: Mapped[str] = mapped_column(String(16))
    user_external_id: Mapped[str] = mapped_column(String(64))
    pseudonym: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    assignee: Mapped[str | None] = mapped_column(String(16))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alerts: Mapped[int] = mapped_column(Integer, default=0)
    last_alert_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    referred_to: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))


class CaseMessageRow(Base):
    """What was said in a case: kept only for the case, never in logs or analytics."""

    __tablename__ = "case_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    direction: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(16), default="", server_default="")


class CaseAuditRow(Base):
    """Append-only: who saw or did what to a case, and when."""

    __tablename__ = "case_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(200), default="")


class StaffRow(Base):
    """Case workers, editors, approvers, reporters and administrators. Users and reports see a
    member of staff only by ``pseudonym``; ``name`` is for administrators."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    roles: Mapped[str] = mapped_column(String(120))  # comma-separated StaffRole values
    telegram_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the web admin's sign-in (None: a Telegram desk member who never signs in on the web)
    username: Mapped[str | None] = mapped_column(String(32), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))  # argon2id
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="false"
    )
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # last request at the web desk: a case worker seen lately is "on duty" (bot.storage.presence)
    desk_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AdminSessionRow(Base):
    """A signed-in admin session; the cookie holds a token whose SHA-256 is ``key``."""

    __tablename__ = "admin_sessions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    flash: Mapped[str | None] = mapped_column(String(300))


class AdminAuditRow(Base):
    """Append-only (the database refuses UPDATE and DELETE): every action in the admin."""

    __tablename__ = "admin_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    staff_id: Mapped[int | None] = mapped_column(Integer, index=True)  # no FK: outlives the row
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[str] = mapped_column(String(80), default="")


class LoginFailureRow(Base):
    """A failed sign-in from an address; kept for the throttle's window, then purged."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxRow(Base):
    """Messages to send that are not replies to the user's own message (see bot.core.outbox)."""

    __tablename__ = "outbox"
    __table_args__ = (
        # what a dispatcher claims: due rows of its channels, by priority then age
        Index("ix_outbox_due", "status", "priority", "id"),
        # a recipient's earlier unsent rows (their order) and a pull channel's look-up
        Index("ix_outbox_recipient", "channel", "recipient", "status"),
        # a campaign's rows: pause, resume, cancel, progress and statistics
        Index("ix_outbox_campaign", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    payload: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # cleared once sent
    status: Mapped[str] = mapped_column(String(16))
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # a broadcast's rows share one payload (per language) instead of a copy each
    payload_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_payloads.id", ondelete="CASCADE")
    )
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    message_ref: Mapped[str | None] = mapped_column(String(64))  # the channel's message id


class OutboxPayloadRow(Base):
    """What many outbox rows say (a campaign in one language): stored once, not once per row."""

    __tablename__ = "outbox_payloads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class CampaignRow(Base):
    """A campaign of the Propaganda Board (see bot.core.campaigns): content, audience, schedule."""

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_status", "status", "next_run_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    author: Mapped[str | None] = mapped_column(String(16))  # staff pseudonyms
    submitted_by: Mapped[str | None] = mapped_column(String(16))
    approved_by: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(200), default="")  # the file it came from
    messages: Mapped[dict[str, Any]] = mapped_column(JSON)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    schedule: Mapped[dict[str, Any]] = mapped_column(JSON)
    audience_size: Mapped[int | None] = mapped_column(Integer)  # shown to the approver
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    runs: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CampaignAuditRow(Base):
    """Append-only: who did what to a campaign, and when."""

    __tablename__ = "campaign_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(200), default="")


class PeriodicRow(Base):
    """Periodic jobs done once per period across workers (the weekly tip): the last period done."""

    __tablename__ = "periodic"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    done: Mapped[str] = mapped_column(String(32))


class SeenEventRow(Base):
    """Webhook events already taken, by a hash of their id: a redelivery is handled once, also
    after a restart. Rows older than the channel's redelivery horizon are purged."""

    __tablename__ = "seen_events"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # the event itself while it is kept but not yet handled (Telegram's webhook: stored before
    # the 200, emptied once handled; bot/storage/inbox.py); always NULL for Zalo's keys
    payload: Mapped[bytes | None] = mapped_column(LargeBinary(), nullable=True, default=None)


class ChannelTokenRow(Base):
    """API credentials a channel must rotate itself (Zalo's access token and its single-use
    refresh token), replaced together under a lock that holds across workers."""

    __tablename__ = "channel_tokens"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    access: Mapped[str] = mapped_column(Text)
    refresh: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # a digest of the tokens given in the settings: new ones there replace the stored pair
    seed: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
