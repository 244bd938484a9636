"""The conversation: commands, buttons and free text, routed to small feature modules.

Each feature registers its commands and button actions in one table, like a router; the dialog
only dispatches. Button data is ``action:arg[:arg]`` (at most 64 bytes, validated here): anything
else, or anything a handler rejects, gets a polite "this button has expired" and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot.core.cases.flow import on_case_button
from bot.core.dialog import account, ask, browse, onboarding
from bot.core.i18n import _
from bot.core.menus import expired_button, main_menu
from bot.core.messages import Reply
from bot.core.profile import State
from bot.core.services import Services
from bot.core.turn import Turn

CALLBACK = re.compile(r"^([a-z]{1,8}):([A-Za-z0-9_.+-]{1,60})(?::([A-Za-z0-9_.+-]{1,20}))?$")
COMMAND = re.compile(r"^/([a-z_]{1,32})(?:@\w+)?(?:\s|$)", re.IGNORECASE)
MAX_CALLBACK_BYTES = 64

ButtonHandler = Callable[[Turn, Services, tuple[str, ...]], Awaitable[bool]]
CommandHandler = Callable[[Turn, Services], Awaitable[None]]
ONBOARDING = (State.ASK_LANGUAGE, State.ASK_ROLE, State.ASK_AGE, State.ASK_CONSENT)


def parse_callback(data: str) -> tuple[str, tuple[str, ...]] | None:
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    match = CALLBACK.match(data)
    if not match:
        return None
    action, *args = (part for part in match.groups() if part is not None)
    return action, tuple(args)


# ---- button actions ---------------------------------------------------------------------------


async def _lang(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    if not onboarding.on_language(turn, services, args[0]):
        return False
    if turn.profile.state is State.ASK_LANGUAGE:
        onboarding.ask_role(turn)
    else:
        turn.say(Reply(_("Done. I will talk to you in this language."), buttons=main_menu()))
    return True


async def _role(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    return turn.profile.state is State.ASK_ROLE and onboarding.on_role(turn, args[0])


async def _age(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    return turn.profile.state is State.ASK_AGE and onboarding.on_age(turn, args[0])


async def _consent(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    return turn.profile.state is State.ASK_CONSENT and onboarding.on_consent(turn, args[0])


async def _forget(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    return await account.on_forget(turn, args[0])


async def _menu(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    choice = args[0]
    if choice == "topics":
        browse.show_pillars(turn, services)
    elif choice == "tip":
        browse.show_tip(turn, services)
    elif choice == "ask":
        ask.prompt(turn)
    elif choice == "help":
        account.show_help(turn)
    else:
        return False
    return True


async def _pillar(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    return browse.on_pillar(turn, services, args[0])


async def _topic(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    return browse.on_topic(turn, services, args[0])


async def _article(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    return browse.on_article(turn, services, args[0])


async def _more(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    return browse.on_more(turn, services, args[0])


async def _feedback(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    return len(args) == 2 and await browse.on_feedback(turn, services, args[0], args[1])


async def _tip(turn: Turn, services: Services, args: tuple[str, ...]) -> bool:
    if args[0] != "next":
        return False
    browse.show_tip(turn, services)
    return True


# ---- commands -------------------------------------------------------------------------------


async def _cmd_start(turn: Turn, services: Services) -> None:
    onboarding.start(turn, services)


async def _cmd_help(turn: Turn, services: Services) -> None:
    account.show_help(turn)


async def _cmd_language(turn: Turn, services: Services) -> None:
    account.choose_language(turn, services)


async def _cmd_stop(turn: Turn, services: Services) -> None:
    account.stop(turn)


async def _cmd_forget(turn: Turn, services: Services) -> None:
    account.ask_forget(turn)


async def _cmd_topics(turn: Turn, services: Services) -> None:
    browse.show_pillars(turn, services)


async def _cmd_tip(turn: Turn, services: Services) -> None:
    browse.show_tip(turn, services)


class Dialog:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.buttons: dict[str, ButtonHandler] = {
            "lang": _lang,
            "role": _role,
            "age": _age,
            "consent": _consent,
            "forget": _forget,
            "menu": _menu,
            "pillar": _pillar,
            "topic": _topic,
            "art": _article,
            "more": _more,
            "fb": _feedback,
            "tip": _tip,
            "case": on_case_button,
        }
        self.commands: dict[str, CommandHandler] = {
            "start": _cmd_start,
            "help": _cmd_help,
            "language": _cmd_language,
            "stop": _cmd_stop,
            "forget": _cmd_forget,
            "topics": _cmd_topics,
            "tip": _cmd_tip,
        }

    async def handle(self, turn: Turn) -> None:
        inbound = turn.inbound
        if inbound.callback is not None:
            await self._button(turn, inbound.callback)
            return
        command = COMMAND.match(turn.text)
        if command:
            handler = self.commands.get(command.group(1).lower())
            if handler is None:
                turn.say(Reply(_("I do not know that command.") + "\n\n" + account.help_text()))
            else:
                await handler(turn, self.services)
            return
        await self._text(turn)

    async def _button(self, turn: Turn, data: str) -> None:
        parsed = parse_callback(data)
        handler = self.buttons.get(parsed[0]) if parsed else None
        if parsed is None or handler is None or not await handler(turn, self.services, parsed[1]):
            turn.record("expired-button")
            turn.say(expired_button())

    async def _text(self, turn: Turn) -> None:
        state = turn.profile.state
        if state in ONBOARDING:
            turn.say(Reply(_("Please choose one of the options below.")))
            onboarding.reprompt(turn, self.services)
            return
        if state is State.CONFIRM_FORGET:
            turn.profile.state = State.READY  # typing something else cancels the deletion
        await ask.answer(turn, self.services)
        if state is State.NEW:
            turn.say(Reply(_("To choose your language and get advice that fits you, send /start.")))
