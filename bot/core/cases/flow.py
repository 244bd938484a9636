"""The user's side of a case: offer a counsellor, open the case, relay messages while it is open.

A counsellor is offered only while a desk is really on duty (``DeskOptions.on_duty``); otherwise
the crisis answer gives 111 and the bot goes on answering. While the offer waits, the disclosure
is kept in an *offered* case — never in the user's profile — which opens when the user says yes
and is deleted when they say no, when they move on to something else, or after
``OFFER_MINUTES`` (the periodic tick).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.buttons import DeskButton, DeskVerb
from bot.core.cases.model import (
    AuditEntry,
    Case,
    CaseMessage,
    CaseStatus,
    Direction,
    NewCase,
    user_pseudonym,
)
from bot.core.i18n import _
from bot.core.menus import hotline_row
from bot.core.messages import Reply
from bot.core.outbox import Outgoing, Priority
from bot.core.services import RiskVerdict, Services
from bot.core.turn import Turn

MAX_KEPT_CHARS = 1000
OFFER_MINUTES = 30


async def open_case_of(turn: Turn) -> Case | None:
    """The user's open case, if any: the cases table is read only when the profile says one may
    exist, or when the profile is new (a user who sent /forget can still have an open case)."""
    memo = turn.profile.memo
    if not memo.may_have_case and turn.profile.created_at != turn.now:
        return None
    case = await turn.store.cases.open_for(turn.inbound.user)
    memo.may_have_case = case is not None
    return case


async def on_duty(services: Services, now: datetime) -> bool:
    return await services.desk.on_duty(now)


async def offer(turn: Turn, services: Services, verdict: RiskVerdict) -> bool:
    """Keep the disclosure in an offered case when a counsellor can be offered; True if so."""
    if not await on_duty(services, turn.now):
        return False
    text = turn.text[:MAX_KEPT_CHARS]
    memo = turn.profile.memo
    store = turn.store
    if memo.offered_case is not None:  # a second message before the answer joins the first
        case = await store.cases.get(memo.offered_case)
        if case is not None and case.status is CaseStatus.OFFERED:
            await store.cases.add_message(case.id, CaseMessage(turn.now, Direction.USER, text))
            return True
    case = await store.cases.offer(
        NewCase(
            opened_at=turn.now,
            category=verdict.category or "unknown",
            severity=verdict.severity or "high",
            user=turn.inbound.user,
            pseudonym=user_pseudonym(),
        )
    )
    await store.cases.add_message(case.id, CaseMessage(turn.now, Direction.USER, text))
    memo.offered_case = case.id
    return True


async def withdraw_offer(turn: Turn) -> None:
    """The user moved on (or said no): the disclosure is deleted with the offered case."""
    memo = turn.profile.memo
    if memo.offered_case is not None:
        await turn.store.cases.withdraw(memo.offered_case)
        memo.offered_case = None


def desk_alert(case: Case, messages: list[str], reason: str = "") -> Reply:
    """The case as a desk sees it: pseudonym, category, severity, what was said; no identity."""
    lines = [
        f"🆘 #{case.id} · {case.category} · {case.severity} · {case.user.channel} · {case.pseudonym}",
        f"status: {case.status.value}" + (f" · {reason}" if reason else ""),
    ]
    lines += [f"› {text}" for text in messages]
    lines.append(_("Reply to this message to answer the user."))
    return Reply(
        "\n".join(lines),
        buttons=(
            (
                DeskButton(DeskVerb.ACK, case.id).button(_("✅ Acknowledge")),
                DeskButton(DeskVerb.CLOSE, case.id).button(_("✖️ Close")),
            ),
        ),
    )


def to_desks(services: Services, reply: Reply, kind: str) -> list[Outgoing]:
    return [
        Outgoing(to=feed, replies=(reply,), priority=Priority.CASE, kind=kind)
        for feed in services.desk.feeds
    ]


async def accept(turn: Turn, services: Services) -> None:
    """Yes, I want to talk to someone: the offered case opens and every desk is alerted."""
    store = turn.store
    memo = turn.profile.memo
    existing = await store.cases.open_for(turn.inbound.user)
    if existing is not None:
        turn.say(
            Reply(
                _(
                    "Your conversation with a counsellor is already open. Write here and they will read it."
                )
            )
        )
        return
    if not await on_duty(services, turn.now):
        await withdraw_offer(turn)
        turn.say(no_counsellor())
        return
    case = await store.cases.accept(memo.offered_case) if memo.offered_case else None
    if case is None:  # the offer expired: open a case without the words, the user still asked
        case = await store.cases.open(
            NewCase(
                opened_at=turn.now,
                category="unknown",
                severity="high",
                user=turn.inbound.user,
                pseudonym=user_pseudonym(),
            )
        )
    memo.offered_case = None
    memo.may_have_case = True
    await store.cases.audit(case.id, AuditEntry(turn.now, "user", "opened", case.category))
    turn.record("case-opened", subject=case.category)
    said = [m.text for m in await store.cases.messages(case.id) if m.direction is Direction.USER]
    for outgoing in to_desks(services, desk_alert(case, said), "alert"):
        turn.send(outgoing)
    await store.cases.audit(case.id, AuditEntry(turn.now, "system", "shown-to-desk"))
    turn.say(
        Reply(
            _(
                "I have asked a counsellor to join. They will answer here soon. You can keep writing; they will read it."
            )
            + "\n"
            + _("If you are in danger right now, call 111 or 113."),
            buttons=(hotline_row(),),
        )
    )


async def decline(turn: Turn) -> None:
    await withdraw_offer(turn)
    turn.say(
        Reply(
            _(
                "All right. I am here whenever you want to talk. You can call 111 at any time, day or night."
            ),
            buttons=(hotline_row(),),
        )
    )


def no_counsellor() -> Reply:
    return Reply(
        _(
            "No counsellor can be reached in this chat right now. Please call 111 now: it is free, day and night."
        ),
        buttons=(hotline_row(),),
    )


async def relay_to_desk(turn: Turn, services: Services, case: Case, escalated: bool) -> None:
    """While a case is open the user's words go to the desk; the user always hears back."""
    text = turn.text or _("(an attachment or sticker)")
    if turn.inbound.edited:
        text = "✏️ " + text
    await turn.store.cases.add_message(case.id, CaseMessage(turn.now, Direction.USER, text))
    flag = "🚨 " if escalated else ""
    relay = Reply(f"{flag}#{case.id} · {case.pseudonym}: {text}")
    for outgoing in to_desks(services, relay, "relay"):
        turn.send(outgoing)
    if escalated:
        return  # the crisis answer, with the numbers, was already given
    if not services.desk.feeds and not await on_duty(services, turn.now):
        turn.say(
            Reply(
                _("Your message was kept for the counsellor.")
                + "\n"
                + _("If you are in danger right now, call 111 or 113."),
                buttons=(hotline_row(),),
            )
        )
    elif case.status is CaseStatus.NEW:
        turn.say(
            Reply(
                _("Your message was passed on. A counsellor will answer here."),
                buttons=(hotline_row(),),
            )
        )


def offer_expiry(now: datetime) -> datetime:
    return now - timedelta(minutes=OFFER_MINUTES)
