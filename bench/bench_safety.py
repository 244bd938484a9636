"""The safety check (issue #13): lexicons + learned layer against the lexicons alone, same run.

Load time (fresh process state: the fastest of 3 loads), time per check over the corpus texts
(the fastest of 3 runs per text, then p50/p99 over texts), the artefact's size on disk and the
models' memory (numpy arrays plus the vocabulary dicts, measured with tracemalloc while loading),
and the dev-split figures of both (never the blind test split).

Run: ``.venv/bin/python -m bench.bench_safety`` (``--write`` updates docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass

from bench.report import DOC_PATH, write_section
from bot.core.safety import SafetyChecker
from bot.core.safety.learned import MODEL_DIR, LearnedLayer
from bot.tools.safety.corpus import CORPUS_DIR, load_corpus, split
from bot.tools.safety.evaluate import evaluate, percentile

SECTION = "## Safety check (issue #13)"
COMMAND = ".venv/bin/python -m bench.bench_safety --write"
LEXICONS = CORPUS_DIR.parent
RUNS = 3


@dataclass(frozen=True)
class Timing:
    name: str
    load_ms: float
    p50_ms: float
    p99_ms: float
    worst_ms: float


def _load_ms(learned: bool) -> float:
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        SafetyChecker.load(LEXICONS, learned=learned)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def _timing(name: str, checker: SafetyChecker, texts: Sequence[str], learned: bool) -> Timing:
    per_text = []
    for text in texts:
        best = float("inf")
        for _ in range(RUNS):
            started = time.perf_counter()
            checker.assess(text, "vi")
            best = min(best, time.perf_counter() - started)
        per_text.append(best * 1000)
    return Timing(
        name,
        _load_ms(learned),
        percentile(per_text, 0.5),
        percentile(per_text, 0.99),
        max(per_text),
    )


def _model_memory() -> tuple[float, float]:
    """MB on disk and MB allocated while loading the learned layer."""
    size = sum(p.stat().st_size for p in (LEXICONS / MODEL_DIR).glob("*.nlu")) / 1e6
    tracemalloc.start()
    layer = LearnedLayer.load(LEXICONS)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert layer is not None
    return size, current / 1e6


def run() -> str:
    rows = load_corpus()
    dev = split(rows, "dev")
    texts = [row.text for row in rows]
    full = SafetyChecker.load(LEXICONS)
    lexicons = SafetyChecker.load(LEXICONS, learned=False)
    for text in texts[:50]:  # warm caches (regex, numpy) before timing
        full.assess(text)
        lexicons.assess(text)
    timings = [
        _timing("lexicons + learned layer", full, texts, learned=True),
        _timing("lexicons only (baseline)", lexicons, texts, learned=False),
    ]
    size_mb, memory_mb = _model_memory()
    table = [
        "| check | load ms | p50 ms | p99 ms | slowest ms |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {t.name} | {t.load_ms:.0f} | {t.p50_ms:.3f} | {t.p99_ms:.3f} | {t.worst_ms:.2f} |"
            for t in timings
        ),
    ]
    ours, base = timings
    meta = full.learned.risk_model.meta if full.learned else {}
    figures = [
        f"Dev split: {len(dev)} of {len(rows)} corpus rows (content/safety/corpus/, seeded "
        f"stratified split; the model never trained on them, its thresholds were chosen on "
        f"out-of-fold scores of the training split). These are **dev** figures, not the blind "
        f"test split's.",
        "Lexicons + learned layer:",
        evaluate(full.assess, dev).table(),
        "Lexicons only:",
        evaluate(lexicons.assess, dev).table(),
    ]
    return "\n\n".join(
        [
            f"{len(texts)} corpus texts, each checked {RUNS} times (the fastest counts), one "
            f"process, one core.",
            "\n".join(table),
            f"- per check, learned layer ÷ lexicons: p50 {ours.p50_ms / base.p50_ms:.1f}×, "
            f"p99 {ours.p99_ms / base.p99_ms:.1f}× (goal: p99 < 5 ms "
            f"{'✅' if ours.p99_ms < 5 else '❌'})",
            f"- load: {ours.load_ms:.0f} ms with the models, {base.load_ms:.0f} ms without "
            f"(goal < 2000 ms {'✅' if ours.load_ms < 2000 else '❌'})",
            f"- artefact: {size_mb:.2f} MB on disk (goal < 20 MB "
            f"{'✅' if size_mb < 20 else '❌'}), {memory_mb:.1f} MB in memory once loaded",
            f"- model: trained on {meta.get('trained_on', '?')}, corpus "
            f"{str(meta.get('corpus_hash', '?'))[:12]}, thresholds {meta.get('thresholds')}",
            *figures,
        ]
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"update {DOC_PATH.name}")
    args = parser.parse_args(argv)
    report = run()
    print(report)
    if args.write:
        write_section(SECTION, COMMAND, report)


if __name__ == "__main__":
    main()
