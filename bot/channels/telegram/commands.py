"""The command menu Telegram shows next to the text box, in each language the bot offers.

The commands and their descriptions come from the core's one registry (``COMMANDS``), in each
language through the gettext catalogs. The default locale's menu is the default (no ``language_code``);
every other offered language with a two-letter code (all Telegram accepts) gets its own.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand

from bot.core.dialog import COMMANDS
from bot.core.dialog.commands import descriptions
from bot.core.i18n import use_locale
from bot.core.services import Services

log = logging.getLogger(__name__)


def menus(services: Services) -> dict[str | None, list[BotCommand]]:
    """Language code (None for the default menu) → commands."""
    default = services.options.default_locale
    codes: list[str | None] = [None]
    codes += [
        c for c in services.offered_languages() if c != default and len(c) == 2 and c.isalpha()
    ]
    result: dict[str | None, list[BotCommand]] = {}
    for code in codes:
        with use_locale(services.catalogs, code or default):
            result[code] = [BotCommand(command=c, description=d) for c, d in descriptions(COMMANDS)]
    return result


async def set_commands(bot: Bot, services: Services) -> None:
    """A menu that fails to set is logged, never fatal: the commands work without it."""
    for code, commands in menus(services).items():
        try:
            await bot.set_my_commands(commands, language_code=code)
        except TelegramAPIError as exc:
            log.error(
                "setMyCommands failed (%s)", type(exc).__name__, extra={"channel": "telegram"}
            )
