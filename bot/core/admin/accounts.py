"""Staff accounts for the web admin, on the ``staff`` table, and the sign-in policy.

Sign-in is limited per account (``max_failures`` wrong passwords lock it for ``lock_minutes``)
and per address (``address_failures`` failures within ``window_minutes`` refuse every further
try from there, whatever the account). Every outcome goes to the admin audit log.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.core.admin import passwords
from bot.core.admin.audit import AdminAuditEntry, AdminAuditLog
from bot.core.cases.model import Staff, StaffRole

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")


class AccountExists(Exception):
    """The username (or the Telegram account) is taken."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str | None  # None: a Telegram desk member without a web sign-in
    name: str  # for administrators only; everyone else sees the pseudonym
    pseudonym: str
    roles: frozenset[StaffRole]
    active: bool = True
    must_change_password: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = None
    last_login_at: datetime | None = None
    desk_seen_at: datetime | None = None

    @property
    def staff(self) -> Staff:
        return Staff(id=self.id, pseudonym=self.pseudonym, roles=self.roles)

    def can(self, role: StaffRole) -> bool:
        return self.staff.can(role)

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


@dataclass(frozen=True)
class NewAccount:
    username: str
    name: str
    roles: frozenset[StaffRole]
    password_hash: str
    telegram: str | None = None  # their Telegram user id: where their campaign test sends go


class AccountRepository(Protocol):
    async def add(self, account: NewAccount, now: datetime) -> Account:
        """A new member of staff who must change the password at first sign-in (raises
        ``AccountExists`` when the username is taken)."""
        ...

    async def get(self, staff_id: int) -> Account | None: ...
    async def by_username(self, username: str) -> Account | None: ...
    async def listing(self) -> Sequence[Account]: ...
    async def password_hash(self, staff_id: int) -> str | None: ...
    async def set_password(self, staff_id: int, hashed: str, must_change: bool) -> None: ...
    async def login_failed(self, staff_id: int, lock_until: datetime | None) -> int:
        """Count a wrong password (and lock until ``lock_until`` if given); the new count."""
        ...

    async def login_succeeded(self, staff_id: int, now: datetime) -> None: ...
    async def set_active(self, staff_id: int, active: bool) -> None: ...
    async def set_roles(self, staff_id: int, roles: frozenset[StaffRole]) -> None: ...
    async def unlock(self, staff_id: int) -> None: ...
    async def desk_seen(self, staff_id: int, at: datetime | None) -> None:
        """At the web desk now (presence), or signed out (None)."""
        ...


class LoginThrottle(Protocol):
    """Failed sign-ins per network address, shared by every process."""

    async def failures(self, address: str, since: datetime) -> int: ...
    async def failed(self, address: str, at: datetime) -> None: ...
    async def purge(self, before: datetime) -> None: ...


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lock_minutes: int = 15
    address_failures: int = 20
    window_minutes: int = 15


class Outcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # unknown username, wrong password or inactive account: one answer for all
    LOCKED = "locked"  # too many wrong passwords for this account
    THROTTLED = "throttled"  # too many failures from this address


@dataclass(frozen=True)
class LoginResult:
    outcome: Outcome
    account: Account | None = None


def parse_roles(text: str) -> frozenset[StaffRole]:
    """``caseworker,editor`` → roles; raises ValueError naming an unknown one."""
    roles = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part not in StaffRole._value2member_map_:
            known = ", ".join(r.value for r in StaffRole)
            raise ValueError(f"unknown role {part!r} (one of {known})")
        roles.add(StaffRole(part))
    if not roles:
        raise ValueError("give at least one role")
    return frozenset(roles)


def check_username(username: str) -> str:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ValueError("a username is 3-32 letters, digits, dots, dashes or underscores")
    return username


async def login(
    accounts: AccountRepository,
    throttle: LoginThrottle,
    audit: AdminAuditLog,
    username: str,
    password: str,
    address: str,
    now: datetime,
    policy: LoginPolicy,
) -> LoginResult:
    window = now - timedelta(minutes=policy.window_minutes)
    if await throttle.failures(address, window) >= policy.address_failures:
        await audit.append(AdminAuditEntry(now, None, "-", "login-throttled"))
        return LoginResult(Outcome.THROTTLED)
    account = await accounts.by_username(username.strip().lower())
    usable = account is not None and account.active and account.username is not None
    if account is not None and usable and account.locked(now):
        await throttle.failed(address, now)
        await audit.append(AdminAuditEntry(now, account.id, account.pseudonym, "login-locked"))
        return LoginResult(Outcome.LOCKED)
    stored = await accounts.password_hash(account.id) if account is not None and usable else None
    if not await passwords.verify(stored, password) or account is None:
        await throttle.failed(address, now)
        if account is None or not usable:
            await audit.append(AdminAuditEntry(now, None, "-", "login-failed"))
            return LoginResult(Outcome.WRONG)
        failures = account.failed_logins + 1
        lock = (
            now + timedelta(minutes=policy.lock_minutes)
            if failures >= policy.max_failures
            else None
        )
        await accounts.login_failed(account.id, lock)
        action = "login-failed-locked" if lock else "login-failed"
        await audit.append(AdminAuditEntry(now, account.id, account.pseudonym, action))
        return LoginResult(Outcome.LOCKED if lock else Outcome.WRONG)
    assert stored is not None
    if passwords.needs_rehash(stored):
        await accounts.set_password(
            account.id, passwords.hash_password(password), account.must_change_password
        )
    await accounts.login_succeeded(account.id, now)
    await audit.append(AdminAuditEntry(now, account.id, account.pseudonym, "login"))
    return LoginResult(Outcome.OK, account)
