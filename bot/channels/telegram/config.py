"""What the Telegram channel needs to run, as one plain value built by the composition root.

``from_settings`` turns the ``TELEGRAM_*`` settings section into a :class:`TelegramConfig`;
every check that must stop the program at start lives here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from bot.channels.errors import ChannelConfigError
from bot.channels.telegram.settings import TelegramSettings

CHANNEL = "telegram"
Mode = Literal["polling", "webhook"]

TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class TelegramConfigError(ChannelConfigError):
    """A setting that makes the Telegram channel impossible to start; the message names it."""


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    content_dir: Path
    api_server: str = "https://api.telegram.org"
    mode: Mode = "polling"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    desk_chat_id: int | None = None  # the staff group that gets case alerts
    desk_staff: frozenset[int] = frozenset()  # its case workers' Telegram ids (seed the staff)

    # Telegram's flood limits (bot FAQ): ~1 message/s per chat sustained, 20/min per group,
    # ~30/s overall. Settings, not constants: Telegram changes them without notice.
    per_chat_rate: float = 1.0
    per_chat_burst: int = 3
    group_rate: float = 20 / 60
    group_burst: int = 3
    global_rate: float = 30.0  # no second holds more (a sliding window, see ratelimit.py)
    paid_broadcast: bool = False  # campaign messages as paid broadcasts (allow_paid_broadcast)
    paid_rate: float = 1000.0  # Telegram's ceiling for paid broadcasts
    max_attempts: int = 5  # per message, across 429s and network errors

    polling_timeout: int = 10  # seconds a getUpdates long poll may wait
    max_pending: int = 10_000  # received but unhandled updates before polling pauses
    max_concurrency: int = 4  # turns in the core at once; more only adds database contention
    webhook_max_body: int = 1024 * 1024
    # an update kept in the inbox but not handled this long after (its worker died) is claimed
    # and handled by another worker (or this one after a restart)
    inbox_lease: float = 60.0

    def __post_init__(self) -> None:
        if not TOKEN.match(self.token):
            raise TelegramConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (expected <digits>:<letters>, "
                "as given by @BotFather)"
            )
        if self.mode not in ("polling", "webhook"):
            raise TelegramConfigError(
                f"TELEGRAM_MODE must be polling or webhook, got {self.mode!r}"
            )
        if not self.api_server.startswith(("http://", "https://")):
            raise TelegramConfigError(
                f"TELEGRAM_API_SERVER must be an http(s) URL, got {self.api_server!r}"
            )
        if self.mode == "webhook":
            self._check_webhook()
        for name in ("per_chat_rate", "group_rate", "global_rate", "paid_rate"):
            if getattr(self, name) <= 0:
                raise TelegramConfigError(f"{name} must be positive")
        for name in ("per_chat_burst", "group_burst", "max_attempts"):
            if getattr(self, name) < 1:
                raise TelegramConfigError(f"{name} must be at least 1")

    @classmethod
    def from_settings(cls, settings: TelegramSettings, content_dir: Path) -> TelegramConfig:
        if settings.bot_token is None:
            raise TelegramConfigError("TELEGRAM_BOT_TOKEN is not set")
        secret = settings.webhook_secret
        return cls(
            token=settings.bot_token.get_secret_value(),
            content_dir=content_dir,
            api_server=settings.api_server,
            mode="webhook" if settings.mode.value == "webhook" else "polling",
            webhook_url=settings.webhook_url,
            webhook_secret=secret.get_secret_value() if secret is not None else None,
            desk_chat_id=settings.desk_chat_id,
            desk_staff=settings.staff_ids,
            per_chat_rate=settings.chat_rate,
            group_rate=settings.group_rate,
            global_rate=settings.global_rate,
            paid_broadcast=settings.paid_broadcast,
            inbox_lease=settings.inbox_lease_seconds,
        )

    def _check_webhook(self) -> None:
        if not self.webhook_url:
            raise TelegramConfigError(
                "TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_URL: the public https URL that "
                "Telegram will POST updates to (its path is served by this server)"
            )
        if urlsplit(self.webhook_url).scheme not in ("http", "https"):
            raise TelegramConfigError(
                f"TELEGRAM_WEBHOOK_URL must be an http(s) URL, got {self.webhook_url!r}"
            )
        if not self.webhook_secret:
            raise TelegramConfigError(
                "TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET: without it anyone who finds "
                "the URL could post fake updates. Use 1-256 characters: A-Z, a-z, 0-9, _ and -"
            )
        if not SECRET.match(self.webhook_secret):
            raise TelegramConfigError(
                "TELEGRAM_WEBHOOK_SECRET may only use A-Z, a-z, 0-9, _ and - (1-256 characters)"
            )

    @property
    def webhook_path(self) -> str:
        return urlsplit(self.webhook_url or "").path or "/"

    def is_case_desk(self, chat_id: int) -> bool:
        return self.desk_chat_id is not None and chat_id == self.desk_chat_id
