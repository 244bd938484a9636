"""Benchmark the search (issue #14) against a plain BM25 baseline, in the same run.

Run: ``.venv/bin/python -m bench.bench_search`` (``--write`` updates the "## Search" section of
docs/BENCHMARKS.md; ``--blind`` adds the blind test split, tests/data/blind/ask_test.yaml, when the
lead has placed it there). Accuracy on the dev split of content/questions and on
tests/data/ask_eval.yaml (another writer, never trained on); latency with the real library and
with 1,000 articles; index build time; the topic model's memory.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from rank_bm25 import BM25Okapi

from bench.report import DOC_PATH, write_section
from bot.core.library import Article, Library
from bot.core.search import MODEL_PATH, Lexicon, SearchHit, SearchIndex, SearchResult, TopicModel
from bot.core.search.analysis import base_token
from bot.core.search.fusion import rank
from bot.tools.search import evaluate, questions
from bot.tools.search.questions import GROUPS, Row

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SECTION = "## Search (issue #14)"
COMMAND = ".venv/bin/python -m bench.bench_search --write"
SCALE = 1000
SEED = 4
REPEAT = 3  # cold builds per corpus
RUNS = 5  # runs per question for latency: the fastest counts (a shared machine preempts)
Lookup = Callable[[str, str], SearchResult]

NOTES = """How to read this:
- **Ours** (`SearchIndex.lookup`): a linear model over accent-folded character (2–5) and word
  (1–2) n-grams, trained on the training split of content/questions and the articles' titles and
  example questions (topics + `none`), fused with BM25F: each topic's share is the model's
  probability × exp(w × its best article's BM25F score), `none` given a weak match's score. Whether
  to answer at all is the in-scope gate's (bot/core/search/scope.py): a logistic combination of a
  binary in-scope/off-topic model (word 1–2-grams), the model's `none` and first-topic
  probabilities, the fused shares and BM25F's evidence. The settings, the gate's weights and its
  threshold were chosen on out-of-fold scores of the training split (bot/tools/search/train.py),
  never on dev. Questions typed without accents get their likely
  accents from a bigram model of the library and the training questions before BM25F.
- **BM25F alone** is the search without the model (threshold 0.32). **Model alone** is the
  classifier's ranking, no answer when `none` comes first (no gate). **BM25Okapi** is rank_bm25 over
  whitespace tokens of title, summary, body and questions, no threshold (it always answers).
- top-1 / top-3 count in-scope questions whose topic comes first / among the first three hits;
  "unanswered" is in-scope questions left without an answer; "off answered" is off-topic
  questions (`none`) that got one. Groups are how the blind split labels styles: Vietnamese with
  accents (teen and central rows included when typed with accents), without, and English (native
  and non-native).
- Latency: wall time (and CPU time of the thread, which other processes on a shared machine do
  not inflate) of one `lookup()` after the index is built and the heap settled (`gc.freeze()`,
  as `mangnon serve` does), the fastest of 5 runs per question, then p50/p99 over the dev and
  eval questions. Build: CPU time of the fastest of 3 cold builds (fresh lexicon,
  empty word caches; CPU time because the machine is shared), the accent model included and the
  topic model already loaded; loading the model is timed on its own. Memory: what
  `TopicModel.load` allocates and keeps (tracemalloc)."""


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

    def lookup(self, question: str, lang: str) -> SearchResult:
        lang = lang if lang in self._bm25 else "vi"
        scores = self._bm25[lang].get_scores(question.lower().split())
        seen: dict[str, SearchHit] = {}
        for i in sorted(range(len(scores)), key=lambda i: -scores[i]):
            a = self._docs[lang][i]
            seen.setdefault(a.topic, SearchHit(a.id, a.topic, a.title, a.lang, float(scores[i])))
            if len(seen) == 3:
                break
        return SearchResult(tuple(seen.values()), 1.0)


def model_alone(index: SearchIndex, model: TopicModel) -> Lookup:
    """The classifier's ranking without BM25F (weight 0), no answer when ``none`` comes first."""
    fusion = replace(model.fusion, bm25_weight=0.0, answer_floor=0.0, other_share=0.0)

    def lookup(question: str, lang: str) -> SearchResult:
        ranking = rank(model.probabilities(question), {}, fusion, 3)
        hits = tuple(SearchHit(t, t, t, lang, s) for t, s in ranking.topics)
        return SearchResult(hits, ranking.confidence)

    return lookup


def load_corpus() -> list[Article]:
    return Library.load(CONTENT).servable(date.today())


def load_model() -> tuple[TopicModel, float, float]:
    """The model, seconds to load it, and the megabytes it keeps allocated."""
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    model = TopicModel.load(CONTENT / MODEL_PATH)
    seconds = time.perf_counter() - start
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return model, seconds, current / 1e6


def build(articles: Sequence[Article], model: TopicModel | None) -> tuple[SearchIndex, float]:
    """Build REPEAT times from a cold start (fresh lexicon, empty word caches); keep the fastest
    in CPU seconds (the machine is shared). Then settle the heap as ``mangnon serve`` does."""
    best, index = float("inf"), None
    for _ in range(REPEAT):
        lexicon = Lexicon.load(CONTENT / "lexicon")
        base_token.cache_clear()
        start = time.process_time()
        index = SearchIndex.build(articles, lexicon, model)
        best = min(best, time.process_time() - start)
    assert index is not None
    gc.collect()
    gc.freeze()
    return index, best


def latencies(lookup: Lookup, rows: Sequence[Row]) -> tuple[float, float, float]:
    """p50 and p99 of wall time and p99 of CPU time, in milliseconds, each question the fastest
    of RUNS runs."""
    wall, cpu = [], []
    for row in rows:
        walls, cpus = [], []
        for _ in range(RUNS):
            start, start_cpu = time.perf_counter(), time.thread_time()
            lookup(row.q, row.lang)
            walls.append((time.perf_counter() - start) * 1000)
            cpus.append((time.thread_time() - start_cpu) * 1000)
        wall.append(min(walls))
        cpu.append(min(cpus))
    p99 = evaluate.percentile
    return p99(wall, 0.5), p99(wall, 0.99), p99(cpu, 0.99)


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def synthetic_corpus(articles: Sequence[Article], size: int = SCALE) -> list[Article]:
    """``size`` articles made by recombining real articles' sentences (same language) under new ids."""
    rng = random.Random(SEED)
    sentences: dict[str, list[str]] = {}
    asked: dict[str, list[str]] = {}
    for a in articles:
        sentences.setdefault(a.lang, []).extend(_SENTENCE.split(a.summary + " " + a.body))
        asked.setdefault(a.lang, []).extend(a.questions)
    made = []
    for i in range(size):
        base = rng.choice(articles)
        pool, qs = sentences[base.lang], asked[base.lang]
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


@dataclass(frozen=True)
class Method:
    name: str
    lookup: Lookup


def _table(rows: Sequence[Sequence[str]]) -> str:
    header, *body = rows
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def accuracy_table(methods: Sequence[Method], rows: Sequence[Row]) -> str:
    """One line per method and group: top-1, top-3, unanswered, off-topic answered."""
    table = [("method", "group", "top-1", "top-3", "unanswered", "off answered", "clarify")]
    for method in methods:
        report = evaluate.evaluate(method.lookup, rows)
        for group in ("all", *GROUPS):
            tally = report.tallies.get(group)
            if tally is None:
                continue
            cells = tally.cells()  # in scope, top-1, top-3, unanswered, clarify, off, answered
            table.append((method.name, group, cells[1], cells[2], cells[3], cells[6], cells[4]))
    return _table(table)


def run(blind: bool = False) -> str:
    articles = load_corpus()
    model, load_s, model_mb = load_model()
    ours, ours_build = build(articles, model)
    bm25f, bm25f_build = build(articles, None)
    baseline_start = time.perf_counter()
    baseline = Bm25Baseline(articles)
    baseline_build = time.perf_counter() - baseline_start
    methods = [
        Method("**ours** (model + BM25F)", lambda q, lang: ours.lookup(q, lang, 3)),
        Method("model alone", model_alone(ours, model)),
        Method("BM25F alone", lambda q, lang: bm25f.lookup(q, lang, 3)),
        Method("BM25Okapi", baseline.lookup),
    ]
    dev, other = questions.load_split("dev"), questions.load_split("eval")
    sections = [
        f"Corpus: {len(articles)} served articles. Topic model: "
        f"{model.model.meta.get('trained_on', '?')}; "
        f"corpus hash {str(model.model.meta.get('corpus_hash', ''))[:12]}.",
        f"**Dev split** of content/questions ({len(dev)} questions, "
        f"{sum(not r.in_scope for r in dev)} off-topic; same writers as the training split):",
        accuracy_table(methods, dev),
        f"**Eval set** tests/data/ask_eval.yaml ({len(other)} questions, "
        f"{sum(not r.in_scope for r in other)} off-topic; another writer, never trained on; "
        "today's lexicon and BM25F settings were tuned on most of it):",
        accuracy_table(methods, other),
    ]
    if blind:
        test = questions.load_split("test")
        sections += [
            f"**Blind test split** tests/data/blind/ask_test.yaml ({len(test)} questions):",
            accuracy_table(methods, test),
        ]
    timed = [*dev, *other]
    scaled = synthetic_corpus(articles)
    big, big_build = build([*articles, *scaled], model)
    big_bm25f, big_bm25f_build = build([*articles, *scaled], None)
    big_base_start = time.perf_counter()
    big_baseline = Bm25Baseline([*articles, *scaled])
    big_base_build = time.perf_counter() - big_base_start
    speed = [("", "articles", "p50 ms", "p99 ms", "p99 CPU ms", "build CPU ms")]
    for name, count, lookup, built in (
        ("ours", len(articles), methods[0].lookup, ours_build),
        ("BM25F alone", len(articles), methods[2].lookup, bm25f_build),
        ("BM25Okapi", len(articles), baseline.lookup, baseline_build),
        ("ours", len(articles) + SCALE, lambda q, lang: big.lookup(q, lang, 3), big_build),
        (
            "BM25F alone",
            len(articles) + SCALE,
            lambda q, lang: big_bm25f.lookup(q, lang, 3),
            big_bm25f_build,
        ),
        ("BM25Okapi", len(articles) + SCALE, big_baseline.lookup, big_base_build),
    ):
        p50, p99, cpu99 = latencies(lookup, timed)
        speed.append(
            (name, str(count), f"{p50:.2f}", f"{p99:.2f}", f"{cpu99:.2f}", f"{built * 1000:.0f}")
        )
    sections += [
        f"Speed over the {len(timed)} dev and eval questions; the large library adds {SCALE} "
        "synthetic articles recombined from the real ones' sentences (new ids):",
        _table(speed),
        f"Topic model: {len(model.model.vocabulary)} features × {len(model.model.classes)} "
        f"classes; loads in {load_s * 1000:.0f} ms and keeps {model_mb:.1f} MB "
        f"(goal < 100 MB), the binary in-scope model of the gate included "
        f"({len(model.scope.vocabulary) if model.scope else 0} features); "
        f"fusion settings {model.fusion.to_json()}.",
        NOTES,
    ]
    return "\n\n".join(sections)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"update {DOC_PATH.name}")
    parser.add_argument("--blind", action="store_true", help="add the blind test split")
    args = parser.parse_args(argv)
    report = run(args.blind)
    print(report)
    if args.write:
        write_section(SECTION, COMMAND + (" --blind" if args.blind else ""), report)


if __name__ == "__main__":
    main()
