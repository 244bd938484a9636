"""The staff table: who may act on cases (and, with the web admin, on content and campaigns)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.cases.model import DeskActor, Staff, StaffId, StaffRole, worker_pseudonym
from bot.core.messages import UserRef
from bot.storage.models import StaffRow

TELEGRAM = "telegram"


def roles_of(text: str) -> frozenset[StaffRole]:
    """The ``roles`` column (comma-separated); unknown names are ignored."""
    return frozenset(StaffRole(r) for r in text.split(",") if r in StaffRole._value2member_map_)


def to_staff(row: StaffRow) -> Staff:
    return Staff(id=row.id, pseudonym=row.pseudonym, roles=roles_of(row.roles))


async def unique_pseudonym(session: AsyncSession, account: UserRef) -> str:
    """The account's stable pseudonym, or a random one if another member of staff has it."""
    candidate = worker_pseudonym(account)
    while (
        await session.execute(select(StaffRow.id).where(StaffRow.pseudonym == candidate))
    ).first() is not None:
        candidate = f"TV-{secrets.token_hex(3).upper()}"
    return candidate


class SqlStaffRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def enrol(self, account: UserRef, now: datetime) -> bool:
        """Make a desk chat account an active case worker unless it is staff already (a setting
        such as ``TELEGRAM_DESK_STAFF`` seeds the table; removing an id from it deactivates no
        one: that is an administrator's job). True if added."""
        if account.channel != TELEGRAM:
            raise ValueError(f"staff accounts on {account.channel!r} are not supported")
        found = (
            await self._session.execute(
                select(StaffRow.id).where(StaffRow.telegram_id == account.external_id)
            )
        ).first()
        if found is not None:
            return False
        self._session.add(
            StaffRow(
                pseudonym=worker_pseudonym(account),
                name=f"Telegram {account.external_id}",
                roles=StaffRole.CASEWORKER.value,
                telegram_id=account.external_id,
                active=True,
                created_at=now,
            )
        )
        await self._session.flush()
        return True

    async def by_account(self, account: DeskActor) -> Staff | None:
        if isinstance(account, StaffId):
            who = StaffRow.id == account.id
        elif account.channel == TELEGRAM:
            who = StaffRow.telegram_id == account.external_id
        else:
            return None
        row = (
            await self._session.execute(select(StaffRow).where(who, StaffRow.active.is_(True)))
        ).scalar_one_or_none()
        return to_staff(row) if row is not None else None

    async def add(
        self, name: str, roles: frozenset[StaffRole], now: datetime, account: UserRef | None = None
    ) -> Staff:
        name = " ".join(name.split())
        if not name or len(name) > 80:
            raise ValueError("a name of 1-80 characters is needed")
        if await self.named(name) is not None:
            raise ValueError(f"there is already a member of staff named {name!r}")
        if account is not None:
            if account.channel != TELEGRAM:
                raise ValueError(f"staff accounts on {account.channel!r} are not supported")
            taken = await self._session.execute(
                select(StaffRow.id).where(StaffRow.telegram_id == account.external_id)
            )
            if taken.first() is not None:
                raise ValueError("that Telegram account is already a member of staff")
        pseudonym = worker_pseudonym(account) if account else await self._fresh_pseudonym()
        row = StaffRow(
            pseudonym=pseudonym,
            name=name,
            roles=",".join(sorted(r.value for r in roles)),
            telegram_id=account.external_id if account else None,
            active=True,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return to_staff(row)

    async def _fresh_pseudonym(self) -> str:
        while True:
            candidate = f"CB-{secrets.token_hex(2).upper()}"
            taken = await self._session.execute(
                select(StaffRow.id).where(StaffRow.pseudonym == candidate)
            )
            if taken.first() is None:
                return candidate

    async def _active(self) -> Sequence[StaffRow]:
        rows = await self._session.execute(
            select(StaffRow).where(StaffRow.active.is_(True)).order_by(StaffRow.id)
        )
        return list(rows.scalars())

    async def named(self, name: str) -> Staff | None:
        wanted = " ".join(name.split()).casefold()
        for row in await self._active():
            if row.name.casefold() == wanted:
                return to_staff(row)
        return None

    async def members(self) -> Sequence[tuple[Staff, str, UserRef | None]]:
        return [
            (
                to_staff(row),
                row.name,
                UserRef(TELEGRAM, row.telegram_id) if row.telegram_id else None,
            )
            for row in await self._active()
        ]

    async def account_of(self, staff: Staff) -> UserRef | None:
        row = await self._session.get(StaffRow, staff.id)
        if row is None or not row.telegram_id:
            return None
        return UserRef(TELEGRAM, row.telegram_id)
