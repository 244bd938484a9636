"""Safety cases: a child at risk handed to a human, with an audit trail of every view and action."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.messages import UserRef


class CaseStatus(StrEnum):
    # a counsellor was offered and the user has not answered: holds the disclosure until the
    # user says yes (the case opens) or moves on (it is deleted); never shown to a desk
    OFFERED = "offered"
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    REFERRED = "referred"
    CLOSED = "closed"

    @property
    def open(self) -> bool:
        return self in (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED, CaseStatus.REFERRED)


OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED, CaseStatus.REFERRED)
DESK_STATUSES = (*OPEN_STATUSES, CaseStatus.CLOSED)  # what a desk ever sees


class Direction(StrEnum):
    USER = "user"
    WORKER = "worker"
    NOTE = "note"  # a case worker's note for colleagues: never sent to the user


class Referral(StrEnum):
    """Where a case worker can refer a case (Decree 56/2017: the commune acts within 12 hours)."""

    COMMUNE = "commune"  # the commune child-protection officer / People's Committee
    POLICE = "police"
    HEALTH = "health"
    HOTLINE = "111"


class Outcome(StrEnum):
    """How a case ended, for reports (never free text: reports must not carry case details)."""

    SUPPORTED = "supported"  # the child was supported; no further action needed
    REFERRED = "referred"  # handed to another service
    NO_CONTACT = "no-contact"  # the user did not come back
    NOT_A_CASE = "not-a-case"  # a false alarm


class StaffRole(StrEnum):
    CASEWORKER = "caseworker"
    EDITOR = "editor"
    APPROVER = "approver"
    REPORTER = "reporter"
    ADMIN = "admin"


@dataclass(frozen=True)
class Staff:
    """A member of staff as the core sees them: an id and a pseudonym, never a name."""

    id: int
    pseudonym: str  # how users and reports see them, e.g. ``TV-3F2A``
    roles: frozenset[StaffRole]

    def can(self, role: StaffRole) -> bool:
        return role in self.roles or StaffRole.ADMIN in self.roles


@dataclass(frozen=True)
class StaffId:
    """A member of staff by their ``staff`` row, as the web desk knows them after sign-in."""

    id: int


# who acts at a desk: a chat account (a Telegram user in the staff group) or a signed-in member
DeskActor = UserRef | StaffId


@dataclass(frozen=True)
class Case:
    id: int
    opened_at: datetime
    category: str
    severity: str
    user: UserRef
    pseudonym: str  # how the desk sees the user: never a name or an external id
    status: CaseStatus
    assignee: str | None = None  # a case worker's pseudonym
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    alerts: int = 0
    last_alert_at: datetime | None = None
    referred_to: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class NewCase:
    opened_at: datetime
    category: str
    severity: str
    user: UserRef
    pseudonym: str


@dataclass(frozen=True)
class CaseMessage:
    at: datetime
    direction: Direction
    text: str
    author: str = ""  # a case worker's pseudonym on their answers and notes


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    detail: str = ""


def user_pseudonym() -> str:
    """A random name for the desk to call the user by, e.g. ``M-4821``."""
    return f"M-{secrets.randbelow(9000) + 1000}"


def worker_pseudonym(worker: UserRef) -> str:
    """A stable pseudonym for a case worker: users and reports see this, never the account."""
    digest = hashlib.sha256(f"{worker.channel}:{worker.external_id}".encode()).hexdigest()
    return f"TV-{digest[:4].upper()}"
