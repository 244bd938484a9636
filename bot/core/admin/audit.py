"""The admin audit log: every action taken in the admin, append-only.

Nothing in the application updates or deletes an entry (the repository offers only ``append``;
the database refuses UPDATE and DELETE on the table, see migration 0007). Entries name the
member of staff by id and pseudonym and never hold message text or a user's identity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class AdminAuditEntry:
    at: datetime
    staff_id: int | None  # None: nobody signed in (a failed sign-in under an unknown name)
    actor: str  # the pseudonym, or "-"
    action: str  # e.g. login, case-viewed, case-answered, report-exported, account-added
    target: str = ""  # e.g. "case:12", "account:3", "report:2026-01-01..2026-03-31"
    detail: str = ""  # a short code (an outcome, a role), never free text


class AdminAuditLog(Protocol):
    async def append(self, entry: AdminAuditEntry) -> None: ...
    async def recent(
        self, limit: int = 200, staff_id: int | None = None
    ) -> Sequence[AdminAuditEntry]: ...
