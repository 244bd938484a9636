"""The first answer to a child at risk: calm words, the right numbers, and the offer of a human.

This runs before anything else whenever the safety check escalates (level ``crisis``), whatever
the dialog state. For an ambiguous message (level ``check-in``) the bot answers as usual and then
asks, gently, whether the person is safe (:func:`check_in`). The words fit who is speaking as
read from the message — a child telling of their own harm is told it is not their fault; someone
telling of another child is thanked and told what to do — and fall back on the stored role.
"""

from __future__ import annotations

from bot.core.buttons import (
    ArticleButton,
    Counsellor,
    CounsellorChoice,
    Safe,
    SafeChoice,
    TopicButton,
)
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
    if category == "neglect":
        if child:
            text = _(
                "Thank you for telling me. Every child deserves food, care and someone looking after them, and it is not your fault."
            )
            text += "\n" + _(
                "Please call 111 now: it is free, day and night, and they can arrange help. If you are in danger right now, call 113."
            )
        else:
            text = _("Thank you for telling me. A child left without care needs help quickly.")
            text += "\n" + _(
                "Call 111 (child protection, free, 24/7) or tell the commune's child-protection officer. If the child is in danger right now, call 113 (police)."
            )
        return text, ("111", "113")
    if category == "bullying-severe":
        if child:
            text = _(
                "Thank you for telling me. Nobody has the right to threaten or hurt you, and it is not your fault."
            )
            text += "\n" + _(
                "Tell a teacher or an adult you trust today, and call 111: it is free, day and night. If you are in danger right now, call 113."
            )
        else:
            text = _("Thank you for telling me. Threats to hurt a child must be taken seriously.")
            text += "\n" + _(
                "Call 111 (child protection, free, 24/7) and tell the school. If the child is in danger right now, call 113 (police)."
            )
        return text, ("111", "113")
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


def speaks_as_child(turn: Turn, verdict: RiskVerdict) -> bool:
    """Words for the person at risk (first person) or for someone telling of another child, as
    read from the message; the stored role when the message does not say."""
    if verdict.who == "self":
        return True
    if verdict.who == "other-child":
        return False
    return turn.profile.is_child


def respond(
    turn: Turn, verdict: RiskVerdict, offer_counsellor: bool, first_aid: str | None = None
) -> None:
    """The crisis answer; without a counsellor on duty it says so and gives 111 (and the bot
    goes on answering the next messages as usual)."""
    replies = replies_for(
        verdict.category,
        speaks_as_child(turn, verdict),
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


def check_in(turn: Turn, verdict: RiskVerdict, offer_counsellor: bool) -> None:
    """After the usual answer to an ambiguous message: "Are you safe right now?", with 111, a
    counsellor where one can be reached, and "I'm OK"."""
    if speaks_as_child(turn, verdict):
        text = _("I want to check: are you safe right now?")
    else:
        text = _("I want to check: is the child safe right now?")
    text += "\n" + _("If something is wrong, you can tell me, or call 111 (free, day and night).")
    rows: list[tuple[Button, ...]] = [(_number_button("111"),)]
    if offer_counsellor:
        rows.append((Counsellor(CounsellorChoice.YES).button(_("I want to talk to a counsellor")),))
    rows.append((Safe(SafeChoice.OK).button(_("I'm OK")),))
    turn.say(Reply(text, buttons=tuple(rows)))
    turn.record("safety-check-in", subject=verdict.category or "unknown")


def safe(turn: Turn) -> None:
    """The answer to "I'm OK"."""
    turn.say(
        Reply(_("I am glad. I am here whenever you want to talk, and 111 answers day and night."))
    )
