"""SQL implementations of the staff side's Protocols (``bot.core.admin``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.admin.accounts import Account, AccountExists, NewAccount
from bot.core.admin.audit import AdminAuditEntry
from bot.core.admin.sessions import AdminSession
from bot.core.cases.model import StaffRole
from bot.core.messages import UserRef
from bot.storage.cases import SqlCaseRepository
from bot.storage.database import Database
from bot.storage.models import AdminAuditRow, AdminSessionRow, LoginFailureRow, StaffRow
from bot.storage.reports import SqlReportSource
from bot.storage.repositories import SqlUnansweredRepository
from bot.storage.staff import roles_of, unique_pseudonym


def _account(row: StaffRow) -> Account:
    return Account(
        id=row.id,
        username=row.username,
        name=row.name,
        pseudonym=row.pseudonym,
        roles=roles_of(row.roles),
        active=row.active,
        must_change_password=row.must_change_password,
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        last_login_at=row.last_login_at,
        desk_seen_at=row.desk_seen_at,
    )


def _roles_text(roles: frozenset[StaffRole]) -> str:
    return ",".join(sorted(r.value for r in roles))


class SqlAccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _values(self, staff_id: int, **values: object) -> None:
        await self._session.execute(
            update(StaffRow).where(StaffRow.id == staff_id).values(**values)
        )

    async def add(self, account: NewAccount, now: datetime) -> Account:
        row = StaffRow(
            pseudonym=await unique_pseudonym(self._session, UserRef("web", account.username)),
            name=account.name,
            roles=_roles_text(account.roles),
            active=True,
            created_at=now,
            username=account.username,
            telegram_id=account.telegram,
            password_hash=account.password_hash,
            must_change_password=True,
            failed_logins=0,
        )
        try:
            async with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError:
            raise AccountExists(account.username) from None
        return _account(row)

    async def get(self, staff_id: int) -> Account | None:
        row = await self._session.get(StaffRow, staff_id, populate_existing=True)
        return _account(row) if row is not None else None

    async def by_username(self, username: str) -> Account | None:
        row = (
            await self._session.execute(select(StaffRow).where(StaffRow.username == username))
        ).scalar_one_or_none()
        return _account(row) if row is not None else None

    async def listing(self) -> Sequence[Account]:
        rows = (await self._session.execute(select(StaffRow).order_by(StaffRow.id))).scalars()
        return [_account(r) for r in rows]

    async def password_hash(self, staff_id: int) -> str | None:
        return (
            await self._session.execute(
                select(StaffRow.password_hash).where(StaffRow.id == staff_id)
            )
        ).scalar_one_or_none()

    async def set_password(self, staff_id: int, hashed: str, must_change: bool) -> None:
        await self._values(staff_id, password_hash=hashed, must_change_password=must_change)

    async def login_failed(self, staff_id: int, lock_until: datetime | None) -> int:
        values: dict[str, object] = {"failed_logins": StaffRow.failed_logins + 1}
        if lock_until is not None:
            values = {"failed_logins": 0, "locked_until": lock_until}  # a fresh count after it
        await self._values(staff_id, **values)
        count = (
            await self._session.execute(
                select(StaffRow.failed_logins).where(StaffRow.id == staff_id)
            )
        ).scalar_one()
        return int(count)

    async def login_succeeded(self, staff_id: int, now: datetime) -> None:
        await self._values(staff_id, failed_logins=0, locked_until=None, last_login_at=now)

    async def set_active(self, staff_id: int, active: bool) -> None:
        await self._values(staff_id, active=active)

    async def set_roles(self, staff_id: int, roles: frozenset[StaffRole]) -> None:
        await self._values(staff_id, roles=_roles_text(roles))

    async def unlock(self, staff_id: int) -> None:
        await self._values(staff_id, failed_logins=0, locked_until=None)

    async def desk_seen(self, staff_id: int, at: datetime | None) -> None:
        await self._values(staff_id, desk_seen_at=at)


class SqlSessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create(self, session: AdminSession) -> None:
        self._session.add(
            AdminSessionRow(
                key=session.key,
                staff_id=session.staff_id,
                csrf=session.csrf,
                created_at=session.created_at,
                seen_at=session.seen_at,
                flash=session.flash,
            )
        )
        await self._session.flush()

    async def get(self, key: str) -> AdminSession | None:
        row = await self._session.get(AdminSessionRow, key, populate_existing=True)
        if row is None:
            return None
        return AdminSession(
            key=row.key,
            staff_id=row.staff_id,
            csrf=row.csrf,
            created_at=row.created_at,
            seen_at=row.seen_at,
            flash=row.flash,
        )

    async def touch(self, key: str, now: datetime) -> None:
        await self._session.execute(
            update(AdminSessionRow).where(AdminSessionRow.key == key).values(seen_at=now)
        )

    async def set_flash(self, key: str, flash: str | None) -> None:
        await self._session.execute(
            update(AdminSessionRow)
            .where(AdminSessionRow.key == key)
            .values(flash=flash[:300] if flash else None)
        )

    async def delete(self, key: str) -> None:
        await self._session.execute(delete(AdminSessionRow).where(AdminSessionRow.key == key))

    async def delete_for(self, staff_id: int) -> None:
        await self._session.execute(
            delete(AdminSessionRow).where(AdminSessionRow.staff_id == staff_id)
        )

    async def purge(self, seen_before: datetime, created_before: datetime) -> int:
        result = await self._session.execute(
            delete(AdminSessionRow).where(
                or_(
                    AdminSessionRow.seen_at < seen_before,
                    AdminSessionRow.created_at < created_before,
                )
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


class SqlLoginThrottle:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def failures(self, address: str, since: datetime) -> int:
        count = (
            await self._session.execute(
                select(func.count())
                .select_from(LoginFailureRow)
                .where(LoginFailureRow.address == address[:64], LoginFailureRow.at >= since)
            )
        ).scalar_one()
        return int(count)

    async def failed(self, address: str, at: datetime) -> None:
        self._session.add(LoginFailureRow(address=address[:64], at=at))

    async def purge(self, before: datetime) -> None:
        await self._session.execute(delete(LoginFailureRow).where(LoginFailureRow.at < before))


class SqlAdminAudit:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(self, entry: AdminAuditEntry) -> None:
        self._session.add(
            AdminAuditRow(
                at=entry.at,
                staff_id=entry.staff_id,
                actor=entry.actor[:32],
                action=entry.action[:40],
                target=entry.target[:80],
                detail=entry.detail[:80],
            )
        )

    async def recent(
        self, limit: int = 200, staff_id: int | None = None
    ) -> Sequence[AdminAuditEntry]:
        query = select(AdminAuditRow).order_by(AdminAuditRow.id.desc()).limit(limit)
        if staff_id is not None:
            query = query.where(AdminAuditRow.staff_id == staff_id)
        return [
            AdminAuditEntry(r.at, r.staff_id, r.actor, r.action, r.target, r.detail)
            for r in (await self._session.execute(query)).scalars()
        ]


class SqlAdminStore:
    """One admin request's unit of work (implements ``bot.core.admin.ports.AdminStore``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.accounts = SqlAccountRepository(session)
        self.sessions = SqlSessionRepository(session)
        self.throttle = SqlLoginThrottle(session)
        self.audit = SqlAdminAudit(session)
        self.cases = SqlCaseRepository(session)
        self.unanswered = SqlUnansweredRepository(session)
        self.reports = SqlReportSource(session)

    async def commit(self) -> None:
        await self.session.commit()


def admin_stores(database: Database) -> _AdminStores:
    return _AdminStores(database)


class _AdminStores:
    def __init__(self, database: Database) -> None:
        self._database = database

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[SqlAdminStore]:
        async with self._database.session() as session:
            yield SqlAdminStore(session)
