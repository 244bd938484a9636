"""The console chat: numbered buttons, typed numbers become button presses."""

from __future__ import annotations

import io

from bot.channels.console import ConsoleChat
from bot.core.pipeline import Pipeline


async def test_console_numbers_buttons_and_accepts_numbers(pipeline: Pipeline) -> None:
    out = io.StringIO()
    console = ConsoleChat(pipeline, out=out)
    await console.say("/start")
    screen = out.getvalue()
    assert "  1. " in screen and "  2. " in screen
    english = next(i for i, b in enumerate(console.buttons, start=1) if b.value == "lang:en")
    await console.say(str(english))
    assert any(b.value == "role:parent" for b in console.buttons)
    assert "Who are you?" in out.getvalue()


async def test_console_phone_buttons_show_the_number(pipeline: Pipeline) -> None:
    out = io.StringIO()
    console = ConsoleChat(pipeline, out=out)
    await console.say("/help")
    phone = next(i for i, b in enumerate(console.buttons, start=1) if b.value == "111")
    assert console.to_inbound(str(phone)) is None
    assert "→ 111" in out.getvalue()
