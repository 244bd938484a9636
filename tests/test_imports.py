"""The import rule: channels → core ← storage; only the composition root wires them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"

FORBIDDEN = {
    "core": (
        "aiogram",
        "aiohttp",
        "sqlalchemy",
        "alembic",
        "redis",
        "bot.storage",
        "bot.channels",
        "bot.app",
        "bot.cli",
        "bot.serve",
        "bot.web",
        # training code and its libraries stay out of the server (bot/tools, dev extras)
        "bot.tools",
        "sklearn",
        "scipy",
    ),
    "storage": ("aiogram", "aiohttp", "bot.channels", "bot.app", "bot.cli", "bot.serve", "bot.web"),
    "channels": (
        "sqlalchemy",
        "alembic",
        "bot.storage",
        "bot.app",
        "bot.cli",
        "bot.serve",
        "bot.web",
    ),
    # the web admin: the core (and the shared Markdown renderer), wired by app/serve
    "web": (
        "aiogram",
        "sqlalchemy",
        "alembic",
        "redis",
        "bot.storage",
        "bot.app",
        "bot.cli",
        "bot.serve",
        "bot.channels.telegram",
        "bot.channels.web",
        "bot.channels.console",
    ),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_inward(layer: str) -> None:
    files = sorted((BOT / layer).rglob("*.py"))
    assert files, f"no modules in bot/{layer}"
    offences = [
        f"{path.relative_to(BOT)} imports {name}"
        for path in files
        for name in _imports(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offences == []


def test_the_rule_catches_an_offence(tmp_path: Path) -> None:
    offender = tmp_path / "bad.py"
    offender.write_text("from sqlalchemy import select\nimport aiogram.types\n")
    assert {"sqlalchemy", "aiogram.types"} <= _imports(offender)
