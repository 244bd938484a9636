"""``mangnon content review-pack|review-import``: an outside expert's review of a topic."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.config import load_settings
from bot.core.library import Library
from bot.core.library.schema import ReviewerRole


def register(sub: Any) -> None:
    pack = sub.add_parser(
        "review-pack", help="every claim of a topic's articles, in a sheet for an expert to mark"
    )
    pack.add_argument("--topic", required=True, help="topic id (see content/topics.yaml)")
    pack.add_argument("--lang", help="one language only (default: every language)")
    pack.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    pack.set_defaults(func=_pack)
    sign = sub.add_parser(
        "review-import", help="apply an expert's marked pack to the articles' review level"
    )
    sign.add_argument("file", type=Path, help="the marked .xlsx pack")
    sign.add_argument("--reviewer", required=True, help="the reviewer's name")
    sign.add_argument(
        "--role", required=True, choices=[r.value for r in ReviewerRole], help="their role"
    )
    sign.add_argument("--organisation", help="their organisation (needed to reach expert)")
    sign.add_argument(
        "--date", type=date.fromisoformat, help="the date of the review (default: today)"
    )
    sign.set_defaults(func=_import)


def _library() -> Library:
    return Library.load(load_settings().content_dir)


def _pack(args: argparse.Namespace) -> int:
    from bot.tools.editorial.review_pack import export_pack

    library = _library()
    if args.topic not in library.topics:
        print(f"unknown topic {args.topic} (see content/topics.yaml)", file=sys.stderr)
        return 2
    try:
        pack = export_pack(library, args.topic, args.lang, args.out)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{pack.path}: {pack.claims} claims from {pack.articles} article versions")
    return 0


def _import(args: argparse.Namespace) -> int:
    from bot.tools.editorial.review_import import Reviewer, import_review

    reviewer = Reviewer(args.reviewer, ReviewerRole(args.role), args.organisation)
    try:
        report = import_review(_library(), args.file, reviewer, args.date or date.today())
    except (OSError, ValueError, KeyError) as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    for path in report.signed:
        print(f"expert: {path}")
    for name, why in sorted(report.held.items()):
        print(f"level unchanged: {name}: {why}")
    if report.requests:
        print("\nrequested changes, for the editor:")
        for r in report.requests:
            comment = f" — {r.comment}" if r.comment else ""
            print(f"  {r.article} ({r.lang}) claim {r.claim} [{r.verdict}]: {r.text}{comment}")
    return 0
