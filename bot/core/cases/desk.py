"""The case desk as core actions: acknowledge, answer, note, refer and close a case.

Staff act from any desk — a Telegram staff group (its adapter turns group messages into these
actions), the web desk — always as a member of the ``staff`` table, seen by users and in the audit
trail only under their pseudonym. Each action is checked against the case's state, written to the
audit trail, and returns a notice for the member of staff plus the messages it sends to the user
and to the desks (through the outbox, in the same transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.cases.flow import desk_alert, to_desks
from bot.core.cases.model import (
    AuditEntry,
    Case,
    CaseMessage,
    CaseStatus,
    Direction,
    Outcome,
    Referral,
    Staff,
    StaffRole,
)
from bot.core.i18n import _, use_locale
from bot.core.menus import hotline_row
from bot.core.messages import Reply, UserRef
from bot.core.outbox import Outgoing, Priority
from bot.core.ports import CaseRepository, Store
from bot.core.services import Services

MAX_ANSWER_CHARS = 4000


@dataclass(frozen=True)
class Acknowledge:
    case_id: int


@dataclass(frozen=True)
class Answer:
    case_id: int
    text: str


@dataclass(frozen=True)
class Note:
    case_id: int
    text: str


@dataclass(frozen=True)
class Refer:
    case_id: int
    to: Referral


@dataclass(frozen=True)
class Close:
    case_id: int
    outcome: Outcome | None = None  # None: closed from a button, outcome not recorded


DeskAction = Acknowledge | Answer | Note | Refer | Close


@dataclass
class DeskResult:
    ok: bool
    notice: str  # for the member of staff who acted, in the desk's language
    outgoing: list[Outgoing] = field(default_factory=list)


async def perform(
    action: DeskAction, staff: Staff, store: Store, now: datetime, services: Services
) -> DeskResult:
    with use_locale(services.catalogs, services.options.default_locale):
        if not staff.can(StaffRole.CASEWORKER):
            return DeskResult(False, _("Only case workers can act on cases."))
        case = await store.cases.get(action.case_id)
        if case is None or case.status is CaseStatus.OFFERED:
            return DeskResult(False, _("Case #{id} does not exist.").format(id=action.case_id))
        if isinstance(action, Acknowledge):
            return await _acknowledge(case, staff, store, now, services)
        if not case.status.open:
            return DeskResult(False, _("Case #{id} is already closed.").format(id=case.id))
        if isinstance(action, Answer):
            return await _answer(case, action.text, staff, store, now, services)
        if isinstance(action, Note):
            await store.cases.add_message(
                case.id, CaseMessage(now, Direction.NOTE, action.text, staff.pseudonym)
            )
            await store.cases.audit(case.id, AuditEntry(now, staff.pseudonym, "note"))
            return DeskResult(True, _("Note added to case #{id}.").format(id=case.id))
        if isinstance(action, Refer):
            await store.cases.refer(case.id, action.to.value, staff.pseudonym, now)
            await store.cases.audit(
                case.id, AuditEntry(now, staff.pseudonym, "referred", action.to.value)
            )
            return DeskResult(
                True,
                _("Case #{id} referred to {to} by {worker}.").format(
                    id=case.id, to=action.to.value, worker=staff.pseudonym
                ),
            )
        return await _close(case, action.outcome, staff, store, now, services)


@dataclass(frozen=True)
class CaseView:
    """A case as the web desk shows it: what was said, and who saw or did what."""

    case: Case
    messages: Sequence[CaseMessage]
    audit: Sequence[AuditEntry]


async def view(
    case_id: int, staff: Staff, cases: CaseRepository, now: datetime, record: bool = True
) -> CaseView | None:
    """Open a case for a case worker; the opening is in the case's audit trail (``record``;
    a page refreshing what it already shows is not a new opening)."""
    if not staff.can(StaffRole.CASEWORKER):
        return None
    case = await cases.get(case_id)
    if case is None or case.status is CaseStatus.OFFERED:
        return None
    if record:
        await cases.audit(case.id, AuditEntry(now, staff.pseudonym, "viewed"))
    return CaseView(case, await cases.messages(case.id), await cases.audit_log(case.id))


async def _user_locale(store: Store, user: UserRef, services: Services) -> str:
    profile = await store.users.get(user)
    return (profile.locale if profile else None) or services.options.default_locale


def _to_user(case: Case, reply: Reply, kind: str) -> Outgoing:
    return Outgoing(to=case.user, replies=(reply,), priority=Priority.CASE, kind=kind)


async def _acknowledge(
    case: Case, staff: Staff, store: Store, now: datetime, services: Services
) -> DeskResult:
    if not await store.cases.acknowledge(case.id, staff.pseudonym, now):
        current = await store.cases.get(case.id)
        if current is not None and not current.status.open:
            return DeskResult(False, _("Case #{id} is already closed.").format(id=case.id))
        who = current.assignee if current else "?"
        return DeskResult(
            False, _("Case #{id} is already taken by {worker}.").format(id=case.id, worker=who)
        )
    await store.cases.audit(case.id, AuditEntry(now, staff.pseudonym, "acknowledged"))
    with use_locale(services.catalogs, await _user_locale(store, case.user, services)):
        to_user = Reply(
            _("A counsellor ({worker}) has read your message and will answer here.").format(
                worker=staff.pseudonym
            )
        )
    return DeskResult(
        True,
        _("Case #{id} acknowledged by {worker}.").format(id=case.id, worker=staff.pseudonym),
        [_to_user(case, to_user, "acknowledged")],
    )


async def _answer(
    case: Case, text: str, staff: Staff, store: Store, now: datetime, services: Services
) -> DeskResult:
    text = text.strip()[:MAX_ANSWER_CHARS]
    if not text:
        return DeskResult(False, _("Write the answer as a reply to the case message."))
    if await store.cases.acknowledge(case.id, staff.pseudonym, now):  # answering takes the case
        await store.cases.audit(case.id, AuditEntry(now, staff.pseudonym, "acknowledged"))
    await store.cases.add_message(
        case.id, CaseMessage(now, Direction.WORKER, text, staff.pseudonym)
    )
    await store.cases.audit(case.id, AuditEntry(now, staff.pseudonym, "replied"))
    with use_locale(services.catalogs, await _user_locale(store, case.user, services)):
        to_user = Reply(_("💬 Counsellor {worker}:").format(worker=staff.pseudonym) + "\n" + text)
    return DeskResult(
        True,
        _("Sent to {user} (case #{id}).").format(user=case.pseudonym, id=case.id),
        [_to_user(case, to_user, "answer")],
    )


async def _close(
    case: Case,
    outcome: Outcome | None,
    staff: Staff,
    store: Store,
    now: datetime,
    services: Services,
) -> DeskResult:
    if not await store.cases.close(
        case.id, staff.pseudonym, now, outcome.value if outcome else None
    ):
        return DeskResult(False, _("Case #{id} is already closed.").format(id=case.id))
    await store.cases.audit(
        case.id, AuditEntry(now, staff.pseudonym, "closed", outcome.value if outcome else "")
    )
    with use_locale(services.catalogs, await _user_locale(store, case.user, services)):
        to_user = Reply(
            _(
                "The counsellor has ended this conversation. You can write to me again at any time, and call 111 whenever you need, day or night."
            ),
            buttons=(hotline_row(),),
        )
    return DeskResult(
        True,
        _("Case #{id} closed by {worker}.").format(id=case.id, worker=staff.pseudonym),
        [_to_user(case, to_user, "closed")],
    )


async def overdue_alerts(store: Store, now: datetime, services: Services) -> list[Outgoing]:
    """Cases nobody acknowledged in time: alert the desks again and tell the user to call 111."""
    wait = timedelta(minutes=services.desk.ack_minutes)
    outgoing: list[Outgoing] = []
    for case in await store.cases.overdue(older_than=now - wait, alerted_before=now - wait):
        if not await store.cases.mark_alerted(case.id, now, alerted_before=now - wait):
            continue  # another worker alerted for this case a moment ago
        await store.cases.audit(case.id, AuditEntry(now, "system", "re-alerted"))
        with use_locale(services.catalogs, services.options.default_locale):
            said = [
                m.text for m in await store.cases.messages(case.id) if m.direction is Direction.USER
            ]
            minutes = int((now - case.opened_at).total_seconds() // 60)
            reason = _("⏰ not acknowledged after {minutes} minutes").format(minutes=minutes)
            outgoing += to_desks(services, desk_alert(case, said[-3:], reason), "re-alert")
        if case.alerts == 0:
            with use_locale(services.catalogs, await _user_locale(store, case.user, services)):
                notice = Reply(
                    _(
                        "Our counsellors are taking longer than usual. Please call 111 now: it is free and open day and night."
                    ),
                    buttons=(hotline_row(),),
                )
            outgoing.append(_to_user(case, notice, "delay"))
    return outgoing
