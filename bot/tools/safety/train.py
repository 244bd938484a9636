"""``mangnon safety train``: rebuild the learned layer (content/safety/model/) from the corpus.

Reproducible: the split, the folds and the solver are seeded, and the artefact is written
byte-for-byte the same for the same corpus. The thresholds that turn a risk into a level are
chosen on out-of-fold scores of the training split (never on dev), and stored with the corpus
hash in the category model's artefact; ``make test`` fails when that hash no longer matches.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.core.nlu import FeatureSpec, LinearModel, save_model
from bot.core.nlu.features import fold_word
from bot.core.safety.learned import AT_RISK, FILES, MODEL_DIR, NONE
from bot.tools.nlu import FitOptions, fit_linear
from bot.tools.safety.corpus import CORPUS_DIR, SEED, Row, corpus_hash, load_corpus, split

LEXICONS = CORPUS_DIR.parent
# Share of the training split's at-risk rows whose out-of-fold risk must reach the check-in
# threshold; shares of its harmless rows allowed to reach the agree and the crisis thresholds.
RECALL_TARGET = 0.99
HARMLESS_AGREE = 0.10
HARMLESS_CRISIS = 0.015
FOLDS = 5
# Single letters that are also English words ("a", "I") stay as typed; the lexicon's other
# typing shortcuts ("ko" → "không", "e" → "em") become the words they stand for.
_NOT_ALIASED = frozenset({"a", "c", "t", "i", "k"})


@dataclass(frozen=True)
class Recipe:
    """What ``train`` builds: one feature spec and one regularisation per kind of model."""

    spec: FeatureSpec
    risk_c: float = 4.0
    category_c: float = 16.0
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
    risk: LinearModel
    category: LinearModel
    who: LinearModel
    when: LinearModel

    def save(self, directory: Path) -> list[Path]:
        """Write the four artefacts into ``directory``/model/ (the order of ``FILES``)."""
        paths = []
        models = (self.risk, self.category, self.who, self.when)
        for name, model in zip(FILES, models, strict=True):
            path = directory / MODEL_DIR / name
            save_model(model, path, dtype="float16")
            paths.append(path)
        return paths


def train(rows: Sequence[Row], recipe: Recipe | None = None, seed: int = SEED) -> Trained:
    """The four models from the training split of ``rows`` (the whole corpus)."""
    recipe = recipe or default_recipe()
    train_rows = split(rows, "train", seed)
    texts = [row.text for row in train_rows]
    labels = [AT_RISK if row.at_risk else NONE for row in train_rows]
    risk_options = FitOptions(c=recipe.risk_c, min_df=recipe.min_df, seed=seed)
    thresholds = choose_thresholds(texts, labels, recipe.spec, risk_options, seed)
    stamp = {"corpus_hash": corpus_hash(rows), "seed": seed, "min_df": recipe.min_df}
    meta = {
        **stamp,
        "trained_on": f"train split: {len(train_rows)} of {len(rows)} rows",
        "thresholds": thresholds,
        "c": recipe.risk_c,
    }
    risk = fit_linear(texts, labels, recipe.spec, dataclasses.replace(risk_options, meta=meta))
    harmful = [row for row in train_rows if row.expect is not None]
    category = _fit(harmful, lambda row: row.expect, recipe, recipe.category_c, stamp, seed)
    who = _fit(train_rows, lambda row: row.who, recipe, recipe.situation_c, stamp, seed)
    when = _fit(train_rows, lambda row: row.frame, recipe, recipe.situation_c, stamp, seed)
    return Trained(risk, category, who, when)


def _fit(
    rows: Sequence[Row],
    label: Callable[[Row], StrEnum | None],
    recipe: Recipe,
    c: float,
    stamp: dict[str, Any],
    seed: int,
) -> LinearModel:
    """A model of ``label`` over the rows that have one."""
    labelled = [(row.text, value.value) for row in rows if (value := label(row)) is not None]
    options = FitOptions(c=c, min_df=recipe.min_df, seed=seed, meta={**stamp, "c": c})
    return fit_linear([t for t, _ in labelled], [v for _, v in labelled], recipe.spec, options)


def choose_thresholds(
    texts: Sequence[str], labels: Sequence[str], spec: FeatureSpec, options: FitOptions, seed: int
) -> dict[str, float]:
    """Risk thresholds from out-of-fold scores: check-in keeps RECALL_TARGET of at-risk rows;
    agree and crisis let through at most HARMLESS_AGREE and HARMLESS_CRISIS of harmless rows."""
    risk = out_of_fold_risk(texts, labels, spec, options, seed)
    at_risk = np.array([label != NONE for label in labels])
    check_in = float(np.quantile(risk[at_risk], 1.0 - RECALL_TARGET))
    agree = max(check_in, float(np.quantile(risk[~at_risk], 1.0 - HARMLESS_AGREE)))
    crisis = max(agree, float(np.quantile(risk[~at_risk], 1.0 - HARMLESS_CRISIS)))
    return {"check_in": round(check_in, 4), "agree": round(agree, 4), "crisis": round(crisis, 4)}


def out_of_fold_risk(
    texts: Sequence[str], labels: Sequence[str], spec: FeatureSpec, options: FitOptions, seed: int
) -> np.ndarray[Any, Any]:
    """Each text's risk from a model trained without its fold."""
    fold = [
        int.from_bytes(hashlib.sha1(f"{seed}:{t}".encode()).digest()[:4], "big") % FOLDS
        for t in texts
    ]
    risk = np.zeros(len(texts))
    for k in range(FOLDS):
        inside = [i for i, f in enumerate(fold) if f != k]
        model = fit_linear([texts[i] for i in inside], [labels[i] for i in inside], spec, options)
        column = model.classes.index(AT_RISK)
        for i, f in enumerate(fold):
            if f == k:
                risk[i] = float(model.probabilities(texts[i])[column])
    return risk


def main(corpus: Path = CORPUS_DIR, out: Path = LEXICONS) -> int:
    rows = load_corpus(corpus)
    trained = train(rows)
    for path in trained.save(out):
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    meta = trained.risk.meta
    print(
        f"corpus {meta['corpus_hash'][:12]}…, {meta['trained_on']}, thresholds {meta['thresholds']}"
    )
    return 0
