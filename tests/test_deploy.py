"""deploy/: the compose file, the Caddyfile, the systemd units and .env.example parse, and every
command they run is a `mangnon` command that exists."""

from __future__ import annotations

import argparse
import configparser
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import build_parser
from bot.config import Settings
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("mangnon-*"))


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_exists(words: list[str]) -> bool:
    """``["db", "upgrade"]`` names an existing `mangnon db upgrade` (options are not checked)."""
    parser = build_parser()
    for word in words:
        choices = _subcommands(parser)
        if not choices:
            return True  # the rest are the command's own arguments
        if word not in choices:
            return False
        parser = choices[word]
    return not _subcommands(parser)  # a group alone ("mangnon db") is not a command


def _words(argv: list[str]) -> list[str]:
    """The command words after the program: up to the first option."""
    assert Path(argv[0]).name == "mangnon", argv
    words = []
    for word in argv[1:]:
        if word.startswith("-"):
            break
        words.append(word)
    return words


def _check(words: list[str]) -> None:
    assert command_exists(words), f"`mangnon {' '.join(words)}` is not a command"


def test_the_command_check_can_fail() -> None:
    assert command_exists(["db", "upgrade"]) and command_exists(["retention", "run"])
    assert not command_exists(["db"]) and not command_exists(["nonsense"])
    assert not command_exists(["db", "sideways"])


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return loaded


def test_compose_has_the_whole_stack() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "migrate", "web", "dispatch", "caddy"} <= set(services)
    web = services["web"]
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert web["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert web["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert web["environment"]["PROMETHEUS_MULTIPROC_DIR"] == "/run/metrics"
    assert "ports" not in web  # only Caddy faces the internet
    assert (DEPLOY / services["caddy"]["volumes"][0].split(":")[0]).resolve() == (
        DEPLOY / "Caddyfile"
    )
    assert (
        ROOT / web["build"]["context"].replace("..", ".") / web["build"]["dockerfile"]
    ).is_file()


def test_web_workers_neither_migrate_nor_dispatch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Migrations are the release step and `mangnon dispatch` sends: in compose and systemd,
    the web workers are told so, in settings the app really reads."""
    web = compose()["services"]["web"]["environment"]
    lines = (DEPLOY / "systemd" / "mangnon-web@.service").read_text().splitlines()
    unit_env = dict(
        line.removeprefix("Environment=").split("=", 1)
        for line in lines
        if line.startswith("Environment=")
    )
    for env in (web, unit_env):
        for name in ("MIGRATE_AT_START", "OUTBOX_DISPATCH"):
            monkeypatch.setenv(name, str(env[name]))
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert settings.migrate_at_start is False and settings.outbox.dispatch is False


@pytest.mark.parametrize("service", ["migrate", "web", "dispatch"])
def test_compose_services_run_commands_that_exist(service: str) -> None:
    _check(_words(compose()["services"][service]["command"]))


def test_the_image_starts_the_server_from_the_lock_file() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "pip install -r requirements.lock" in dockerfile
    assert "pip install --no-deps ." in dockerfile
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd is not None
    _check(_words(yaml.safe_load(cmd.group(1))))


def test_caddy_proxies_to_the_web_workers_and_hides_metrics() -> None:
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert caddyfile.count("{") == caddyfile.count("}")
    assert re.search(r"name web\s+port 8080", caddyfile)
    assert "respond @metrics 404" in caddyfile and "health_uri /healthz" in caddyfile


def unit(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def test_the_units_are_there() -> None:
    names = {path.name for path in UNITS}
    assert {
        "mangnon-web@.service",
        "mangnon-dispatch.service",
        "mangnon-retention.service",
        "mangnon-retention.timer",
    } <= names


@pytest.mark.parametrize("path", [p for p in UNITS if p.suffix == ".service"], ids=lambda p: p.name)
def test_services_parse_and_run_commands_that_exist(path: Path) -> None:
    parsed = unit(path)
    assert parsed.has_section("Unit") and parsed.has_section("Service")
    service = parsed["Service"]
    assert service["User"] == "mangnon" and service["EnvironmentFile"].startswith("/etc/mangnon/")
    _check(_words(shlex.split(service["ExecStart"])))


def test_the_retention_timer_starts_the_retention_service() -> None:
    timer = unit(DEPLOY / "systemd" / "mangnon-retention.timer")
    assert timer["Timer"]["Unit"] == "mangnon-retention.service"
    assert (DEPLOY / "systemd" / timer["Timer"]["Unit"]).is_file()
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == "timers.target"
    service = unit(DEPLOY / "systemd" / "mangnon-retention.service")
    assert service["Service"]["Type"] == "oneshot"


def test_web_worker_instances_take_their_port_from_the_instance_name() -> None:
    service = unit(DEPLOY / "systemd" / "mangnon-web@.service")["Service"]
    assert (
        "WEB_PORT=%i" in service["Environment"]
        or "WEB_PORT=%i" in (DEPLOY / "systemd" / "mangnon-web@.service").read_text()
    )


def _settings_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        section = field.annotation
        if isinstance(section, type) and hasattr(section, "model_fields"):
            names.update(f"{name}_{sub}".upper() for sub in section.model_fields)
        else:
            names.add(name.upper())
    return names


def test_env_example_names_only_real_settings_and_holds_no_secret() -> None:
    compose_only = {"BOT_DOMAIN", "POSTGRES_PASSWORD"}
    known = _settings_names() | compose_only
    lines = (DEPLOY / ".env.example").read_text().splitlines()
    assigned = [line for line in lines if re.match(r"^#? ?[A-Z][A-Z0-9_]*=", line)]
    assert len(assigned) > 10
    for line in assigned:
        name, value = line.lstrip("# ").split("=", 1)
        assert name in known, f"{name} is not a setting"
        if re.search(r"TOKEN|SECRET|PASSWORD|KEY", name):
            assert value == "", f"{name} must be left empty in the example"
