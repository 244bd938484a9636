"""``mangnon safety compare``: candidate learned layers trained on train, measured on dev.

Each candidate is a ``Recipe`` (features and regularisation). For each: the dev figures of the
model alone (risk against its own out-of-fold thresholds, category by argmax) and of the whole
check (lexicons + that model through ``grading``), the time per reading and the artefact size.
The chosen recipe is ``train.default_recipe``; docs/BENCHMARKS.md records the comparison.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bot.core.safety import SafetyChecker
from bot.core.safety.grading import LexiconReading, grade
from bot.core.safety.learned import LearnedLayer
from bot.core.safety.verdict import Verdict
from bot.tools.safety.corpus import CORPUS_DIR, Row, load_corpus, split
from bot.tools.safety.evaluate import Tally, evaluate, percentile
from bot.tools.safety.train import Recipe, default_recipe, train

LEXICONS = CORPUS_DIR.parent


def candidates() -> dict[str, Recipe]:
    chosen = default_recipe()
    spec = chosen.spec
    return {
        "chars 2-5 + words 1-2, folded (chosen)": chosen,
        "words 1-2 only, folded": dataclasses.replace(
            chosen, spec=dataclasses.replace(spec, char_ngrams=(0, 0))
        ),
        "chars 2-5 only, folded": dataclasses.replace(
            chosen, spec=dataclasses.replace(spec, word_ngrams=(0, 0))
        ),
        "chars 2-5 + words 1-2, accents kept": dataclasses.replace(
            chosen, spec=dataclasses.replace(spec, strip_accents=False)
        ),
        "chars 1-4 + words 1-3, folded": dataclasses.replace(
            chosen, spec=dataclasses.replace(spec, char_ngrams=(1, 4), word_ngrams=(1, 3))
        ),
        "chars 2-5 + words 1-2, folded, no aliases": dataclasses.replace(
            chosen, spec=dataclasses.replace(spec, aliases={})
        ),
        "chosen features, weaker regularisation (C×4)": dataclasses.replace(
            chosen, risk_c=chosen.risk_c * 4, category_c=chosen.category_c * 4
        ),
        "chosen features, stronger regularisation (C÷4)": dataclasses.replace(
            chosen, risk_c=chosen.risk_c / 4, category_c=chosen.category_c / 4
        ),
    }


def _row(name: str, tally: Tally, extra: str) -> str:
    return (
        f"| {name} | {tally.recall:.1%} | {tally.crisis_on_harmless:.1%} | "
        f"{tally.check_in_on_harmless:.1%} | {tally.category_accuracy:.1%} | {extra} |"
    )


def compare(rows: Sequence[Row], recipes: dict[str, Recipe]) -> str:
    dev = split(rows, "dev")
    lexicons = SafetyChecker.load(LEXICONS, learned=False)
    head = (
        "| candidate | recall | crisis on harmless | check-in on harmless | category right "
        "| read p99 ms, MB |\n|---|---:|---:|---:|---:|---:|"
    )
    alone, combined = [head], [head]
    combined.append(_row("lexicons only (no model)", evaluate(lexicons.assess, dev).total, "–"))
    for name, recipe in recipes.items():
        with tempfile.TemporaryDirectory() as folder:
            trained = train(rows, recipe)
            paths = trained.save(Path(folder))
            size = sum(p.stat().st_size for p in paths) / 1e6
            layer = LearnedLayer.load(Path(folder))
        assert layer is not None
        thresholds = layer.thresholds
        seconds = []
        for row in dev:
            started = time.perf_counter()
            layer.read(row.text)
            seconds.append(time.perf_counter() - started)
        extra = f"{1000 * percentile(seconds, 0.99):.2f}, {size:.1f}"

        def model_only(text: str, lang: str, layer: LearnedLayer = layer) -> Verdict:
            return grade(LexiconReading(()), layer.read(text), layer.thresholds)

        alone.append(_row(name, evaluate(model_only, dev).total, extra))
        checker = lexicons.with_learned(layer)
        combined.append(_row(name, evaluate(checker.assess, dev).total, extra))
        print(f"{name}: thresholds {thresholds}", flush=True)
    return "\n\n".join(
        [
            f"Dev split, {len(dev)} rows; each candidate trained on the training split with the "
            "same seed and its own out-of-fold thresholds.",
            "The learned layer alone (grading without lexicon rules):",
            "\n".join(alone),
            "The whole check (lexicons + the candidate):",
            "\n".join(combined),
        ]
    )


def main(names: Sequence[str] = ()) -> int:
    recipes = candidates()
    if names:
        recipes = {k: v for k, v in recipes.items() if any(n in k for n in names)}
    print(compare(load_corpus(), recipes))
    return 0
