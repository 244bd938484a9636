"""Telegram (aiogram 3): polling or webhook, rendering, a rate-limited sender, the staff desk.

Modules, from the outside in: ``channel`` (lifecycle), ``webhook``, ``handling`` (update → queue
→ pipeline → sender), ``ordering`` (per-user order), ``adapter`` (update → Inbound or desk
action), ``desk`` (the staff group's commands), ``render`` (Reply → Telegram messages), ``sender``
and ``ratelimit``, ``commands`` (the menu), ``config`` and ``settings``, ``redact`` (no token in
logs). Importing this package does not import aiogram (~165 MB): ``build`` does, when the
channel is configured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.telegram.settings import TelegramSettings

if TYPE_CHECKING:
    from bot.channels.base import ChannelContext
    from bot.channels.telegram.channel import TelegramChannel

__all__ = ["TelegramSettings", "build"]


def build(settings: TelegramSettings, context: ChannelContext) -> TelegramChannel | None:
    """The Telegram channel when ``TELEGRAM_BOT_TOKEN`` is set; raises TelegramConfigError with
    a message naming the setting when the others cannot work."""
    if settings.bot_token is None:
        return None
    from bot.channels.telegram.channel import TelegramChannel
    from bot.channels.telegram.config import TelegramConfig

    config = TelegramConfig.from_settings(settings, context.content_dir)
    return TelegramChannel(
        config, context.pipeline, inbox=context.inbox, shared_rate=context.shared_rate
    )
