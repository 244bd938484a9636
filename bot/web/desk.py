"""The case desk on the web: a live queue, the conversation, and the five desk actions.

Actions go through the core (``Pipeline.desk`` with the member's ``StaffId``): the same checks,
audit trail and outbox as the Telegram desk, so an answer reaches the user on their own channel.
Opening a case is written to its audit trail and to the admin audit log. Each desk page also
marks the worker present (``staff.desk_seen_at``): while someone is, a counsellor is offered.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp import web

from bot.core.admin.accounts import Account
from bot.core.admin.audit import AdminAuditEntry
from bot.core.cases import desk
from bot.core.cases.desk import Acknowledge, Answer, Close, DeskAction, Note, Refer
from bot.core.cases.model import (
    OPEN_STATUSES,
    Case,
    CaseStatus,
    Outcome,
    Referral,
    StaffId,
    StaffRole,
)
from bot.web.context import ACCOUNT, context_of, store_of
from bot.web.security import clean_post, redirect, requires
from bot.web.templating import minutes_between, render

PRESENCE_EVERY = timedelta(seconds=20)
POLL_SECONDS = 5


async def _present(request: web.Request, account: Account, now: datetime) -> None:
    seen = account.desk_seen_at
    if seen is None or now - seen >= PRESENCE_EVERY:
        await store_of(request).accounts.desk_seen(account.id, now)


def _row(case: Case, now: datetime, ack_minutes: int) -> dict[str, object]:
    waited = minutes_between(case.opened_at, now)
    due = ack_minutes - waited if case.status is CaseStatus.NEW else None
    return {"case": case, "waited": waited, "due": due}


async def _queue_rows(request: web.Request) -> list[dict[str, object]]:
    context = context_of(request)
    now = context.pipeline.clock.now()
    await _present(request, request[ACCOUNT], now)
    cases = await store_of(request).cases.listing(OPEN_STATUSES)
    ack = context.pipeline.services.desk.ack_minutes
    return [_row(c, now, ack) for c in sorted(cases, key=lambda c: c.id)]


@requires(StaffRole.CASEWORKER)
async def queue_page(request: web.Request) -> web.Response:
    rows = await _queue_rows(request)
    context = context_of(request)
    on_duty = await context.pipeline.services.desk.on_duty(context.pipeline.clock.now())
    return render(request, "cases.html", rows=rows, on_duty=on_duty, poll=POLL_SECONDS)


@requires(StaffRole.CASEWORKER)
async def queue_fragment(request: web.Request) -> web.Response:
    return render(request, "_queue.html", rows=await _queue_rows(request))


def _case_id(request: web.Request) -> int:
    try:
        return int(request.match_info["case_id"])
    except ValueError:
        raise web.HTTPNotFound() from None


async def _view(request: web.Request, record: bool) -> desk.CaseView:
    context = context_of(request)
    account: Account = request[ACCOUNT]
    now = context.pipeline.clock.now()
    await _present(request, account, now)
    store = store_of(request)
    case_id = _case_id(request)
    view = await desk.view(case_id, account.staff, store.cases, now, record=record)
    if view is None:
        raise web.HTTPNotFound(text=f"no case #{case_id}")
    if record:
        await store.audit.append(
            AdminAuditEntry(now, account.id, account.pseudonym, "case-viewed", f"case:{case_id}")
        )
    return view


@requires(StaffRole.CASEWORKER)
async def case_page(request: web.Request) -> web.Response:
    view = await _view(request, record=True)
    context = context_of(request)
    now = context.pipeline.clock.now()
    return render(
        request,
        "case.html",
        view=view,
        row=_row(view.case, now, context.pipeline.services.desk.ack_minutes),
        referrals=[r.value for r in Referral],
        outcomes=[o.value for o in Outcome],
        poll=POLL_SECONDS,
    )


@requires(StaffRole.CASEWORKER)
async def case_messages(request: web.Request) -> web.Response:
    view = await _view(request, record=False)
    return render(request, "_messages.html", view=view)


def _action(verb: str, case_id: int, form: dict[str, str]) -> DeskAction | str:
    """The desk action a form asks for, or why it cannot be done."""
    text = form.get("text", "").strip()
    if verb == "ack":
        return Acknowledge(case_id)
    if verb in ("answer", "note"):
        if not text:
            return "Write something first."
        return Answer(case_id, text) if verb == "answer" else Note(case_id, text[:4000])
    if verb == "refer":
        try:
            return Refer(case_id, Referral(form.get("to", "")))
        except ValueError:
            return "Choose where to refer the case."
    if verb == "close":
        try:
            return Close(case_id, Outcome(form.get("outcome", "")))
        except ValueError:
            return "Choose how the case ended."
    raise web.HTTPNotFound()


@requires(StaffRole.CASEWORKER)
async def case_action(request: web.Request) -> web.Response:
    context = context_of(request)
    account: Account = request[ACCOUNT]
    case_id = _case_id(request)
    verb = request.match_info["verb"]
    form = {k: v for k, v in (await clean_post(request)).items() if isinstance(v, str)}
    action = _action(verb, case_id, form)
    back = f"/admin/cases/{case_id}"
    if isinstance(action, str):
        return await redirect(request, back, action)
    replies = await context.pipeline.desk(StaffId(account.id), action)
    now = context.pipeline.clock.now()
    detail = form.get("to") or form.get("outcome") or ""
    await store_of(request).audit.append(
        AdminAuditEntry(
            now, account.id, account.pseudonym, f"case-{verb}", f"case:{case_id}", detail
        )
    )
    notice = replies[0].text if replies else "You cannot act on cases."
    return await redirect(request, back, notice)


ROUTES = (
    ("GET", "/cases", queue_page),
    ("GET", "/cases/queue", queue_fragment),
    ("GET", "/cases/{case_id}", case_page),
    ("GET", "/cases/{case_id}/messages", case_messages),
    ("POST", "/cases/{case_id}/{verb:ack|answer|note|refer|close}", case_action),
)
