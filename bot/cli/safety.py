"""``mangnon safety train`` and ``mangnon safety eval``: the learned safety layer's authoring tools.

Both need the dev extras (scikit-learn for training); the server never imports them.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(commands: Any) -> None:
    safety = commands.add_parser("safety", help="train and measure the safety check")
    sub = safety.add_subparsers(dest="safety_command", required=True, metavar="SUBCOMMAND")
    train = sub.add_parser("train", help="rebuild content/safety/model/ from the corpus")
    train.set_defaults(func=_train)
    compare = sub.add_parser("compare", help="candidate learned layers, measured on dev")
    compare.add_argument("names", nargs="*", help="only candidates whose name contains these")
    compare.set_defaults(func=_compare)
    evaluate = sub.add_parser("eval", help="recall, category and false alarms on a split")
    evaluate.add_argument("--split", choices=("train", "dev", "test", "all"), default="dev")
    evaluate.add_argument("--show", action="store_true", help="list the failures (not on test)")
    evaluate.add_argument("--explain", metavar="TEXT", help="how the layers read TEXT")
    evaluate.add_argument("--lang", default=None, help="the user's language for --explain")
    evaluate.add_argument(
        "--lexicons-only", action="store_true", help="measure the lexicons without the model"
    )
    evaluate.set_defaults(func=_eval)


def _train(args: argparse.Namespace) -> int:
    from bot.tools.safety import train

    return train.main()


def _compare(args: argparse.Namespace) -> int:
    from bot.tools.safety import compare

    return compare.main(args.names)


def _eval(args: argparse.Namespace) -> int:
    from bot.core.safety import SafetyChecker
    from bot.tools.safety import corpus, evaluate

    checker = SafetyChecker.load(corpus.CORPUS_DIR.parent, learned=not args.lexicons_only)
    if args.explain is not None:
        print("\n".join(evaluate.explain(checker, args.explain, args.lang)))
        return 0
    if args.show and args.split == "test":
        print("mangnon: --show is not allowed on the blind test split", file=sys.stderr)
        return 2
    try:
        rows = corpus.split(corpus.load_corpus(), args.split)
    except corpus.CorpusError as error:
        print(f"mangnon: {error}", file=sys.stderr)
        return 2
    report = evaluate.evaluate(checker.assess, rows)
    layers = (
        "lexicons only" if args.lexicons_only or checker.learned is None else "lexicons + model"
    )
    print(f"split {args.split}: {len(rows)} rows ({layers})\n")
    print(report.table())
    p50, p99 = (1000 * evaluate.percentile(report.seconds, q) for q in (0.5, 0.99))
    print(f"\nper check: p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    if args.show:
        print("\n".join(evaluate.show(report)))
    return 0
