"""Safety cases: a child at risk handed to a human, with an audit trail of every view and action."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.messages import UserRef


class CaseStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    REFERRED = "referred"
    CLOSED = "closed"

    @property
    def open(self) -> bool:
        return self in (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED, CaseStatus.REFERRED)


OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED, CaseStatus.REFERRED)


class Direction(StrEnum):
    USER = "user"
    WORKER = "worker"
    SYSTEM = "system"


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
