"""``mangnon chat``: talk to the bot in a terminal. Buttons are numbered; type the number.

A push channel like the others: outbox messages for the console user (a counsellor's answer, if
a desk is configured) are printed when they come.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from aiohttp import web

from bot.channels.markdown import to_plain
from bot.channels.render import numbered
from bot.core.channels import Capabilities, Formatting, Reach
from bot.core.messages import Button, ButtonKind, Inbound, Reply, UserRef
from bot.core.outbox import Delivery, Envelope
from bot.core.pipeline import Pipeline

CHANNEL = "console"
USER = UserRef(CHANNEL, "local")
QUIT = {"/quit", "/exit", "quit", "exit"}


class ConsoleChat:
    name = CHANNEL
    capabilities = Capabilities(
        formatting=Formatting.PLAIN, reach=Reach.PUSH, max_text=100_000, phone_buttons=False
    )
    desk_feeds: tuple[UserRef, ...] = ()

    def __init__(self, pipeline: Pipeline, out: TextIO = sys.stdout, user: UserRef = USER) -> None:
        self.pipeline = pipeline
        self.out = out
        self.user = user
        self.buttons: list[Button] = []

    async def start(self, app: web.Application) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def deliver(self, envelope: Envelope) -> Delivery:
        self.show(list(envelope.replies))
        return Delivery.sent()

    def show(self, replies: list[Reply]) -> None:
        self.buttons = []
        for reply in replies:
            body = to_plain(reply.text) if reply.markdown else reply.text
            text, flat = numbered(Reply(body, buttons=reply.buttons), start=len(self.buttons) + 1)
            self.buttons.extend(flat)
            for media in reply.media:
                text += f"\n  [{media.kind.value}: {media.path}]"
            print(f"\n🌱 {text}", file=self.out)
        self.out.flush()

    def to_inbound(self, line: str) -> Inbound | None:
        line = line.strip()
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            button = self.buttons[int(line) - 1]
            if button.kind is ButtonKind.CALLBACK:
                return Inbound(self.user, callback=button.value)
            print(f"  → {button.value}", file=self.out)
            return None
        return Inbound(self.user, text=line)

    async def say(self, line: str) -> None:
        inbound = self.to_inbound(line)
        if inbound is not None:
            self.show(await self.pipeline.handle(inbound))

    async def run(self, first: str = "/start") -> None:
        print("Măng Non console chat. Type a message, a button's number, or /quit.", file=self.out)
        await self.say(first)
        while True:
            try:
                line = await asyncio.to_thread(input, "\n> ")
            except EOFError:
                break
            if line.strip().lower() in QUIT:
                break
            if line.strip():
                await self.say(line)
