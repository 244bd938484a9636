"""``mangnon search train`` and ``mangnon search eval``: the search's authoring tools.

Both need the dev extras (scikit-learn for training); the server never imports them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(commands: Any) -> None:
    search = commands.add_parser("search", help="train and measure the search")
    sub = search.add_subparsers(dest="search_command", required=True, metavar="SUBCOMMAND")
    train = sub.add_parser("train", help="rebuild content/questions/model/ from the questions")
    train.set_defaults(func=_train)
    evaluate = sub.add_parser("eval", help="top-1, top-3 and answer rates on a split")
    evaluate.add_argument(
        "--split",
        choices=("train", "dev", "eval", "test"),
        default="dev",
        help="dev (default); eval: tests/data/ask_eval.yaml; test: the blind split",
    )
    evaluate.add_argument("--bm25", action="store_true", help="BM25F alone, without the model")
    evaluate.add_argument("--show", action="store_true", help="list the misses (not on test)")
    evaluate.set_defaults(func=_eval)


def _train(args: argparse.Namespace) -> int:
    from bot.tools.search import train

    return train.main()


def _eval(args: argparse.Namespace) -> int:
    from bot.app import load_content, load_languages
    from bot.config import load_settings
    from bot.tools.search import evaluate, questions

    if args.show and args.split == "test":
        print("mangnon: --show is not allowed on the blind test split", file=sys.stderr)
        return 2
    try:
        rows = questions.load_split(args.split)
    except questions.QuestionsError as error:
        print(f"mangnon: {error}", file=sys.stderr)
        return 2
    settings = load_settings()
    content = load_content(settings.content_dir, load_languages(settings), model=not args.bm25)
    index = content.index
    if index is None:
        print("mangnon: the library has no search index", file=sys.stderr)
        return 2
    report = evaluate.evaluate(lambda q, lang: index.lookup(q, lang, limit=3), rows)
    kind = "BM25F alone" if args.bm25 else "topic model + BM25F"
    print(f"split {args.split}: {len(rows)} questions ({kind})\n")
    print(report.table())
    p50, p99 = (1000 * evaluate.percentile(report.seconds, q) for q in (0.5, 0.99))
    print(f"\nper look-up: p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    if args.show:
        print("\n".join(evaluate.show(report)))
    return 0
