"""Settings: typed, defaults that run, bad values stop the start with the setting's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import SettingsError, load_settings


def test_defaults_run_on_sqlite_and_localhost(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "WEB_PORT", "WEB_HOST", "DEFAULT_LOCALE", "TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///var/mangnon.db"
    assert (settings.web.host, settings.web.port) == ("127.0.0.1", 8080)
    assert settings.default_locale == "vi" and settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.content_dir == Path("content")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEB_PORT", "eighty"),
        ("WEB_PORT", "70000"),
        ("TIMEZONE", "Mars/Olympus"),
        ("LOG_LEVEL", "LOUD"),
        ("DATABASE_URL", "sqlite:///sync-driver.db"),
        ("DESK_HOURS", "morning"),
        ("TELEGRAM_DESK_STAFF", "12,abc"),
        ("OUTBOX_BATCH", "0"),
        ("CAMPAIGNS_QUIET_HOURS", "late"),
        ("CAMPAIGNS_TIP_DAY", "funday"),
        ("TELEGRAM_PAID_BROADCAST", "maybe"),
    ],
)
def test_malformed_setting_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert name in str(error.value)


def test_unknown_setting_in_env_file_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("WEB_PROT=9000\n")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "WEB_PROT" in str(error.value) and "unknown" in str(error.value)


def test_secrets_never_print(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:very-secret-token")
    settings = load_settings()
    assert "very-secret-token" not in repr(settings) and "very-secret-token" not in str(
        settings.model_dump()
    )
    assert settings.telegram.bot_token is not None
    assert settings.telegram.bot_token.get_secret_value() == "123:very-secret-token"


def test_sections_read_their_prefixed_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("TELEGRAM_GLOBAL_RATE=12.5\nDESK_ACK_MINUTES=9\n")
    monkeypatch.setenv("TELEGRAM_DESK_CHAT_ID", "-1005")
    settings = load_settings()
    assert settings.telegram.global_rate == 12.5 and settings.telegram.desk_chat_id == -1005
    assert settings.desk.ack_minutes == 9 and settings.outbox.max_attempts == 8


def test_an_unknown_name_in_a_section_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKN=1:x\n")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "TELEGRAM_BOT_TOKN" in str(error.value)


def test_cli_reports_bad_settings_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WEB_PORT", "-1")
    assert main(["db", "current"]) == 2
    assert "WEB_PORT" in capsys.readouterr().err
