"""The first answer to a child at risk: calm words, the right numbers, and the offer of a human.

This runs before anything else whenever the safety check escalates, whatever the dialog state.
"""

from __future__ import annotations

from bot.core.buttons import ArticleButton, Counsellor, CounsellorChoice, TopicButton
from bot.core.i18n import _
from bot.core.messages import Button, Reply
from bot.core.services import RiskVerdict
from bot.core.turn import Turn

NUMBERS = {"111", "113", "114", "115"}


def _number_button(number: str) -> Button:
    labels = {
        "111": _("☎️ 111 – child protection (free, 24/7)"),
        "113": _("🚓 113 – police"),
        "114": _("🚒 114 – fire and rescue"),
        "115": _("🚑 115 – ambulance"),
    }
    return Button.phone(labels[number], number)


def _message(category: str | None, child: bool) -> tuple[str, tuple[str, ...]]:
    """The words and the numbers to offer, by category."""
    if category == "emergency":
        return (
            _(
                "This is an emergency. Call 115 for an ambulance now (114 for fire, water rescue or an explosion)."
            )
            + "\n"
            + _("Stay with the child and keep yourself safe. The first-aid steps are below."),
            ("115", "114", "111"),
        )
    if category == "self-harm":
        text = _(
            "Thank you for telling me. What you feel matters, and you do not have to go through this alone."
        )
        text += "\n" + _(
            "Please talk to someone now: call 111, free and open day and night. If you are in danger right now, call 115."
        )
        return text, ("111", "115")
    if child:
        text = _(
            "Thank you for telling me. It is not your fault, and you did the right thing by telling."
        )
        text += "\n" + _(
            "You can call 111 now: it is free, day and night, and they help children. If you are in danger right now, call 113."
        )
    else:
        text = _("Thank you for telling me. A child's safety comes first.")
        text += "\n" + _(
            "Call 111 (child protection, free, 24/7). If the child is in danger right now, call 113 (police)."
        )
    numbers = ("111", "113")
    return text, numbers


def replies_for(
    category: str | None, child: bool, offer_counsellor: bool = True, first_aid: str | None = None
) -> list[Reply]:
    """``first_aid``: the article that best matches the emergency (burns, poisoning…), if any."""
    text, numbers = _message(category, child)
    rows: list[tuple[Button, ...]] = [(_number_button(n),) for n in numbers if n in NUMBERS]
    if category == "emergency":
        steps = ArticleButton(first_aid) if first_aid else TopicButton("first-aid")
        rows.append((steps.button(_("🩹 First aid steps")),))
    replies = [Reply(text, buttons=tuple(rows))]
    if offer_counsellor:
        replies.append(
            Reply(
                _("Do you want to talk to a counsellor now?"),
                buttons=(
                    (Counsellor(CounsellorChoice.YES).button(_("Yes, I want to talk to someone")),),
                    (Counsellor(CounsellorChoice.NO).button(_("Not now")),),
                ),
            )
        )
    return replies


def respond(
    turn: Turn, verdict: RiskVerdict, offer_counsellor: bool, first_aid: str | None = None
) -> None:
    """The crisis answer; without a counsellor on duty it says so and gives 111 (and the bot
    goes on answering the next messages as usual)."""
    replies = replies_for(
        verdict.category,
        turn.profile.is_child,
        offer_counsellor=offer_counsellor,
        first_aid=first_aid,
    )
    if not offer_counsellor:
        replies.append(
            Reply(
                _(
                    "No counsellor of ours is on duty right now, so please call 111: they answer day and night, and it is free."
                )
            )
        )
    for reply in replies:
        turn.say(reply)
    turn.record("safety", subject=verdict.category or "unknown", severity=verdict.severity or "")
