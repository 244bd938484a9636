"""What a channel can do, as plain data: the core and the dispatcher ask, the channel answers.

Every channel (console, web chat, Telegram, Zalo) registers one object with the same small shape
(``bot.channels.base.Channel``): a name, these capabilities, a way to start and stop, and — for
push channels — ``deliver`` for outbox messages. Nothing in the core names a channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Formatting(StrEnum):
    HTML = "html"  # the channel shows HTML (the web chat: Markdown becomes safe HTML)
    TELEGRAM_HTML = "telegram-html"  # Telegram's small HTML subset: bold, italic, links, code
    PLAIN = "plain"  # text only: headings and lists become plain lines, buttons numbered


class Reach(StrEnum):
    PUSH = "push"  # the channel can send at any time: the dispatcher drains its outbox rows
    PULL = "pull"  # the user's client fetches its rows (the web chat's event stream)


@dataclass(frozen=True)
class Capabilities:
    formatting: Formatting
    reach: Reach
    max_text: int  # characters per message; longer texts are split
    buttons: bool = True  # buttons that come back as callbacks
    max_buttons: int | None = None  # per message, when the channel limits them
    phone_buttons: bool = False  # a button can dial a number
    button_data_bytes: int = 64
