"""Admin sessions, kept on the server: the cookie holds a random token, the database its hash.

A session ends after ``idle`` without a request, after ``absolute`` whatever happens, at sign-out,
and when the account is deactivated or its password changes. Each carries its own CSRF token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)


@dataclass(frozen=True)
class AdminSession:
    key: str  # the hash of the cookie's token
    staff_id: int
    csrf: str
    created_at: datetime
    seen_at: datetime
    flash: str | None = None  # one notice for the next page (after a redirect)

    def expired(self, now: datetime, policy: SessionPolicy) -> bool:
        return now - self.seen_at > policy.idle or now - self.created_at > policy.absolute


class SessionRepository(Protocol):
    async def create(self, session: AdminSession) -> None: ...
    async def get(self, key: str) -> AdminSession | None: ...
    async def touch(self, key: str, now: datetime) -> None: ...
    async def set_flash(self, key: str, flash: str | None) -> None: ...
    async def delete(self, key: str) -> None: ...
    async def delete_for(self, staff_id: int) -> None: ...
    async def purge(self, seen_before: datetime, created_before: datetime) -> int: ...


def new_token() -> str:
    return secrets.token_urlsafe(32)


def key_of(token: str) -> str:
    """What the database keeps: a stolen copy of the table signs nobody in."""
    return hashlib.sha256(token.encode()).hexdigest()


def start(staff_id: int, now: datetime) -> tuple[str, AdminSession]:
    """A new session: the token for the cookie, and the row to store."""
    token = new_token()
    return token, AdminSession(
        key=key_of(token), staff_id=staff_id, csrf=new_token(), created_at=now, seen_at=now
    )
