"""``/start``: language → who are you → age band (students) → commune (optional) → consent."""

from __future__ import annotations

from bot.core.buttons import (
    AgeButton,
    ConsentButton,
    ConsentChoice,
    Language,
    RoleButton,
    Subscribe,
)
from bot.core.dialog import commune
from bot.core.i18n import _, switch_locale
from bot.core.menus import main_menu
from bot.core.messages import Button, Reply
from bot.core.profile import AgeBand, Consent, Role, State
from bot.core.services import Services
from bot.core.turn import Turn


def language_buttons(services: Services) -> tuple[tuple[Button, ...], ...]:
    rows = []
    for code in services.offered_languages():
        lang = services.languages.get(code)
        if lang is None:
            continue
        label = lang.label  # the endonym first, then the Vietnamese name
        if services.is_beta(code):
            label = _("{language} · beta").format(language=label)
        rows.append((Language(code).button(label),))
    return tuple(rows)


def ask_language(turn: Turn, services: Services) -> None:
    turn.profile.state = State.ASK_LANGUAGE
    turn.say(
        Reply(
            _("Hello! I am Măng Non. I share vetted advice on keeping children safe.")
            + "\n"
            + _("Please choose your language."),
            buttons=language_buttons(services),
        )
    )


def ask_role(turn: Turn) -> None:
    turn.profile.state = State.ASK_ROLE
    turn.say(
        Reply(
            _("Who are you? This helps me choose advice that fits you."),
            buttons=(
                (RoleButton(Role.PARENT).button(_("👪 A parent or carer")),),
                (RoleButton(Role.CHILD).button(_("🎒 A student")),),
                (RoleButton(Role.TEACHER).button(_("🏫 A teacher or child-protection worker")),),
                (RoleButton(Role.OTHER).button(_("🙂 Someone else")),),
            ),
        )
    )


def ask_age(turn: Turn) -> None:
    turn.profile.state = State.ASK_AGE
    turn.say(
        Reply(
            _("How old are you?"),
            buttons=(
                (
                    AgeButton(AgeBand.AGE_6_10).button(_("6–10")),
                    AgeButton(AgeBand.AGE_11_15).button(_("11–15")),
                    AgeButton(AgeBand.AGE_16_PLUS).button(_("16 or older")),
                ),
            ),
        )
    )


def ask_consent(turn: Turn) -> None:
    turn.profile.state = State.ASK_CONSENT
    text = (
        _(
            "Before we go on: to remember your choices I keep only your language, who you are (parent, student…), your age band, your commune if you gave it, and whether you want tips."
        )
        + "\n"
        + _(
            "I never ask for your name, address or phone number, and I never keep what you write in my logs."
        )
        + "\n"
        + _("You can delete everything at any time with /forget, or stop all messages with /stop.")
    )
    if turn.profile.is_child:
        text += "\n\n" + _(
            "You are under 16, so the law says a parent or carer should agree too. Please show this message to them."
        )
        agree = ConsentButton(ConsentChoice.PARENT).button(_("✅ My parent and I agree"))
    else:
        agree = ConsentButton(ConsentChoice.SELF).button(_("✅ I agree"))
    buttons = ((agree,), (ConsentButton(ConsentChoice.NO).button(_("No, thank you")),))
    turn.say(Reply(text, buttons=buttons))


def start(turn: Turn, services: Services) -> None:
    turn.record("start")
    turn.profile.opted_out = False  # writing /start is asking to hear from us again
    if turn.profile.onboarded:
        turn.profile.state = State.READY
        turn.say(Reply(_("Welcome back! What would you like to do?"), buttons=main_menu()))
        return
    ask_language(turn, services)


def on_language(turn: Turn, services: Services, code: str) -> bool:
    if code not in services.offered_languages():
        return False
    turn.profile.locale = code
    turn.locale = code
    switch_locale(services.catalogs, code)
    turn.record("language", subject=code)
    return True


def on_role(turn: Turn, role: Role, services: Services) -> bool:
    turn.profile.role = role
    turn.profile.age_band = None
    if turn.profile.role is Role.CHILD:
        ask_age(turn)
    else:
        ask_commune_or_consent(turn, services)
    return True


def on_age(turn: Turn, band: AgeBand, services: Services) -> bool:
    if turn.profile.role is not Role.CHILD:
        return False
    turn.profile.age_band = band
    ask_commune_or_consent(turn, services)
    return True


def ask_commune_or_consent(turn: Turn, services: Services) -> None:
    """The commune is optional and asked only where the deployment has a commune list."""
    if not commune.ask_commune(turn, services):
        ask_consent(turn)


def on_consent(turn: Turn, choice: ConsentChoice) -> bool:
    profile = turn.profile
    if choice is ConsentChoice.NO:
        # silence is not consent: forget the choices, keep answering
        profile.consent = None
        profile.role = None
        profile.age_band = None
        profile.commune = None
        profile.subscribed = False
        profile.frequency = None
        profile.topics = frozenset()
        profile.child_age = None
        profile.state = State.READY
        turn.record("consent", subject="declined")
        turn.say(
            Reply(
                _(
                    "That is fine: I will not remember your choices. You can still read advice and ask questions."
                ),
                buttons=main_menu(),
            )
        )
        return True
    if (choice is ConsentChoice.PARENT) != profile.is_child:
        return False
    by = "self+parent" if choice is ConsentChoice.PARENT else "self"
    profile.consent = Consent(by=by, at=turn.now)
    profile.state = State.READY
    turn.record("consent", subject="given")
    turn.say(
        Reply(
            _("Thank you! You can browse topics, get a safety tip, or simply type a question.")
            + "\n"
            + _("If a child is in danger, call 111 at any time: it is free, day and night.")
            + "\n"
            + _("Would you like a short safety tip each week? Only if you ask: tap below."),
            buttons=((Subscribe().button(_("🔔 Get a weekly tip")),), *main_menu()),
        )
    )
    return True


def reprompt(turn: Turn, services: Services) -> bool:
    """Repeat the onboarding question when the user typed instead of pressing a button."""
    state = turn.profile.state
    if state is State.ASK_LANGUAGE:
        ask_language(turn, services)
    elif state is State.ASK_ROLE:
        ask_role(turn)
    elif state is State.ASK_AGE:
        ask_age(turn)
    elif state is State.ASK_CONSENT:
        ask_consent(turn)
    elif state is State.ASK_COMMUNE:
        commune.ask_commune(turn, services)
    else:
        return False
    return True
