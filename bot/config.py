"""Typed settings, read from the environment and an optional ``.env`` file.

Every setting is documented in the README. Settings are grouped in sections, one per channel and
feature: ``TELEGRAM_BOT_TOKEN`` is ``settings.telegram.bot_token``, ``ZALO_APP_ID`` is
``settings.zalo.app_id``, ``WEB_PORT`` is
``settings.web.port``, ``DESK_HOURS`` is ``settings.desk.hours``. A channel's section is defined in
its own package (without importing its libraries). Secrets are ``SecretStr`` so they never print.
A malformed value, or an unknown key in ``.env``, stops the program at start with a message
naming it.
"""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.channels.telegram.settings import TelegramSettings
from bot.channels.web.settings import WebSettings
from bot.channels.zalo.settings import ZaloSettings
from bot.core.library.schema import ReviewLevel
from bot.web.settings import AdminSettings


class DeskSettings(BaseModel):
    """``DESK_*``: the case desks (the Telegram staff group is in the Telegram section)."""

    model_config = ConfigDict(extra="forbid")

    ack_minutes: int = Field(5, ge=1, le=1440)  # re-alert, and tell the user to call 111
    hours: str = "07:00-21:00"  # when a counsellor can be offered (00:00-24:00: always)

    @field_validator("hours")
    @classmethod
    def _hours_range(cls, value: str) -> str:
        from bot.core.hours import parse_hours

        parse_hours(value)
        return value


class OutboxSettings(BaseModel):
    """``OUTBOX_*``: how messages to others (desk alerts, relays, campaigns) are sent."""

    model_config = ConfigDict(extra="forbid")

    batch: int = Field(200, ge=1, le=10_000)  # rows claimed at once
    concurrency: int = Field(64, ge=1, le=10_000)  # sends in flight at once
    lease_seconds: int = Field(60, ge=1, le=3600)  # a claim is released after this long
    max_attempts: int = Field(8, ge=1, le=100)  # then the message is a dead letter
    poll_seconds: float = Field(1.0, gt=0, le=60)  # look for other workers' rows this often
    # `mangnon serve` runs a dispatcher too; false when `mangnon dispatch` processes send
    dispatch: bool = True


class ReportSettings(BaseModel):
    """``REPORT_*``: reports (the admin's Reports page and ``mangnon report``)."""

    model_config = ConfigDict(extra="forbid")

    # a count from 1 to min_group - 1 is shown as "< min_group": no child can be singled out
    min_group: int = Field(5, ge=1, le=1000)


class CampaignSettings(BaseModel):
    """``CAMPAIGNS_*``: when unsolicited messages (campaigns, weekly tips) may be delivered."""

    model_config = ConfigDict(extra="forbid")

    quiet_hours: str = "21:00-07:00"  # nothing unsolicited is delivered then (TIMEZONE); "" = none
    tip_day: str = "monday"  # when the weekly tip goes to those who asked for it
    tip_time: str = "08:00"

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_range(cls, value: str) -> str:
        from bot.core.hours import parse_hours

        if value.strip():
            parse_hours(value)
        return value.strip()

    @field_validator("tip_day")
    @classmethod
    def _weekday(cls, value: str) -> str:
        from bot.core.campaigns.model import WEEKDAYS

        if value.lower() not in WEEKDAYS:
            raise ValueError(f"must be one of {', '.join(WEEKDAYS)}")
        return value.lower()

    @field_validator("tip_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        from datetime import time

        time.fromisoformat(value)
        return value


SECRET = re.compile(r"TOKEN|SECRET|PASSWORD")


class SettingsError(Exception):
    """Raised with a readable message naming each bad setting."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        case_sensitive=False,
        env_nested_delimiter="_",  # TELEGRAM_BOT_TOKEN → telegram.bot_token
        env_nested_max_split=1,
    )

    database_url: str = "sqlite+aiosqlite:///var/mangnon.db"
    redis_url: str | None = None
    content_dir: Path = Path("content")
    # the least-reviewed content the bot serves: draft, internal (the team) or expert
    min_review_level: ReviewLevel = ReviewLevel.INTERNAL
    locales_dir: Path = Path("locales")
    default_locale: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: str = "INFO"
    log_format: str = "text"
    max_message_chars: int = Field(2000, ge=100, le=100_000)
    lang_min_coverage: float = Field(0.8, ge=0.0, le=1.0)
    lang_beta: bool = False  # also offer languages below LANG_MIN_COVERAGE, marked beta
    # routine writes (profile saves, analytics) are batched for this long; 0 writes every turn
    # before its reply. Ignored with REDIS_URL (several workers): see bot/storage/cached.py.
    write_behind_ms: int = Field(200, ge=0, le=10_000)
    profile_cache_size: int = Field(10_000, ge=100, le=10_000_000)
    # `mangnon serve` migrates the database first (under a lock: one worker migrates); false
    # leaves it to a release step (`mangnon db upgrade`)
    migrate_at_start: bool = True
    # the same warning at most once per this many seconds (0: every one), with a count
    log_repeat_seconds: float = Field(60.0, ge=0, le=86_400)
    # GET /metrics (Prometheus) asks for "Authorization: Bearer <token>" when this is set
    metrics_token: SecretStr | None = None
    # conversation-derived data older than this is deleted (bot/storage/retention.py); a closed
    # case's conversation is kept for CASE_RETENTION_DAYS after it closed (the duty to act)
    retention_days: int = Field(365, ge=1, le=36_500)
    case_retention_days: int = Field(1825, ge=1, le=36_500)

    web: WebSettings = Field(default_factory=WebSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    zalo: ZaloSettings = Field(default_factory=ZaloSettings)
    desk: DeskSettings = Field(default_factory=DeskSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
    admin: AdminSettings = Field(default_factory=AdminSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)
    campaigns: CampaignSettings = Field(default_factory=CampaignSettings)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("min_review_level")
    @classmethod
    def _servable_level(cls, value: ReviewLevel) -> ReviewLevel:
        if value is ReviewLevel.RETIRED:
            raise ValueError("must be draft, internal or expert")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return value

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in {"text", "json"}:
            raise ValueError("must be 'text' or 'json'")
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// (async drivers)"
            )
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(**overrides: object) -> Settings:
    """Read settings; turn pydantic's error into one line per bad setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "_".join(str(part) for part in err["loc"]).upper() or "settings"
            if err["type"] == "extra_forbidden":
                lines.append(f"{name}: unknown setting (check the spelling; see README)")
            else:
                value = err.get("input")
                # a whole section's values, or a secret's, are never printed
                shown = (
                    "" if isinstance(value, dict) or SECRET.search(name) else f" (got {value!r})"
                )
                lines.append(f"{name}: {err['msg']}{shown}")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None
