"""Buttons and short texts used by several screens."""

from __future__ import annotations

from bot.core.buttons import Menu, MenuChoice
from bot.core.i18n import _
from bot.core.messages import Button, Reply

HOTLINE = "111"


def main_menu() -> tuple[tuple[Button, ...], ...]:
    return (
        (
            topics_button(),
            Menu(MenuChoice.TIP).button(_("💡 A safety tip")),
        ),
        (
            Menu(MenuChoice.ASK).button(_("❓ Ask a question")),
            Menu(MenuChoice.HELP).button(_("ℹ️ Help")),
        ),
        (Button.phone(_("☎️ Call 111 (free, 24/7)"), HOTLINE),),
    )


def topics_button() -> Button:
    return Menu(MenuChoice.TOPICS).button(_("📚 Topics"))


def hotline_row() -> tuple[Button, ...]:
    return (Button.phone(_("☎️ Call 111 (free, 24/7)"), HOTLINE),)


def menu_reply(text: str) -> Reply:
    return Reply(text, buttons=main_menu())


def expired_button() -> Reply:
    return Reply(_("This button has expired. Here is the menu again."), buttons=main_menu())
