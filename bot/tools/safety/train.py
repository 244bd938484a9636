"""``mangnon safety train``: rebuild the learned layer (content/safety/model/) from the corpus.

Reproducible: the split, the folds and the solver are seeded, and the artefact is written
byte-for-byte the same for the same corpus. The thresholds that turn a risk into a level are
chosen on out-of-fold scores of the training split (never on dev), and stored with the corpus
hash in the category model's artefact; ``make test`` fails when that hash no longer matches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.core.nlu import FeatureSpec, LinearModel, save_model
from bot.core.nlu.features import fold_word
from bot.core.safety.learned import CATEGORY_FILE, MODEL_DIR, NONE, WHEN_FILE, WHO_FILE
from bot.tools.nlu import FitOptions, fit_linear
from bot.tools.safety.corpus import CORPUS_DIR, SEED, Row, corpus_hash, load_corpus, split

LEXICONS = CORPUS_DIR.parent
# Share of the training split's at-risk rows whose out-of-fold risk must reach the check-in
# threshold, and share of its harmless rows allowed to reach the crisis threshold.
RECALL_TARGET = 0.995
HARMLESS_CRISIS = 0.015
FOLDS = 5
# Single letters that are also English words ("a", "I") stay as typed; the lexicon's other
# typing shortcuts ("ko" → "không", "e" → "em") become the words they stand for.
_NOT_ALIASED = frozenset({"a", "c", "t", "i", "k"})


@dataclass(frozen=True)
class Recipe:
    """What ``train`` builds: one feature spec and one regularisation per model."""

    spec: FeatureSpec
    category_c: float = 4.0
    situation_c: float = 2.0
    min_df: int = 2


def model_aliases(lexicon: Path = LEXICONS / "vi.yaml") -> dict[str, str]:
    """The Vietnamese lexicon's typing shortcuts, folded, for the models' features."""
    data = yaml.safe_load(lexicon.read_text(encoding="utf-8"))
    aliases = {fold_word(str(k)): fold_word(str(v)) for k, v in (data.get("aliases") or {}).items()}
    return {k: v for k, v in sorted(aliases.items()) if k not in _NOT_ALIASED}


def default_recipe() -> Recipe:
    return Recipe(FeatureSpec(char_ngrams=(2, 5), word_ngrams=(1, 2), aliases=model_aliases()))


@dataclass(frozen=True)
class Trained:
    category: LinearModel
    who: LinearModel
    when: LinearModel

    def save(self, directory: Path) -> list[Path]:
        paths = []
        for name, model in (
            (CATEGORY_FILE, self.category),
            (WHO_FILE, self.who),
            (WHEN_FILE, self.when),
        ):
            path = directory / MODEL_DIR / name
            save_model(model, path, dtype="float16")
            paths.append(path)
        return paths


def train(rows: Sequence[Row], recipe: Recipe | None = None, seed: int = SEED) -> Trained:
    """The three models from the training split of ``rows`` (the whole corpus)."""
    recipe = recipe or default_recipe()
    train_rows = split(rows, "train", seed)
    texts = [row.text for row in train_rows]
    labels = [row.expect.value if row.expect else NONE for row in train_rows]
    options = FitOptions(c=recipe.category_c, min_df=recipe.min_df, seed=seed)
    thresholds = choose_thresholds(texts, labels, recipe, options, seed)
    meta = {
        "corpus_hash": corpus_hash(rows),
        "seed": seed,
        "trained_on": f"train split: {len(train_rows)} of {len(rows)} rows",
        "thresholds": thresholds,
        "c": recipe.category_c,
        "min_df": recipe.min_df,
    }
    category = fit_linear(texts, labels, recipe.spec, _with(options, meta))
    situation = FitOptions(c=recipe.situation_c, min_df=recipe.min_df, seed=seed)
    who_rows = [row for row in train_rows if row.who is not None]
    who = fit_linear(
        [row.text for row in who_rows],
        [row.who.value for row in who_rows if row.who is not None],
        recipe.spec,
        _with(situation, {"corpus_hash": meta["corpus_hash"], "c": recipe.situation_c}),
    )
    when_rows = [row for row in train_rows if row.frame is not None]
    when = fit_linear(
        [row.text for row in when_rows],
        [row.frame.value for row in when_rows if row.frame is not None],
        recipe.spec,
        _with(situation, {"corpus_hash": meta["corpus_hash"], "c": recipe.situation_c}),
    )
    return Trained(category, who, when)


def choose_thresholds(
    texts: Sequence[str], labels: Sequence[str], recipe: Recipe, options: FitOptions, seed: int
) -> dict[str, float]:
    """Risk thresholds from out-of-fold scores: check-in keeps RECALL_TARGET of at-risk rows,
    crisis lets through at most HARMLESS_CRISIS of harmless rows."""
    risk = out_of_fold_risk(texts, labels, recipe.spec, options, seed)
    at_risk = np.array([label != NONE for label in labels])
    check_in = float(np.quantile(risk[at_risk], 1.0 - RECALL_TARGET))
    crisis = float(np.quantile(risk[~at_risk], 1.0 - HARMLESS_CRISIS))
    return {"check_in": round(check_in, 4), "crisis": round(max(crisis, check_in), 4)}


def out_of_fold_risk(
    texts: Sequence[str], labels: Sequence[str], spec: FeatureSpec, options: FitOptions, seed: int
) -> np.ndarray[Any, Any]:
    """Each text's risk (1 - P(none)) from a model trained without its fold."""
    fold = [
        int.from_bytes(hashlib.sha1(f"{seed}:{t}".encode()).digest()[:4], "big") % FOLDS
        for t in texts
    ]
    risk = np.zeros(len(texts))
    for k in range(FOLDS):
        inside = [i for i, f in enumerate(fold) if f != k]
        model = fit_linear([texts[i] for i in inside], [labels[i] for i in inside], spec, options)
        none = model.classes.index(NONE)
        for i, f in enumerate(fold):
            if f == k:
                risk[i] = 1.0 - float(model.probabilities(texts[i])[none])
    return risk


def _with(options: FitOptions, meta: dict[str, object]) -> FitOptions:
    return FitOptions(
        options.c, options.min_df, options.balanced, options.seed, options.max_iter, meta
    )


def main(corpus: Path = CORPUS_DIR, out: Path = LEXICONS) -> int:
    rows = load_corpus(corpus)
    trained = train(rows)
    for path in trained.save(out):
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    meta = trained.category.meta
    print(
        f"corpus {meta['corpus_hash'][:12]}…, {meta['trained_on']}, thresholds {meta['thresholds']}"
    )
    return 0
