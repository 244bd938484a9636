"""What the staff side needs from storage: one unit of work per admin request."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.core.admin.accounts import AccountRepository, LoginThrottle
from bot.core.admin.audit import AdminAuditLog
from bot.core.admin.sessions import SessionRepository
from bot.core.ports import CaseRepository, UnansweredRepository
from bot.core.reports import ReportSource


class AdminStore(Protocol):
    @property
    def accounts(self) -> AccountRepository: ...
    @property
    def sessions(self) -> SessionRepository: ...
    @property
    def throttle(self) -> LoginThrottle: ...
    @property
    def audit(self) -> AdminAuditLog: ...
    @property
    def cases(self) -> CaseRepository: ...
    @property
    def unanswered(self) -> UnansweredRepository: ...
    @property
    def reports(self) -> ReportSource: ...

    async def commit(self) -> None: ...


class AdminStores(Protocol):
    def __call__(self) -> AbstractAsyncContextManager[AdminStore]: ...
