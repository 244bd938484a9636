"""`mangnon staff` and `mangnon campaign`: the whole path from a file to statistics, as an
operator types it (sending needs a server; here nothing delivers, so the rows wait)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import ROOT

EXAMPLE = ROOT / "docs" / "campaigns" / "june-action-month.yaml"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("CONTENT_DIR", str(ROOT / "content"))
    monkeypatch.setenv("LOCALES_DIR", str(ROOT / "locales"))
    return tmp_path


def test_from_a_file_to_statistics(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", "add", "Lan", "--roles", "editor,approver"]) == 0
    assert main(["staff", "add", "Minh", "--roles", "approver", "--telegram", "42"]) == 0
    capsys.readouterr()
    assert main(["campaign", "create", str(EXAMPLE), "--by", "Lan"]) == 0
    campaign_id = capsys.readouterr().out.strip()
    assert campaign_id == "1"
    assert main(["campaign", "submit", "1", "--by", "Lan"]) == 0
    assert main(["campaign", "approve", "1", "--by", "Lan", "--yes"]) == 1  # four eyes
    assert "four eyes" in capsys.readouterr().err
    assert main(["campaign", "approve", "1", "--by", "Minh", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "audience now: 0" in out and "Tháng 6" in out and "June" in out
    assert main(["campaign", "test", "1", "--by", "Minh"]) == 0
    assert main(["campaign", "send", "1", "--no-wait"]) == 0
    assert "scheduled" in capsys.readouterr().out  # a weekly campaign waits for its day
    assert main(["campaign", "show", "1"]) == 0
    shown = capsys.readouterr().out
    for action in ("created", "submitted", "approved", "test-sent", "scheduled"):
        assert action in shown
    assert main(["campaign", "pause", "1"]) == 0
    assert main(["campaign", "cancel", "1"]) == 0
    capsys.readouterr()
    assert main(["campaign", "stats", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["queued"] == 0
    assert main(["campaign", "list"]) == 0
    assert "cancelled" in capsys.readouterr().out


def test_a_bad_file_names_file_line_and_field(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = env / "bad.yaml"
    bad.write_text("title: x\nmessages:\n  vi:\n    text: hi\naudience:\n  roles: [aunt]\n")
    assert main(["campaign", "create", str(bad)]) == 1
    assert f"{bad}:6: audience.roles.0:" in capsys.readouterr().err


def test_a_web_account_with_a_telegram_id_gets_test_sends(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", "add", "lan", "--role", "editor", "--telegram", "77"]) == 0
    assert main(["admin", "add", "mai", "--role", "editor", "--telegram", "seventy"]) == 2
    assert main(["admin", "add", "mai", "--role", "editor", "--telegram", "77"]) == 1
    assert "or that Telegram account is taken" in capsys.readouterr().err
    assert main(["campaign", "create", str(EXAMPLE), "--by", "lan"]) == 0
    assert main(["campaign", "test", "1", "--by", "lan"]) == 0
    assert main(["campaign", "show", "1"]) == 0
    assert "test-sent" in capsys.readouterr().out
