"""Typed settings, read from the environment and an optional ``.env`` file.

Every setting is documented in the README. Secrets are ``SecretStr`` so they never print. A
malformed value, or an unknown key in ``.env``, stops the program at start with a message naming it.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.library.schema import ReviewLevel


class TelegramMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class SettingsError(Exception):
    """Raised with a readable message naming each bad setting."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="forbid", case_sensitive=False
    )

    database_url: str = "sqlite+aiosqlite:///var/mangnon.db"
    redis_url: str | None = None
    content_dir: Path = Path("content")
    # the least-reviewed content the bot serves: draft, internal (the team) or expert
    min_review_level: ReviewLevel = ReviewLevel.INTERNAL
    locales_dir: Path = Path("locales")
    default_locale: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    web_host: str = "127.0.0.1"
    web_port: int = Field(8080, ge=0, le=65535)
    log_level: str = "INFO"
    log_format: str = "text"
    max_message_chars: int = Field(2000, ge=100, le=100_000)
    lang_min_coverage: float = Field(0.8, ge=0.0, le=1.0)
    lang_beta: bool = False  # also offer languages below LANG_MIN_COVERAGE, marked beta
    # routine writes (profile saves, analytics) are batched for this long; 0 writes every turn
    # before its reply. Ignored with REDIS_URL (several workers): see bot/storage/cached.py.
    write_behind_ms: int = Field(200, ge=0, le=10_000)
    profile_cache_size: int = Field(10_000, ge=100, le=10_000_000)

    telegram_bot_token: SecretStr | None = None
    telegram_api_server: str = "https://api.telegram.org"
    telegram_mode: TelegramMode = TelegramMode.POLLING
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None

    caseworker_chat_id: int | None = None
    caseworker_ids: str = ""
    case_ack_minutes: int = Field(5, ge=1, le=1440)
    caseworker_hours: str = "07:00-21:00"

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

    @field_validator("caseworker_hours")
    @classmethod
    def _hours_range(cls, value: str) -> str:
        from bot.core.hours import parse_hours

        parse_hours(value)
        return value

    @field_validator("caseworker_ids")
    @classmethod
    def _numeric_ids(cls, value: str) -> str:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if not all(part.lstrip("-").isdigit() for part in parts):
            raise ValueError("must be comma-separated Telegram user ids (numbers)")
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
            name = ".".join(str(part) for part in err["loc"]).upper() or "settings"
            if err["type"] == "extra_forbidden":
                lines.append(f"{name}: unknown setting (check the spelling; see README)")
            else:
                lines.append(f"{name}: {err['msg']} (got {err.get('input')!r})")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None
