"""The staff table: who may act on cases (and, with the web admin, on content and campaigns)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.cases.model import Staff, StaffRole, worker_pseudonym
from bot.core.messages import UserRef
from bot.storage.models import StaffRow

TELEGRAM = "telegram"


def to_staff(row: StaffRow) -> Staff:
    roles = frozenset(
        StaffRole(r) for r in row.roles.split(",") if r in StaffRole._value2member_map_
    )
    return Staff(id=row.id, pseudonym=row.pseudonym, roles=roles)


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

    async def by_account(self, account: UserRef) -> Staff | None:
        if account.channel != TELEGRAM:
            return None
        row = (
            await self._session.execute(
                select(StaffRow).where(
                    StaffRow.telegram_id == account.external_id, StaffRow.active.is_(True)
                )
            )
        ).scalar_one_or_none()
        return to_staff(row) if row is not None else None
