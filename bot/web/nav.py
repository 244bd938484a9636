"""The admin's navigation: each page and the roles that see it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.admin.accounts import Account
from bot.core.cases.model import StaffRole


@dataclass(frozen=True)
class Entry:
    path: str
    label: str
    roles: tuple[StaffRole, ...]  # any of them (administrators see everything)


NAV: tuple[Entry, ...] = (
    Entry("/admin/cases", "Case desk", (StaffRole.CASEWORKER,)),
    Entry("/admin/content", "Content", (StaffRole.EDITOR,)),
    Entry("/admin/unanswered", "Unanswered", (StaffRole.EDITOR,)),
    Entry("/admin/feedback", "Feedback", (StaffRole.EDITOR,)),
    Entry("/admin/campaigns", "Campaigns", (StaffRole.EDITOR, StaffRole.APPROVER)),
    Entry("/admin/reports", "Reports", (StaffRole.REPORTER,)),
    Entry("/admin/accounts", "Accounts", (StaffRole.ADMIN,)),
    Entry("/admin/audit", "Audit log", tuple(StaffRole)),
)


def visible(account: Account) -> list[Entry]:
    return [e for e in NAV if any(account.can(role) for role in e.roles)]
