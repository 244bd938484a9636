"""``mangnon db upgrade|downgrade|current``."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.config import load_settings
from bot.storage import migrate


def register(commands: Any) -> None:
    db = commands.add_parser("db", help="database migrations")
    sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    up = sub.add_parser(
        "upgrade", help="apply migrations (default: to the latest), under the migration lock"
    )
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_upgrade)
    down = sub.add_parser("downgrade", help="revert migrations (default: all)")
    down.add_argument("revision", nargs="?", default="base")
    down.set_defaults(func=_downgrade)
    current = sub.add_parser("current", help="show the applied revision")
    current.set_defaults(func=_current)


def _upgrade(args: argparse.Namespace) -> int:
    asyncio.run(migrate.upgrade_once(load_settings().database_url, args.revision))
    print(f"database migrated to {args.revision}")
    return 0


def _downgrade(args: argparse.Namespace) -> int:
    asyncio.run(migrate.downgrade(load_settings().database_url, args.revision))
    print(f"database reverted to {args.revision}")
    return 0


def _current(args: argparse.Namespace) -> int:
    migrate.current(load_settings().database_url)
    return 0
