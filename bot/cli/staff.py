"""``mangnon staff add|list``: members of staff who write, approve and send campaigns (and, with
a Telegram account, work on the case desk)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import Any

from bot.config import load_settings
from bot.core.cases.model import StaffRole
from bot.core.messages import UserRef
from bot.storage.database import Database
from bot.storage.migrate import upgrade


def register(commands: Any) -> None:
    staff = commands.add_parser("staff", help="members of staff (campaign editors, approvers…)")
    sub = staff.add_subparsers(dest="staff_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="add a member of staff")
    add.add_argument("name", help="their name, as --by NAME will give it")
    add.add_argument(
        "--roles",
        default="editor",
        help=f"comma-separated: {', '.join(r.value for r in StaffRole)} (default: editor)",
    )
    add.add_argument("--telegram", help="their Telegram user id (test sends, the case desk)")
    add.set_defaults(func=_add)
    listing = sub.add_parser("list", help="active members of staff")
    listing.set_defaults(func=_list)


def _roles(text: str) -> frozenset[StaffRole]:
    try:
        return frozenset(StaffRole(part.strip()) for part in text.split(",") if part.strip())
    except ValueError:
        raise SystemExit(
            f"mangnon: --roles: one or more of {', '.join(r.value for r in StaffRole)}"
        ) from None


def _add(args: argparse.Namespace) -> int:
    roles = _roles(args.roles)
    if args.telegram is not None and not args.telegram.isdigit():
        print("mangnon: --telegram: a Telegram user id is a number", file=sys.stderr)
        return 2
    account = UserRef("telegram", args.telegram) if args.telegram else None

    async def add() -> str:
        settings = load_settings()
        await upgrade(settings.database_url)
        database = Database.from_url(settings.database_url)
        try:
            async with database.store() as store:
                staff = await store.staff.add(args.name, roles, datetime.now(UTC), account)
                await store.commit()
                return staff.pseudonym
        finally:
            await database.close()

    try:
        pseudonym = asyncio.run(add())
    except ValueError as exc:
        print(f"mangnon: {exc}", file=sys.stderr)
        return 1
    print(f"added {args.name} ({pseudonym}): {', '.join(sorted(r.value for r in roles))}")
    return 0


def _list(args: argparse.Namespace) -> int:
    async def members() -> list[tuple[str, str, str, str]]:
        settings = load_settings()
        await upgrade(settings.database_url)
        database = Database.from_url(settings.database_url)
        try:
            async with database.store() as store:
                return [
                    (
                        staff.pseudonym,
                        name,
                        ",".join(sorted(r.value for r in staff.roles)),
                        str(account) if account else "",
                    )
                    for staff, name, account in await store.staff.members()
                ]
        finally:
            await database.close()

    for row in asyncio.run(members()):
        print("\t".join(row))
    return 0
