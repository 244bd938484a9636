"""Who is at the web desk: a case worker whose desk page spoke to the server lately.

The desk page polls every few seconds and each poll stamps ``staff.desk_seen_at``; signing out
clears it. Every process reads the same table, so a counsellor is offered by whichever worker
handles the child's message (``DeskOptions.presence``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select

from bot.core.cases.model import StaffRole
from bot.storage.database import Database
from bot.storage.models import StaffRow

_CAN_TAKE_CASES = or_(
    StaffRow.roles.contains(StaffRole.CASEWORKER.value),
    StaffRow.roles.contains(StaffRole.ADMIN.value),
)


class SqlPresence:
    def __init__(self, database: Database, window: timedelta) -> None:
        self._database = database
        self.window = window

    async def anyone(self, now: datetime) -> bool:
        query = select(
            exists().where(
                StaffRow.active.is_(True),
                StaffRow.desk_seen_at >= now - self.window,
                _CAN_TAKE_CASES,
            )
        )
        async with self._database.engine.connect() as conn:
            return bool((await conn.execute(query)).scalar())
