"""``ZALO_*`` settings, read by ``bot.config``.

The channel starts when its settings are present: setting any of the six that identify the
Official Account (app id and secret, OA secret key, the two tokens, the webhook path) asks for
Zalo, and a missing one then stops the program with a message naming it. Limits, windows and
quotas are settings, not constants: Zalo changed them in 2026 and publishes some only vaguely
(see ../shared/CHANNELS.md and docs/ZALO.md for today's figures).
"""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

PATH = re.compile(r"^[A-Za-z0-9_-]{8,128}$")
REQUIRED = (
    "app_id",
    "app_secret",
    "oa_secret_key",
    "access_token",
    "refresh_token",
    "webhook_path",
)


class ButtonMode(StrEnum):
    AUTO = "auto"  # send buttons; if Zalo refuses them, numbered menus from then on
    OFF = "off"  # numbered menus always


class ChoiceButton(StrEnum):
    SHOW = "oa.query.show"  # the chat shows what the user chose (the button's payload)
    HIDE = "oa.query.hide"  # the choice reaches the bot without showing in the chat


class ZaloSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    app_id: str | None = None
    app_secret: SecretStr | None = None  # the app's secret key: refreshes the tokens
    oa_secret_key: SecretStr | None = None  # the OA secret key: signs the webhook events
    access_token: SecretStr | None = None  # the first pair; the bot keeps the pair up to date
    refresh_token: SecretStr | None = None
    webhook_path: str | None = None  # served at /webhooks/zalo/<path>
    api_base: str = "https://openapi.zalo.me"
    oauth_base: str = "https://oauth.zaloapp.com"

    max_skew: float = Field(300, ge=10, le=3600)  # seconds: an event this far off is refused
    max_body: int = Field(64 * 1024, ge=1024, le=10 * 1024 * 1024)  # bytes per webhook event
    dedupe_hours: float = Field(48, gt=0, le=24 * 30)  # remember event ids this long
    max_text: int = Field(2000, ge=100, le=10_000)  # characters per message (longer: split)
    max_buttons: int = Field(5, ge=1, le=10)  # per message; more: a numbered menu
    buttons: ButtonMode = ButtonMode.AUTO
    choice_button: ChoiceButton = ChoiceButton.SHOW

    rate: float = Field(20.0, gt=0)  # messages per second from the OA, all users together
    backoff_seconds: float = Field(30.0, gt=0)  # pause after Zalo's rate limit (-32)
    quota_retry_minutes: float = Field(60.0, gt=0)  # outbox retry after "out of quota" (-211)
    max_attempts: int = Field(3, ge=1, le=20)  # per message, across -32 and network errors
    # consultation messages are free within this many hours of the user's last message: notices
    # and campaigns go only to users inside it (a case's messages go up to the next window)
    reply_window_hours: float = Field(48, gt=0)
    # Zalo refuses consultation messages this long after the user last interacted (-230/-232)
    interaction_window_days: float = Field(7, gt=0)
    refresh_margin_minutes: float = Field(60, gt=0)  # refresh the access token this early

    @field_validator("app_id")
    @classmethod
    def _digits(cls, value: str | None) -> str | None:
        if value is not None and not value.strip().isdigit():
            raise ValueError("must be the app's numeric id (Zalo for Developers → your app)")
        return value.strip() if value is not None else None

    @field_validator("app_secret", "oa_secret_key", "access_token", "refresh_token")
    @classmethod
    def _not_empty(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            raise ValueError("is empty")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and not PATH.match(value):
            raise ValueError("must be 8-128 characters: A-Z a-z 0-9 _ - (a random string)")
        return value

    @field_validator("api_base", "oauth_base")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _all_or_nothing(self) -> Self:
        missing = [f"ZALO_{name.upper()}" for name in REQUIRED if getattr(self, name) is None]
        if self.enabled and missing:
            raise ValueError(
                f"missing {', '.join(missing)}: Zalo needs all of ZALO_APP_ID, ZALO_APP_SECRET, "
                "ZALO_OA_SECRET_KEY, ZALO_ACCESS_TOKEN, ZALO_REFRESH_TOKEN and ZALO_WEBHOOK_PATH "
                "(docs/ZALO.md), or none of them"
            )
        return self

    @property
    def enabled(self) -> bool:
        return any(getattr(self, name) is not None for name in REQUIRED)

    @property
    def skew(self) -> timedelta:
        return timedelta(seconds=self.max_skew)

    @property
    def route(self) -> str:
        return f"/webhooks/zalo/{self.webhook_path}"
