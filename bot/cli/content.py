"""``mangnon content check|list|reload|stamp|review-pack|review-import``: the editors' tools."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.cli import content_review
from bot.config import load_settings
from bot.core.communes import CommuneDirectory
from bot.core.library import Level, Library
from bot.core.library.model import Article, Problem, Snippet


def register(commands: Any) -> None:
    content = commands.add_parser("content", help="check and manage the vetted content")
    sub = content.add_subparsers(dest="content_command", required=True, metavar="ACTION")
    check = sub.add_parser("check", help="validate all content; errors exit non-zero")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.set_defaults(func=_check)
    listing = sub.add_parser("list", help="one line per article version")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(func=_list)
    reload = sub.add_parser("reload", help="ask the running server to reload content (SIGHUP)")
    reload.set_defaults(func=_reload)
    stamp = sub.add_parser("stamp", help="mark a translation as up to date with its source")
    stamp.add_argument("id", nargs="?", help="article or snippet id")
    stamp.add_argument("lang", nargs="?", help="the translation's language")
    stamp.add_argument(
        "--all", action="store_true", help="stamp every translation (initial import)"
    )
    stamp.set_defaults(func=_stamp)
    content_review.register(sub)


def _library() -> Library:
    settings = load_settings()
    return Library.load(settings.content_dir, min_level=settings.min_review_level)


def _check(args: argparse.Namespace) -> int:
    library = _library()
    problems = library.check(date.today())
    communes = load_settings().content_dir / "communes.yaml"
    if communes.is_file():
        try:
            CommuneDirectory.load(communes)
        except ValueError as exc:
            problems.append(Problem(Level.ERROR, communes, 1, str(exc)))
    for problem in sorted(problems, key=lambda p: (p.level.value, str(p.path), p.line)):
        print(problem)
    errors = sum(1 for p in problems if p.level is Level.ERROR)
    warnings = len(problems) - errors
    print(
        f"{len(library.articles)} article versions, {len(library.tips)} tips, "
        f"{len(library.topics)} topics: {errors} errors, {warnings} warnings"
    )
    return 1 if errors or (args.strict and warnings) else 0


def _list(args: argparse.Namespace) -> int:
    library = _library()
    today = date.today()
    for article in sorted(library.articles.values(), key=lambda a: (a.topic, a.id, a.lang)):
        record = {
            "id": article.id,
            "lang": article.lang,
            "topic": article.topic,
            "level": article.level.value,
            "servable": library.serves(article, today),
            "next_review": str(article.review.next_review or ""),
            "path": str(article.path),
        }
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(f"{record['id']:<36} {record['lang']:<4} {record['topic']:<30} {record['level']}")
    return 0


def _reload(args: argparse.Namespace) -> int:
    """Every serving worker reloads: through Redis when REDIS_URL is set, else by SIGHUP to
    each PID file in var/run/."""
    from bot.serve import PID_DIR, running_pids

    settings = load_settings()
    if settings.redis_url:
        import asyncio

        from bot.storage.redis_reload import publish

        workers = asyncio.run(publish(settings.redis_url))
        if not workers:
            print(
                "no running server is listening (Redis); start one with `mangnon serve`",
                file=sys.stderr,
            )
            return 1
        print(f"asked {workers} worker(s) to reload content (Redis)")
        return 0
    pids = running_pids()
    for pid in pids:
        os.kill(pid, signal.SIGHUP)
    if not pids:
        print(
            f"no running server found ({PID_DIR}/*.pid); start one with `mangnon serve`",
            file=sys.stderr,
        )
        return 1
    print(f"asked {len(pids)} worker(s) to reload content: pid {', '.join(map(str, pids))}")
    return 0


_INLINE = re.compile(r"(translation_of:\s*\{[^}]*?hash:\s*)(\"[^\"]*\"|'[^']*'|[^,}\s]*)")
_BLOCK = re.compile(
    r"(translation_of:\s*\n(?:[ \t]+\S.*\n)*?[ \t]+hash:[ \t]*)(\"[^\"]*\"|'[^']*'|\S*)"
)


def stamp_file(path: Path, new_hash: str) -> bool:
    text = path.read_text(encoding="utf-8")
    for pattern in (_INLINE, _BLOCK):
        updated, count = pattern.subn(lambda m: f'{m.group(1)}"{new_hash}"', text, count=1)
        if count:
            path.write_text(updated, encoding="utf-8")
            return True
    return False


def _stamp(args: argparse.Namespace) -> int:
    """Articles and shared snippets alike: a translation records its source's hash."""
    library = _library()
    texts: list[Article | Snippet] = [*library.articles.values(), *library.snippets.values()]
    versions = {(t.id, t.lang, type(t)): t for t in texts}
    targets = [
        t
        for t in texts
        if t.translation_of is not None and (args.all or (t.id == args.id and t.lang == args.lang))
    ]
    if not args.all and not (args.id and args.lang):
        print("give an article or snippet id and language, or --all", file=sys.stderr)
        return 2
    if not targets:
        print(f"no translation {args.id} ({args.lang}) found", file=sys.stderr)
        return 1
    for text in targets:
        assert text.translation_of is not None
        source = versions.get((text.id, text.translation_of.lang, type(text)))
        if source is None:
            print(f"{text.path}: no source version to stamp against", file=sys.stderr)
            continue
        if stamp_file(text.path, source.hash):
            print(f"{text.path}: translation_of.hash = {source.hash}")
        else:
            print(f"{text.path}: could not find translation_of.hash to update", file=sys.stderr)
            return 1
    return 0
