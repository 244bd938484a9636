"""Zalo Official Account: signed webhooks in, the consultation message API out.

Modules, from the outside in: ``channel`` (lifecycle and upkeep), ``webhook`` and ``signature``
(checked, queued, answered at once), ``handling`` (event → pipeline → sender, redeliveries
dropped), ``adapter`` (event JSON → Inbound), ``render`` (Reply → Zalo messages: buttons, or a
numbered menu), ``sender`` (error codes, windows, retries) and ``limiter`` (replies first),
``tokens`` (the access and refresh tokens, in the database, refreshed under a lock across
workers), ``api`` (the HTTP calls) and ``settings``. docs/ZALO.md sets up an OA for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.zalo.settings import ZaloSettings

if TYPE_CHECKING:
    from bot.channels.base import ChannelContext
    from bot.channels.zalo.channel import ZaloChannel

__all__ = ["ZaloSettings", "build"]


def build(settings: ZaloSettings, context: ChannelContext) -> ZaloChannel | None:
    """The Zalo channel when its settings are present (``bot.config`` has checked they are all
    there and well formed)."""
    if not settings.enabled:
        return None
    from bot.channels.zalo.channel import ZaloChannel

    return ZaloChannel(settings, context)
