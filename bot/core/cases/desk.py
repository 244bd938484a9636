"""The case desk: case workers acknowledge, answer and close cases from their staff chat.

Messages in the staff chat are from professionals, not from a child: they skip the user safety
check and the dialog, and anyone who is not a configured case worker is ignored.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.core.cases.flow import desk_alert
from bot.core.cases.model import AuditEntry, Case, CaseMessage, Direction, worker_pseudonym
from bot.core.i18n import Catalogs, _, use_locale
from bot.core.menus import hotline_row
from bot.core.messages import Inbound, Reply, UserRef
from bot.core.ports import Store
from bot.core.services import Services

CASE_REF = re.compile(r"#(\d{1,9})\b")
DESK_BUTTON = re.compile(r"^(ack|close):(\d{1,9})$")


def is_desk_message(inbound: Inbound, services: Services) -> bool:
    desk = services.desk.chat
    return (
        desk is not None
        and inbound.chat is not None
        and (inbound.user.channel, inbound.chat)
        == (
            desk.channel,
            desk.external_id,
        )
    )


async def _user_locale(store: Store, user: UserRef, services: Services) -> str:
    profile = await store.users.get(user)
    return (profile.locale if profile else None) or services.options.default_locale


def _to_desk(services: Services, text: str) -> Reply:
    assert services.desk.chat is not None
    return Reply(text, to=services.desk.chat)


async def handle_desk(
    inbound: Inbound, store: Store, now: datetime, services: Services
) -> list[Reply]:
    if inbound.user not in services.desk.workers:
        return []  # the staff group may hold others: the bot ignores them
    worker = worker_pseudonym(inbound.user)
    catalogs = services.catalogs
    with use_locale(catalogs, services.options.default_locale):
        if inbound.callback is not None:
            return await _button(inbound.callback, worker, store, now, services)
        match = CASE_REF.search(inbound.quoted or "")
        if match is None:
            return []  # ordinary staff chat: not for the bot
        case = await store.cases.get(int(match.group(1)))
        if case is None:
            return [_to_desk(services, _("Case #{id} does not exist.").format(id=match.group(1)))]
        return await _relay_answer(case, inbound.text, worker, store, now, services, catalogs)


async def _button(
    data: str, worker: str, store: Store, now: datetime, services: Services
) -> list[Reply]:
    match = DESK_BUTTON.match(data)
    if match is None:
        return [_to_desk(services, _("This button has expired."))]
    action, case_id = match.group(1), int(match.group(2))
    case = await store.cases.get(case_id)
    if case is None:
        return [_to_desk(services, _("Case #{id} does not exist.").format(id=case_id))]
    user_locale = await _user_locale(store, case.user, services)
    if action == "ack":
        if not await store.cases.acknowledge(case_id, worker, now):
            current = await store.cases.get(case_id)
            who = current.assignee if current else "?"
            return [
                _to_desk(
                    services,
                    _("Case #{id} is already taken by {worker}.").format(id=case_id, worker=who),
                )
            ]
        await store.cases.audit(case_id, AuditEntry(now, worker, "acknowledged"))
        with use_locale(services.catalogs, user_locale):
            to_user = Reply(
                _("A counsellor ({worker}) has read your message and will answer here.").format(
                    worker=worker
                ),
                to=case.user,
            )
        return [
            _to_desk(
                services,
                _("Case #{id} acknowledged by {worker}.").format(id=case_id, worker=worker),
            ),
            to_user,
        ]
    if not await store.cases.close(case_id, worker, now):
        return [_to_desk(services, _("Case #{id} is already closed.").format(id=case_id))]
    await store.cases.audit(case_id, AuditEntry(now, worker, "closed"))
    with use_locale(services.catalogs, user_locale):
        to_user = Reply(
            _(
                "The counsellor has ended this conversation. You can write to me again at any time, and call 111 whenever you need, day or night."
            ),
            buttons=(hotline_row(),),
            to=case.user,
        )
    return [
        _to_desk(services, _("Case #{id} closed by {worker}.").format(id=case_id, worker=worker)),
        to_user,
    ]


async def _relay_answer(
    case: Case,
    text: str,
    worker: str,
    store: Store,
    now: datetime,
    services: Services,
    catalogs: Catalogs,
) -> list[Reply]:
    if not case.status.open:
        return [
            _to_desk(
                services, _("Case #{id} is closed: the message was not sent.").format(id=case.id)
            )
        ]
    replies: list[Reply] = []
    if await store.cases.acknowledge(case.id, worker, now):  # answering a new case takes it
        await store.cases.audit(case.id, AuditEntry(now, worker, "acknowledged"))
    await store.cases.add_message(case.id, CaseMessage(now, Direction.WORKER, text))
    await store.cases.audit(case.id, AuditEntry(now, worker, "replied"))
    with use_locale(catalogs, await _user_locale(store, case.user, services)):
        replies.append(
            Reply(_("💬 Counsellor {worker}:").format(worker=worker) + "\n" + text, to=case.user)
        )
    return replies


async def overdue_alerts(store: Store, now: datetime, services: Services) -> list[Reply]:
    """Cases nobody acknowledged in time: alert the desk again and tell the user to call 111 now."""
    wait = timedelta(minutes=services.desk.ack_minutes)
    replies: list[Reply] = []
    for case in await store.cases.overdue(older_than=now - wait, alerted_before=now - wait):
        if not await store.cases.mark_alerted(case.id, now, alerted_before=now - wait):
            continue  # another worker alerted for this case a moment ago
        await store.cases.audit(case.id, AuditEntry(now, "system", "re-alerted"))
        if services.desk.chat is not None:
            with use_locale(services.catalogs, services.options.default_locale):
                messages = [
                    m.text
                    for m in await store.cases.messages(case.id)
                    if m.direction is Direction.USER
                ]
                minutes = int((now - case.opened_at).total_seconds() // 60)
                reason = _("⏰ not acknowledged after {minutes} minutes").format(minutes=minutes)
                alert = desk_alert(case, messages[-3:], reason)
            replies.append(Reply(alert.text, buttons=alert.buttons, to=services.desk.chat))
        if case.alerts == 0:
            with use_locale(services.catalogs, await _user_locale(store, case.user, services)):
                replies.append(
                    Reply(
                        _(
                            "Our counsellors are taking longer than usual. Please call 111 now: it is free and open day and night."
                        ),
                        buttons=(hotline_row(),),
                        to=case.user,
                    )
                )
    return replies
