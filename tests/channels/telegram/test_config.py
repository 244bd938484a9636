"""TelegramConfig stops the program at start with a message naming the setting."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.config import TelegramConfig, TelegramConfigError
from bot.channels.telegram.redact import RedactToken
from bot.channels.telegram.settings import TelegramSettings

TOKEN = "123456:AAH-secret_token"


def config(**values: Any) -> TelegramConfig:
    return TelegramConfig(**{"token": TOKEN, "content_dir": Path("content"), **values})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"token": "not a token"}, "TELEGRAM_BOT_TOKEN"),
        ({"mode": "push"}, "TELEGRAM_MODE"),
        ({"api_server": "localhost:8081"}, "TELEGRAM_API_SERVER"),
        ({"mode": "webhook"}, "TELEGRAM_WEBHOOK_URL"),
        ({"mode": "webhook", "webhook_url": "https://x.org/tg"}, "TELEGRAM_WEBHOOK_SECRET"),
        (
            {"mode": "webhook", "webhook_url": "https://x.org/tg", "webhook_secret": "has space"},
            "TELEGRAM_WEBHOOK_SECRET",
        ),
        ({"per_chat_rate": 0}, "per_chat_rate"),
        ({"paid_rate": 0}, "paid_rate"),
    ],
)
def test_bad_settings_are_named(values: dict[str, Any], message: str) -> None:
    with pytest.raises(TelegramConfigError, match=message):
        config(**values)


def test_the_token_is_never_in_an_error() -> None:
    with pytest.raises(TelegramConfigError) as info:
        config(token="123:has space")
    assert "has space" not in str(info.value)


def test_webhook_path_and_case_desk() -> None:
    hook = config(
        mode="webhook",
        webhook_url="https://x.org/tg/up?x=1",
        webhook_secret="a-b_C",
        desk_chat_id=-5,
    )
    assert hook.webhook_path == "/tg/up"
    assert hook.is_case_desk(-5) and not hook.is_case_desk(5) and not config().is_case_desk(-5)


def test_settings_become_a_config() -> None:
    settings = TelegramSettings.model_validate(
        {
            "bot_token": TOKEN,
            "desk_chat_id": -5,
            "desk_staff": " 501, 502,,503 ",
            "global_rate": 12,
            "paid_broadcast": True,
        }
    )
    built = TelegramConfig.from_settings(settings, Path("content"))
    assert built.desk_staff == {501, 502, 503} and built.is_case_desk(-5)
    assert (built.global_rate, built.paid_broadcast) == (12, True)
    with pytest.raises(ValueError, match="comma-separated"):
        TelegramSettings.model_validate({"desk_staff": "501, bob"})


def test_the_token_is_masked_in_library_logs(caplog: pytest.LogCaptureFixture) -> None:
    redact = RedactToken(TOKEN)
    redact.install()
    try:
        logger = logging.getLogger("aiogram.dispatcher")
        with caplog.at_level(logging.INFO, logger="aiogram.dispatcher"):
            logger.info("GET /bot%s/getUpdates failed", TOKEN)
            try:
                raise RuntimeError(f"url=/bot{TOKEN}/sendMessage")
            except RuntimeError:
                logger.exception("boom")
    finally:
        redact.remove()
    assert TOKEN not in caplog.text and "<token>" in caplog.text
    assert "RuntimeError" in caplog.text
