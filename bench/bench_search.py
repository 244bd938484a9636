"""Benchmark the search (issue #4) against a plain BM25 baseline on the same eval set and corpus.

Run: ``.venv/bin/python -m bench.bench_search`` (``--misses`` lists the questions we get wrong,
``--write`` updates the "## Search (issue #4)" section of docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import yaml
from rank_bm25 import BM25Okapi

from bot.core.library import Article, Library
from bot.core.search import Lexicon, SearchIndex

ROOT = Path(__file__).resolve().parent.parent
EVAL_PATH = ROOT / "tests" / "data" / "ask_eval.yaml"
DOC_PATH = ROOT / "docs" / "BENCHMARKS.md"
SECTION = "## Search (issue #4)"
COMMAND = ".venv/bin/python -m bench.bench_search --write"
SCALE = 1000
SEED = 4

Searcher = Callable[[str, str], list[str]]  # (question, lang) → topics, best first


@dataclass(frozen=True)
class EvalItem:
    q: str
    lang: str
    topic: str


@dataclass(frozen=True)
class Result:
    name: str
    top1: float
    top3: float
    p50_ms: float
    p99_ms: float
    build_s: float
    misses: tuple[tuple[EvalItem, tuple[str, ...]], ...]


def load_eval(path: Path = EVAL_PATH) -> list[EvalItem]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [EvalItem(i["q"], i["lang"], i["topic"]) for i in data["items"]]


def load_off_topic(path: Path = EVAL_PATH) -> list[EvalItem]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [EvalItem(i["q"], i["lang"], "") for i in data.get("off_topic", [])]


def load_corpus(root: Path = ROOT / "content") -> list[Article]:
    return Library.load(root).servable(date.today())


class Bm25Baseline:
    """rank_bm25's BM25Okapi, whitespace tokens over title+summary+body+questions, per language."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self._docs: dict[str, list[Article]] = {}
        for article in articles:
            self._docs.setdefault(article.lang, []).append(article)
        self._bm25 = {
            lang: BM25Okapi([self._tokens(a) for a in docs]) for lang, docs in self._docs.items()
        }

    @staticmethod
    def _tokens(article: Article) -> list[str]:
        text = " ".join([article.title, article.summary, article.body, *article.questions])
        return text.lower().split()

    def search(self, question: str, lang: str) -> list[str]:
        lang = lang if lang in self._bm25 else "vi"
        scores = self._bm25[lang].get_scores(question.lower().split())
        ranked = sorted(range(len(scores)), key=lambda i: -scores[i])
        return [self._docs[lang][i].topic for i in ranked[:3]]


def _ours(articles: Sequence[Article], lexicon: Lexicon) -> tuple[Searcher, float]:
    start = time.perf_counter()
    index = SearchIndex.build(articles, lexicon)
    build = time.perf_counter() - start
    return (lambda q, lang: [h.topic for h in index.search(q, lang, limit=3)]), build


def _baseline(articles: Sequence[Article]) -> tuple[Searcher, float]:
    start = time.perf_counter()
    bm25 = Bm25Baseline(articles)
    return bm25.search, time.perf_counter() - start


