"""What the core needs from the outside world, as Protocols. Storage and channels implement them."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.core.campaigns.ports import CampaignRepository
from bot.core.cases.model import (
    AuditEntry,
    Case,
    CaseMessage,
    CaseStatus,
    DeskActor,
    NewCase,
    Staff,
    StaffRole,
)
from bot.core.messages import UserRef
from bot.core.outbox import OutboxWriter
from bot.core.profile import Profile


@dataclass(frozen=True)
class Event:
    """An anonymised analytics event: never message text, never an external id."""

    kind: str
    at: datetime
    channel: str
    locale: str | None = None
    role: str | None = None
    subject: str | None = None  # article or topic id
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UnansweredQuestion:
    at: datetime
    lang: str
    text: str  # scrubbed of phone numbers, e-mails and names before it is stored


@dataclass(frozen=True)
class ForgetReport:
    deleted: bool
    kept_cases: int  # safety cases kept under the legal duty to act


class UserRepository(Protocol):
    async def get(self, ref: UserRef) -> Profile | None: ...
    async def get_or_create(self, ref: UserRef, now: datetime) -> Profile: ...
    async def save(self, profile: Profile) -> None: ...
    async def forget(self, ref: UserRef) -> ForgetReport: ...
    async def reachable(self, ref: UserRef, reachable: bool) -> None: ...


class EventLog(Protocol):
    async def record(self, event: Event) -> None: ...


class FeedbackRepository(Protocol):
    async def add(
        self, article_id: str, lang: str, helpful: bool, at: datetime, user_id: int | None
    ) -> None: ...


class UnansweredRepository(Protocol):
    async def add(self, question: UnansweredQuestion) -> None: ...
    async def since(self, since: datetime | None) -> Sequence[UnansweredQuestion]: ...


class Store(Protocol):
    """Repositories sharing one transaction: the unit of work for one inbound message."""

    @property
    def users(self) -> UserRepository: ...
    @property
    def events(self) -> EventLog: ...
    @property
    def feedback(self) -> FeedbackRepository: ...
    @property
    def unanswered(self) -> UnansweredRepository: ...
    @property
    def cases(self) -> CaseRepository: ...
    @property
    def staff(self) -> StaffRepository: ...
    @property
    def outbox(self) -> OutboxWriter: ...
    @property
    def campaigns(self) -> CampaignRepository: ...

    async def commit(self) -> None: ...


class StoreFactory(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[Store]: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


class StaffRepository(Protocol):
    async def enrol(self, account: UserRef, now: datetime) -> bool:
        """Make a desk chat account an active case worker (unless it is staff already)."""
        ...

    async def by_account(self, account: DeskActor) -> Staff | None:
        """The active member of staff who acts from this chat account (a Telegram user id), or
        with this staff id (signed in at the web desk)."""
        ...

    async def add(
        self, name: str, roles: frozenset[StaffRole], now: datetime, account: UserRef | None = None
    ) -> Staff:
        """A new member of staff (raises ValueError when the name or the account is taken)."""
        ...

    async def named(self, name: str) -> Staff | None:
        """The active member of staff with this name (any case)."""
        ...

    async def members(self) -> Sequence[tuple[Staff, str, UserRef | None]]:
        """Every active member of staff: who, their name, their chat account."""
        ...

    async def account_of(self, staff: Staff) -> UserRef | None: ...


class CaseRepository(Protocol):
    async def open(self, case: NewCase) -> Case: ...
    async def offer(self, case: NewCase) -> Case:
        """A case in the ``offered`` state: holds a disclosure until the user says yes."""
        ...

    async def accept(self, case_id: int) -> Case | None:
        """An offered case opens (``new``); None if it is gone (withdrawn or expired)."""
        ...

    async def withdraw(self, case_id: int) -> None:
        """Delete an offered case and what it holds (never a case that was opened)."""
        ...

    async def purge_offers(self, before: datetime) -> int: ...
    async def refer(self, case_id: int, to: str, worker: str, at: datetime) -> bool: ...
    async def get(self, case_id: int) -> Case | None: ...
    async def open_for(self, user: UserRef) -> Case | None: ...
    async def count_for(self, user: UserRef) -> int: ...
    async def acknowledge(self, case_id: int, worker: str, at: datetime) -> bool: ...
    async def close(
        self, case_id: int, worker: str, at: datetime, outcome: str | None = None
    ) -> bool: ...
    async def add_message(self, case_id: int, message: CaseMessage) -> None: ...
    async def messages(self, case_id: int) -> Sequence[CaseMessage]: ...
    async def audit(self, case_id: int, entry: AuditEntry) -> None: ...
    async def audit_log(self, case_id: int) -> Sequence[AuditEntry]: ...
    async def overdue(self, older_than: datetime, alerted_before: datetime) -> Sequence[Case]: ...
    async def mark_alerted(self, case_id: int, at: datetime, alerted_before: datetime) -> bool: ...
    async def listing(self, statuses: Sequence[CaseStatus]) -> Sequence[Case]: ...
