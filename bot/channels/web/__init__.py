"""The web chat: a page at ``/``, a JSON API at ``/api/chat`` and an event stream of messages the
user did not ask for (a counsellor's answer) at ``/api/chat/events``. A pull channel: its outbox
rows wait until the user's page takes them, so they are kept for the next visit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.web.settings import WebSettings

if TYPE_CHECKING:
    from bot.channels.base import ChannelContext
    from bot.channels.web.channel import WebChannel

__all__ = ["WebSettings", "build"]


def build(settings: WebSettings, context: ChannelContext) -> WebChannel | None:
    from bot.channels.web.channel import WebChannel

    return WebChannel(settings, context) if settings.chat else None
