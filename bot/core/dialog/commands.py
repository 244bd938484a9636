"""The one list of commands: the dialog dispatches from it, ``/help`` and channel menus show it.

A command's description is an English msgid translated with the rest of the interface; ``menu``
commands appear in channels' command menus (Telegram's "/" list) in the order given here.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.i18n import _
from bot.core.services import Services
from bot.core.turn import Turn

COMMAND = re.compile(r"^/([a-z_]{1,32})(?:@\w+)?(?:\s|$)", re.IGNORECASE)

CommandHandler = Callable[[Turn, Services], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    describe: Callable[[], str]  # the description in the current locale
    handler: CommandHandler
    menu: bool = True  # listed in /help and channel menus


def command_of(text: str) -> str | None:
    """The command a message starts with (lower case, without "/"), or None."""
    match = COMMAND.match(text)
    return match.group(1).lower() if match else None


def descriptions(commands: tuple[Command, ...]) -> list[tuple[str, str]]:
    """(name, description) of the menu commands, in the current locale and menu order."""
    return [(c.name, c.describe()) for c in commands if c.menu]


def help_lines(commands: tuple[Command, ...]) -> list[str]:
    return [
        _("/{command} – {description}").format(command=name, description=text)
        for name, text in descriptions(commands)
    ]