def _percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def evaluate(name: str, searcher: Searcher, build_s: float, items: Sequence[EvalItem]) -> Result:
    top1 = top3 = 0
    latencies: list[float] = []
    misses = []
    for item in items:
        start = time.perf_counter()
        topics = searcher(item.q, item.lang)
        latencies.append((time.perf_counter() - start) * 1000)
        top1 += bool(topics) and topics[0] == item.topic
        top3 += item.topic in topics[:3]
        if not topics or topics[0] != item.topic:
            misses.append((item, tuple(topics)))
    n = max(len(items), 1)
    return Result(
        name,
        top1 / n,
        top3 / n,
        _percentile(latencies, 50),
        _percentile(latencies, 99),
        build_s,
        tuple(misses),
    )


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def synthetic_corpus(articles: Sequence[Article], size: int = SCALE) -> list[Article]:
    """``size`` articles made by recombining real articles' sentences (same language) under new ids."""
    rng = random.Random(SEED)
    sentences: dict[str, list[str]] = {}
    questions: dict[str, list[str]] = {}
    for a in articles:
        sentences.setdefault(a.lang, []).extend(_SENTENCE.split(a.summary + " " + a.body))
        questions.setdefault(a.lang, []).extend(a.questions)
    made = []
    for i in range(size):
        base = rng.choice(articles)
        pool, qs = sentences[base.lang], questions[base.lang]
        made.append(
            replace(
                base,
                id=f"synthetic-{i:04d}",
                title=" ".join(rng.sample(pool, 1))[:80],
                summary=" ".join(rng.sample(pool, 2)),
                body="\n\n".join(rng.sample(pool, min(len(pool), rng.randint(15, 40)))),
                questions=tuple(rng.sample(qs, min(len(qs), 6))),
                keywords=tuple(rng.sample(list(base.keywords), len(base.keywords))),
            )
        )
    return made


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    header, *body = rows
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def run(show_misses: bool = False) -> str:
    articles = load_corpus()
    lexicon = Lexicon.load(ROOT / "content" / "lexicon")
    items = load_eval()
    ours = evaluate("Măng Non search", *_ours(articles, lexicon), items)
    base = evaluate("BM25Okapi baseline", *_baseline(articles), items)
    scaled = synthetic_corpus(articles)
    ours_big = evaluate("Măng Non search", *_ours(scaled, lexicon), items)
    base_big = evaluate("BM25Okapi baseline", *_baseline(scaled), items)
    off = load_off_topic()
    index = SearchIndex.build(articles, lexicon)
    answered = [i.q for i in off if index.search(i.q, i.lang)]

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}×" if b else "n/a"

    rows = [
        ("", "top-1", "top-3", "p50 ms", "p99 ms", "build ms"),
        *[
            (
                r.name,
                f"{r.top1:.1%}",
                f"{r.top3:.1%}",
                f"{r.p50_ms:.2f}",
                f"{r.p99_ms:.2f}",
                f"{r.build_s * 1000:.0f}",
            )
            for r in (ours, base)
        ],
        (
            "ours ÷ baseline",
            ratio(ours.top1, base.top1),
            ratio(ours.top3, base.top3),
            ratio(ours.p50_ms, base.p50_ms),
            ratio(ours.p99_ms, base.p99_ms),
            ratio(ours.build_s, base.build_s),
        ),
    ]
    scale_rows = [
        ("", "p50 ms", "p99 ms", "build ms"),
        *[
            (r.name, f"{r.p50_ms:.2f}", f"{r.p99_ms:.2f}", f"{r.build_s * 1000:.0f}")
            for r in (ours_big, base_big)
        ],
        (
            "ours ÷ baseline",
            ratio(ours_big.p50_ms, base_big.p50_ms),
            ratio(ours_big.p99_ms, base_big.p99_ms),
            ratio(ours_big.build_s, base_big.build_s),
        ),
    ]
    langs = sorted({a.lang for a in articles})
    report = "\n\n".join(
        [
            f"Eval set: {len(items)} questions (`tests/data/ask_eval.yaml`); corpus: {len(articles)} "
            f"approved articles ({', '.join(langs)}); top-3 for ours counts hits above the threshold "
            f"({SearchIndex.threshold}).",
            _table(rows),
            f"Scale: {SCALE} synthetic articles recombined from the real ones' sentences, same questions.",
            _table(scale_rows),
            f"Off-topic questions answered (should be 0): {len(answered)} of {len(off)}"
            + (f": {answered}" if answered else "."),
        ]
    )
    if show_misses:
        for item, got in ours.misses:
            print(f"MISS [{item.lang}] {item.q!r}: want {item.topic}, got {list(got)}")
    return report


def write_section(report: str, path: Path = DOC_PATH) -> None:
    """Replace (or add) our section of docs/BENCHMARKS.md, leaving the others intact."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    body = f"{SECTION}\n\nCommand: `{COMMAND}` (machine: {sys.platform}, Python "
    body += f"{sys.version.split()[0]}; figures vary by machine, ratios less).\n\n{report}\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + body
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="list the questions we get wrong")
    parser.add_argument("--write", action="store_true", help=f"update {DOC_PATH.name}")
    args = parser.parse_args(argv)
    report = run(args.misses)
    print(report)
    if args.write:
        write_section(report)


if __name__ == "__main__":
    main()
