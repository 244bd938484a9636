"""ZALO_* settings: Zalo starts when they are present; a missing or malformed one is named."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

FULL = {
    "ZALO_APP_ID": "1234567890",
    "ZALO_APP_SECRET": "app-secret",
    "ZALO_OA_SECRET_KEY": "oa-secret",
    "ZALO_ACCESS_TOKEN": "tok-a-1f2e",
    "ZALO_REFRESH_TOKEN": "tok-r-3d4c",
    "ZALO_WEBHOOK_PATH": "a-random-path-123",
}


@pytest.fixture(autouse=True)
def _here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)


def test_off_without_settings() -> None:
    assert not load_settings().zalo.enabled


def test_on_with_all_of_them_and_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FULL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ZALO_MAX_SKEW", "120")
    zalo = load_settings().zalo
    assert zalo.enabled and zalo.route == "/webhooks/zalo/a-random-path-123"
    assert zalo.api_base == "https://openapi.zalo.me"
    assert zalo.oauth_base == "https://oauth.zaloapp.com"
    assert zalo.skew == timedelta(minutes=2)
    assert zalo.access_token is not None and "tok-a-1f2e" not in repr(zalo)  # secrets never print


@pytest.mark.parametrize("left_out", sorted(FULL))
def test_a_missing_one_is_named(monkeypatch: pytest.MonkeyPatch, left_out: str) -> None:
    for name, value in FULL.items():
        if name != left_out:
            monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert f"missing {left_out}:" in str(error.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ZALO_APP_ID", "my-app"),
        ("ZALO_WEBHOOK_PATH", "short"),
        ("ZALO_WEBHOOK_PATH", "has/a/slash-in-it"),
        ("ZALO_API_BASE", "openapi.zalo.me"),
        ("ZALO_MAX_SKEW", "1"),
        ("ZALO_RATE", "0"),
        ("ZALO_BUTTONS", "sometimes"),
        ("ZALO_CHOICE_BUTTON", "oa.open.sms"),
        ("ZALO_ACCESS_TOKEN", " "),
    ],
)
def test_a_malformed_one_is_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    for setting, good in FULL.items():
        monkeypatch.setenv(setting, good)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert name in str(error.value)


def test_a_secret_is_never_printed_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZALO_APP_ID", "123")
    monkeypatch.setenv("ZALO_ACCESS_TOKEN", "very-secret-access-token")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "missing ZALO_APP_SECRET, ZALO_OA_SECRET_KEY, ZALO_REFRESH_TOKEN" in str(error.value)
    assert "very-secret" not in str(error.value)
