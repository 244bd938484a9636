"""Buttons and short texts used by several screens."""

from __future__ import annotations

from bot.core.i18n import _
from bot.core.messages import Button, Reply

HOTLINE = "111"


def main_menu() -> tuple[tuple[Button, ...], ...]:
    return (
        (
            Button.callback(_("📚 Topics"), "menu:topics"),
            Button.callback(_("💡 A safety tip"), "menu:tip"),
        ),
        (
            Button.callback(_("❓ Ask a question"), "menu:ask"),
            Button.callback(_("ℹ️ Help"), "menu:help"),
        ),
        (Button.phone(_("☎️ Call 111 (free, 24/7)"), HOTLINE),),
    )


def hotline_row() -> tuple[Button, ...]:
    return (Button.phone(_("☎️ Call 111 (free, 24/7)"), HOTLINE),)


def menu_reply(text: str) -> Reply:
    return Reply(text, buttons=main_menu())


def expired_button() -> Reply:
    return Reply(_("This button has expired. Here is the menu again."), buttons=main_menu())
