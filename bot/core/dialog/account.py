"""``/help``, ``/language`` and ``/forget``: the user stays in control of their data."""

from __future__ import annotations

from bot.core.buttons import Forget
from bot.core.dialog.commands import Command, help_lines
from bot.core.dialog.onboarding import language_buttons
from bot.core.i18n import _
from bot.core.menus import hotline_row, main_menu
from bot.core.messages import Reply
from bot.core.profile import State
from bot.core.services import Services
from bot.core.turn import Turn


def help_text(commands: tuple[Command, ...]) -> str:
    return "\n".join(
        (
            _(
                "I share vetted advice on children's rights, preventing abuse and preventing injuries."
            ),
            _("Type a question in your own words, or use these commands:"),
            *help_lines(commands),
            "",
            _(
                "If a child is in danger: call 111 (child protection, free, 24/7), 113 (police), 115 (ambulance) or 114 (fire and rescue)."
            ),
        )
    )


def show_help(turn: Turn, commands: tuple[Command, ...]) -> None:
    turn.record("help")
    turn.say(Reply(help_text(commands), buttons=main_menu()))


def choose_language(turn: Turn, services: Services) -> None:
    turn.say(Reply(_("Please choose your language."), buttons=language_buttons(services)))


def ask_forget(turn: Turn) -> None:
    turn.profile.state = State.CONFIRM_FORGET
    turn.say(
        Reply(
            _("Do you want me to delete your data?")
            + "\n"
            + _(
                "I will delete your language, role, age band, subscriptions and your feedback on articles."
            )
            + "\n"
            + _(
                "I keep only anonymous counts that cannot identify you. If a safety case was opened to protect a child, the law requires that case record to be kept, and you will be told."
            ),
            buttons=(
                (Forget(True).button(_("🗑️ Yes, delete my data")),),
                (Forget(False).button(_("Cancel")),),
            ),
        )
    )


async def on_forget(turn: Turn, confirm: bool) -> bool:
    if turn.profile.state is not State.CONFIRM_FORGET:
        return False  # a stale confirmation button: never delete without a fresh question
    if not confirm:
        turn.profile.state = State.READY
        turn.say(Reply(_("Nothing was deleted."), buttons=main_menu()))
        return True
    report = await turn.store.users.forget(turn.inbound.user)
    turn.forgotten = True
    turn.record("forget")
    text = _("Your data has been deleted. If you write again, I will start from the beginning.")
    if report.kept_cases:
        text += "\n" + _(
            "A safety case about a child's protection is kept, because the law requires it to be acted on. It is seen only by child-protection workers."
        )
    turn.say(Reply(text, buttons=(hotline_row(),)))
    return True
