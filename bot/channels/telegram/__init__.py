"""Telegram (aiogram 3): polling or webhook, rendering, and a rate-limited sender.

Modules, from the outside in: ``channel`` (lifecycle), ``webhook``, ``handling`` (update → queue
→ pipeline → sender), ``ordering`` (per-user order), ``adapter`` (update → Inbound),
``render`` (Reply → Telegram messages), ``sender`` and ``ratelimit``, ``commands`` (the menu),
``config`` (what the composition root passes in), ``redact`` (no token in logs).
"""

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.config import CHANNEL, TelegramConfig, TelegramConfigError, parse_ids

__all__ = ["CHANNEL", "TelegramChannel", "TelegramConfig", "TelegramConfigError", "parse_ids"]
