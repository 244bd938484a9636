"""The user's side of a case: offer a counsellor, open the case, relay messages while it is open."""

from __future__ import annotations

from bot.core.cases.model import AuditEntry, Case, CaseMessage, Direction, NewCase, user_pseudonym
from bot.core.i18n import _
from bot.core.menus import hotline_row
from bot.core.messages import Button, Reply
from bot.core.services import RiskVerdict, Services
from bot.core.turn import Turn

PENDING = "crisis"  # state_data key: the disclosure, kept only until the user answers the offer
MAY_HAVE_CASE = "case"  # state_data key: look for an open case on this user's messages


async def open_case_of(turn: Turn) -> Case | None:
    """The user's open case, if any: the cases table is read only when the profile says one may
    exist, or when the profile is new (a user who sent /forget can still have an open case)."""
    profile = turn.profile
    if not profile.state_data.get(MAY_HAVE_CASE) and profile.created_at != turn.now:
        return None
    case = await turn.store.cases.open_for(turn.inbound.user)
    if case is None:
        profile.state_data.pop(MAY_HAVE_CASE, None)
    else:
        profile.state_data[MAY_HAVE_CASE] = True
    return case


MAX_KEPT_CHARS = 1000


def remember_disclosure(turn: Turn, verdict: RiskVerdict) -> None:
    turn.profile.state_data[PENDING] = {
        "category": verdict.category or "unknown",
        "severity": verdict.severity or "high",
        "text": turn.text[:MAX_KEPT_CHARS],
        "at": turn.now.isoformat(),
    }


def _staffed(turn: Turn, services: Services) -> bool:
    return services.desk.hours.contains(turn.now.astimezone(services.desk.zone))


def desk_alert(case: Case, messages: list[str], reason: str = "") -> Reply:
    """The case as the desk sees it: pseudonym, category, severity, what was said; no identity."""
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
                Button.callback(_("✅ Acknowledge"), f"ack:{case.id}"),
                Button.callback(_("✖️ Close"), f"close:{case.id}"),
            ),
        ),
    )


async def open_case(turn: Turn, services: Services) -> None:
    store = turn.store
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
    pending = turn.profile.state_data.pop(PENDING, None) or {}
    case = await store.cases.open(
        NewCase(
            opened_at=turn.now,
            category=str(pending.get("category", "unknown")),
            severity=str(pending.get("severity", "high")),
            user=turn.inbound.user,
            pseudonym=user_pseudonym(),
        )
    )
    turn.profile.state_data[MAY_HAVE_CASE] = True
    texts = [str(pending["text"])] if pending.get("text") else []
    for text in texts:
        await store.cases.add_message(case.id, CaseMessage(turn.now, Direction.USER, text))
    await store.cases.audit(case.id, AuditEntry(turn.now, "user", "opened", case.category))
    turn.record("case-opened", subject=case.category)
    desk = services.desk.chat
    if desk is None:
        turn.say(
            Reply(
                _(
                    "No counsellor can be reached in this chat right now. Please call 111 now: it is free, day and night."
                ),
                buttons=(hotline_row(),),
            )
        )
        return
    alert = desk_alert(case, texts)
    turn.say(Reply(alert.text, buttons=alert.buttons, to=desk))
    await store.cases.audit(case.id, AuditEntry(turn.now, "system", "shown-to-desk"))
    if _staffed(turn, services):
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
    else:
        turn.say(
            Reply(
                _(
                    "Our counsellors are not at their desks right now. Please call 111 now: it is free and open day and night."
                )
                + "\n"
                + _(
                    "Your message has been passed on, and a counsellor will answer here when they are back."
                ),
                buttons=(hotline_row(),),
            )
        )


async def on_case_button(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    choice = args[0]
    if choice == "yes":
        await open_case(turn, services)
        return True
    if choice == "no":
        turn.profile.state_data.pop(PENDING, None)
        turn.say(
            Reply(
                _(
                    "All right. I am here whenever you want to talk. You can call 111 at any time, day or night."
                ),
                buttons=(hotline_row(),),
            )
        )
        return True
    return False


async def relay_to_desk(turn: Turn, services: Services, case: Case, escalated: bool) -> None:
    """While a case is open the bot's automatic answers pause: the user's messages go to the desk."""
    text = turn.text or _("(an attachment or sticker)")
    if turn.inbound.edited:
        text = "✏️ " + text
    await turn.store.cases.add_message(case.id, CaseMessage(turn.now, Direction.USER, text))
    desk = services.desk.chat
    if desk is not None:
        flag = "🚨 " if escalated else ""
        turn.say(Reply(f"{flag}#{case.id} · {case.pseudonym}: {text}", to=desk))
    if escalated or desk is None:
        return
    if case.status.value == "new":
        turn.say(Reply(_("Your message was passed on. A counsellor will answer here.")))
