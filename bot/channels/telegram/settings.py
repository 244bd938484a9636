"""``TELEGRAM_*`` settings: read by ``bot.config`` without importing aiogram.

The channel starts when ``TELEGRAM_BOT_TOKEN`` is set. Flood limits are settings, not constants:
Telegram changes them without notice (see ../shared/CHANNELS.md for today's figures).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class TelegramMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class TelegramSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bot_token: SecretStr | None = None
    api_server: str = "https://api.telegram.org"
    mode: TelegramMode = TelegramMode.POLLING
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # the staff group that gets case alerts, and the Telegram ids of the case workers in it (they
    # seed the staff table at start; the bot ignores everyone else in the group)
    desk_chat_id: int | None = None
    desk_staff: str = ""
    global_rate: float = Field(30.0, gt=0)  # messages per second, all chats together
    chat_rate: float = Field(1.0, gt=0)  # messages per second to one private chat
    group_rate: float = Field(20 / 60, gt=0)  # messages per second to one group
    # campaign messages as paid broadcasts (allow_paid_broadcast: up to 1,000/s, 0.1 Star each)
    paid_broadcast: bool = False
    # webhook mode: an update stored but not handled this long after (its worker was killed) is
    # handled by another worker, or by this one after its restart
    inbox_lease_seconds: float = Field(60.0, gt=0, le=3600)

    @field_validator("desk_staff")
    @classmethod
    def _numeric_ids(cls, value: str) -> str:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise ValueError("must be comma-separated Telegram user ids (numbers)")
        return value

    @property
    def staff_ids(self) -> frozenset[int]:
        return frozenset(int(p) for p in self.desk_staff.split(",") if p.strip())
