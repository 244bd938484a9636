"""``mangnon ask`` (the answer the bot would give; no database, no network) and ``unanswered``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, date, datetime
from typing import Any

from bot.config import load_settings
from bot.core.admin.unanswered import group
from bot.core.textnorm import clean

RESULTS = 5


def register(commands: Any) -> None:
    ask = commands.add_parser("ask", help="show the answer the bot would give to a question")
    ask.add_argument(
        "text", nargs="?", help="the question; without it, one question per stdin line"
    )
    ask.add_argument("--lang", default=None, help="the user's language (default: DEFAULT_LOCALE)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.set_defaults(func=_ask)
    unanswered = commands.add_parser("unanswered", help="questions the library could not answer")
    unanswered.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD")
    unanswered.add_argument("--json", action="store_true", help="one JSON object per group")
    unanswered.set_defaults(func=_unanswered)


def _ask(args: argparse.Namespace) -> int:
    from bot.app import load_content, load_languages
    from bot.core.safety import SafetyChecker
    from bot.core.search import SearchResult

    settings = load_settings()
    lang = args.lang or settings.default_locale
    content = load_content(
        settings.content_dir, load_languages(settings), settings.min_review_level
    )
    safety = SafetyChecker.load(settings.content_dir / "safety")
    questions = [args.text] if args.text is not None else [line.rstrip("\n") for line in sys.stdin]
    for question in questions:
        query = clean(question, settings.max_message_chars)
        verdict = safety.assess(query, lang)
        result = content.index.lookup(query, lang, RESULTS) if content.index else SearchResult()
        hits = result.hits
        record = {
            "query": question,
            "lang": lang,
            "safety": {
                "escalate": verdict.escalate,
                "level": verdict.level.value,
                "category": verdict.category.value if verdict.category else None,
            },
            "results": [
                {"id": h.id, "topic": h.topic, "title": h.title, "score": round(h.score, 4)}
                for h in hits
            ],
            "confidence": result.confidence,
            "clarify": list(result.clarify) if result.clarify else None,
        }
        if args.json:
            print(json.dumps(record, ensure_ascii=False), flush=True)
            continue
        print(f"? {question}")
        if verdict.level.value != "none":
            print(f"  ⚠ safety: {verdict.level} ({verdict.category}, {verdict.severity})")
        if not hits:
            print("  (no vetted answer above the threshold: the bot offers topics and 111)")
        elif result.clarify:
            print(
                f'  (too close to call: the bot asks "Did you mean: {" · ".join(result.clarify)}?")'
            )
        for rank, hit in enumerate(hits, start=1):
            print(f"  {rank}. [{hit.score:.3f}] {hit.title} ({hit.id}, {hit.topic})")
    return 0


def _unanswered(args: argparse.Namespace) -> int:
    from bot.storage.database import Database

    settings = load_settings()
    since = datetime.combine(args.since, datetime.min.time(), UTC) if args.since else None

    async def fetch() -> list[Any]:
        database = Database.from_url(settings.database_url)
        try:
            async with database.store() as store:
                return list(await store.unanswered.since(since))
        finally:
            await database.close()

    questions = asyncio.run(fetch())
    groups = group(questions)
    for g in groups:
        record = {"lang": g.lang, "count": g.count, "text": g.text, "last": g.last.isoformat()}
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
        else:
            print(f"{g.count:>4}  [{g.lang}] {g.text}")
    if not args.json:
        print(f"{len(questions)} unanswered questions in {len(groups)} groups")
    return 0
