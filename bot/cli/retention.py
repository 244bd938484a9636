"""``mangnon retention run``: delete conversation-derived data past its limit (and say what)."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
from typing import Any

from bot.config import load_settings


def register(commands: Any) -> None:
    retention = commands.add_parser(
        "retention", help="delete conversation-derived data older than RETENTION_DAYS"
    )
    sub = retention.add_subparsers(dest="retention_command", required=True, metavar="ACTION")
    run = sub.add_parser(
        "run",
        help="apply RETENTION_DAYS and CASE_RETENTION_DAYS now; print what went, per table",
    )
    run.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from bot.storage.database import Database
    from bot.storage.migrate import upgrade
    from bot.storage.retention import run_retention

    settings = load_settings()

    async def apply() -> list[str]:
        await upgrade(settings.database_url)
        database = Database.from_url(settings.database_url)
        try:
            report = await run_retention(
                database,
                datetime.now(UTC),
                settings.retention_days,
                settings.case_retention_days,
            )
        finally:
            await database.close()
        return [
            f"retention: older than {report.cutoff:%Y-%m-%d} ({settings.retention_days} days); "
            f"closed cases' conversations older than {report.case_cutoff:%Y-%m-%d} "
            f"({settings.case_retention_days} days)",
            *report.lines(),
        ]

    for line in asyncio.run(apply()):
        print(line)
    return 0
