"""The ``mangnon`` command line. Each command group lives in its own module with ``register``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.channels.errors import ChannelConfigError
from bot.cli import (
    admin,
    ask,
    campaign,
    content,
    db,
    i18n,
    retention,
    run,
    safety,
    search,
    staff,
)
from bot.config import SettingsError

GROUPS = (run, db, content, ask, i18n, safety, search, campaign, staff, admin, retention)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mangnon", description="Măng Non: vetted child-protection guidance in chat."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except (SettingsError, ChannelConfigError) as exc:
        print(f"mangnon: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result
