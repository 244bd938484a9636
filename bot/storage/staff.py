"""The staff table: who may act on cases (and, with the web admin, on content and campaigns)."""

from __future__ import annotations

import secrets
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
