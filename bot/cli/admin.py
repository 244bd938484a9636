"""``mangnon admin add|list`` (web admin accounts) and ``mangnon report`` (aggregates)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.config import load_settings


def register(commands: Any) -> None:
    admin = commands.add_parser("admin", help="web admin accounts")
    sub = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="add an account and print its one-time password")
    add.add_argument("username", metavar="NAME", help="the sign-in name, e.g. lan.nguyen")
    add.add_argument(
        "--role",
        required=True,
        help="caseworker, editor, approver, reporter or admin (several: comma-separated)",
    )
    add.add_argument("--name", default="", help="full name, seen by administrators only")
    add.add_argument(
        "--telegram", help="their Telegram user id: where their campaign test sends go"
    )
    add.set_defaults(func=_add)
    listing = sub.add_parser("list", help="every member of staff")
    listing.set_defaults(func=_list)
    report = commands.add_parser("report", help="aggregate report for a period (no personal data)")
    report.add_argument("--from", dest="start", required=True, type=date.fromisoformat)
    report.add_argument("--to", dest="end", required=True, type=date.fromisoformat)
    report.add_argument("--format", choices=("csv", "xlsx", "json"), default="csv")
    report.add_argument("--out", type=Path, help="file to write (default: standard output)")
    report.set_defaults(func=_report)


def _add(args: argparse.Namespace) -> int:
    from bot.core.admin import passwords
    from bot.core.admin.accounts import AccountExists, NewAccount, check_username, parse_roles
    from bot.core.admin.audit import AdminAuditEntry
    from bot.storage.admin import admin_stores
    from bot.storage.database import Database
    from bot.storage.migrate import upgrade

    try:
        username = check_username(args.username)
        roles = parse_roles(args.role)
        if args.telegram is not None and not args.telegram.isdigit():
            raise ValueError("--telegram: a Telegram user id is a number")
    except ValueError as exc:
        print(f"mangnon admin add: {exc}", file=sys.stderr)
        return 2
    settings = load_settings()
    password = passwords.one_time_password()

    async def add() -> str:
        await upgrade(settings.database_url)
        database = Database.from_url(settings.database_url)
        try:
            async with admin_stores(database)() as store:
                now = datetime.now(UTC)
                account = await store.accounts.add(
                    NewAccount(
                        username,
                        args.name.strip() or username,
                        roles,
                        passwords.hash_password(password),
                        telegram=args.telegram,
                    ),
                    now,
                )
                await store.audit.append(
                    AdminAuditEntry(
                        now, None, "cli", "account-added", f"account:{account.id}", args.role
                    )
                )
                await store.commit()
                return account.pseudonym
        finally:
            await database.close()

    try:
        pseudonym = asyncio.run(add())
    except AccountExists:
        taken = f"the username {username}" + (" or that Telegram account" if args.telegram else "")
        print(f"mangnon admin add: {taken} is taken", file=sys.stderr)
        return 1
    print(f"added {username} ({pseudonym}) as {', '.join(sorted(roles))}")
    print(f"one-time password: {password}")
    print("it is shown only now; it must be changed at the first sign-in at /admin/login")
    return 0


def _list(args: argparse.Namespace) -> int:
    from bot.storage.admin import admin_stores
    from bot.storage.database import Database

    settings = load_settings()

    async def fetch() -> list[Any]:
        database = Database.from_url(settings.database_url)
        try:
            async with admin_stores(database)() as store:
                return list(await store.accounts.listing())
        finally:
            await database.close()

    for account in asyncio.run(fetch()):
        state = "active" if account.active else "inactive"
        roles = ",".join(sorted(account.roles))
        print(
            f"{account.id:>4}  {account.pseudonym:<10} {account.username or '-':<20} {roles:<30} {state}"
        )
    return 0


def _report(args: argparse.Namespace) -> int:
    from bot.app import load_content, load_languages
    from bot.core.admin.content import topic_lookup
    from bot.core.reports import Period, build_report
    from bot.core.reports.export import export
    from bot.storage.admin import admin_stores
    from bot.storage.database import Database

    try:
        period = Period(args.start, args.end)
    except ValueError as exc:
        print(f"mangnon report: {exc}", file=sys.stderr)
        return 2
    settings = load_settings()
    library = load_content(settings.content_dir, load_languages(settings)).library

    async def build() -> bytes:
        database = Database.from_url(settings.database_url)
        try:
            async with admin_stores(database)() as store:
                report = await build_report(
                    store.reports,
                    period,
                    settings.zone,
                    settings.report.min_group,
                    topic_lookup(library),
                    datetime.now(UTC),
                )
        finally:
            await database.close()
        return export(report, args.format)

    data = asyncio.run(build())
    if args.out:
        args.out.write_bytes(data)
        print(f"report {period} written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0
