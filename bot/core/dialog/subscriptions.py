"""``/subscribe`` and ``/stop``: tips and campaigns only for those who asked, stopped at once.

Subscribing is always an explicit choice (a frequency button): never a default, never implied by
onboarding. Choosing a frequency subscribes; the child's age band and the topics refine it.
``/stop``, the 🔕 button under a campaign, and a message that is only "dừng", "hủy" or "stop"
opt out of everything at once, also in the middle of a campaign: messages not sent yet are
withdrawn in the same transaction.
"""

from __future__ import annotations

from bot.core.buttons import ChildAge, FrequencyButton, Subscribe, TopicsDone, TopicToggle
from bot.core.i18n import _
from bot.core.menus import main_menu
from bot.core.messages import Button, Reply
from bot.core.profile import CHILD_AGES, Frequency, State
from bot.core.services import Services
from bot.core.textnorm import plain_words
from bot.core.turn import Turn

# a message that is only one of these (accents, case and punctuation aside) means "stop"
STOP_WORDS = frozenset(
    {
        "stop",
        "dung",
        "dung lai",
        "huy",
        "huy dang ky",
        "huy dang ki",
        "unsubscribe",
    }
)


def is_stop_word(text: str) -> bool:
    return " ".join(plain_words(text)) in STOP_WORDS


def subscribe_button() -> Button:
    return Subscribe().button(_("🔔 Get a weekly tip"))


def start(turn: Turn, services: Services) -> None:
    """The subscription choices (or why they need /start first)."""
    if not turn.profile.onboarded:
        turn.say(
            Reply(
                _(
                    "To send you tips I need to remember a few choices, with your consent. Send /start first: it takes a minute."
                )
            )
        )
        return
    text = _("What would you like to receive? You can stop at any time with /stop.")
    if turn.profile.subscribed:
        text = describe(turn, services) + "\n\n" + text
    turn.say(
        Reply(
            text,
            buttons=(
                (FrequencyButton(Frequency.WEEKLY).button(_("💡 A weekly tip and campaigns")),),
                (FrequencyButton(Frequency.CAMPAIGNS).button(_("📢 Only important campaigns")),),
            ),
        )
    )


def on_frequency(turn: Turn, services: Services, frequency: Frequency) -> bool:
    profile = turn.profile
    if not profile.onboarded:
        return False
    profile.subscribe(frequency, turn.now)
    turn.record("subscribe", subject=frequency.value)
    if frequency is Frequency.WEEKLY and profile.tip_age is None:
        ask_child_age(turn)
    else:
        show_topics(turn, services)
    return True


def ask_child_age(turn: Turn) -> None:
    labels = {"0-5": _("0–5"), "6-10": _("6–10"), "11-15": _("11–15")}
    turn.say(
        Reply(
            _("How old is the child the tips are for?"),
            buttons=(tuple(ChildAge(band).button(labels[band]) for band in CHILD_AGES),),
        )
    )


def on_child_age(turn: Turn, services: Services, band: str) -> bool:
    if band not in CHILD_AGES or not turn.profile.subscribed:
        return False
    turn.profile.child_age = band
    show_topics(turn, services)
    return True


def show_topics(turn: Turn, services: Services) -> None:
    chosen = turn.profile.topics
    rows = []
    for pillar in services.content.library.pillars:
        mark = "✅" if pillar.id in chosen else "▫️"
        label = f"{mark} {pillar.icon} {pillar.name(turn.locale)}".strip()
        rows.append((TopicToggle(pillar.id).button(label),))
    rows.append((TopicsDone().button(_("✔️ Done")),))
    turn.say(
        Reply(
            _(
                "Which subjects interest you? Tap to choose or unchoose. If you choose none, you get all of them."
            ),
            buttons=tuple(rows),
        )
    )


def on_topic(turn: Turn, services: Services, pillar: str) -> bool:
    profile = turn.profile
    if not profile.subscribed or pillar not in {p.id for p in services.content.library.pillars}:
        return False
    profile.topics = profile.topics ^ {pillar}
    show_topics(turn, services)
    return True


def on_done(turn: Turn, services: Services) -> bool:
    if not turn.profile.subscribed:
        return False
    turn.record("subscribe-topics", subject=",".join(sorted(turn.profile.topics)) or "all")
    turn.say(
        Reply(
            describe(turn, services)
            + "\n"
            + _("To stop at any time, send /stop or simply write “dừng”."),
            buttons=main_menu(),
        )
    )
    return True


def describe(turn: Turn, services: Services) -> str:
    profile = turn.profile
    if not profile.subscribed:
        return _("You are not subscribed to tips or campaigns.")
    pillars = {p.id: p for p in services.content.library.pillars}
    topics = [pillars[t].name(turn.locale) for t in sorted(profile.topics) if t in pillars]
    about = ", ".join(topics) if topics else _("all subjects")
    if profile.frequency is Frequency.WEEKLY:
        return _("You get a weekly tip and important campaigns about: {topics}.").format(
            topics=about
        )
    return _("You get important campaigns about: {topics}.").format(topics=about)


async def stop(turn: Turn) -> None:
    profile = turn.profile
    profile.stop(turn.now)
    profile.state = State.READY
    await turn.withdraw_unsolicited("opted-out")
    turn.record("stop")
    turn.say(
        Reply(
            _("Done: I will not send you any more messages. I will only answer if you write to me.")
            + "\n"
            + _("To get tips again, send /subscribe. To delete your data, send /forget.")
        )
    )
