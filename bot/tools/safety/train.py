"""``mangnon safety train``: rebuild the learned layer (content/safety/model/) from the corpus.

Reproducible: the split, the folds and the solver are seeded, and the artefact is written
byte-for-byte the same for the same corpus. The thresholds that turn a risk into a level are
chosen on out-of-fold scores of the training split (never on dev), and stored with the corpus
hash in the risk model's artefact; ``make test`` fails when that hash no longer matches.

The check-in thresholds are chosen per grading ``Frame`` (did a lexicon rule fire, does the
situation read calm): each training row gets its out-of-fold risk and calm reading and the
lexicons' reading, and the thresholds that keep RECALL_TARGET of the at-risk rows while asking
the fewest harmless rows "are you safe?" are found exactly (a small knapsack over the frames),
for each candidate calm cut; the best cut wins. The category arbiter (``bot.core.safety.arbiter``)
is fitted on the same folds' category readings of the at-risk rows.
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
from sklearn.linear_model import LogisticRegression

from bot.core.nlu import FeatureSpec, LinearModel, save_model
from bot.core.nlu.features import fold_word
from bot.core.safety.arbiter import Arbiter, features
from bot.core.safety.checker import SafetyChecker
from bot.core.safety.grading import Frame, LexiconReading, frame_of, lexicon_category
from bot.core.safety.learned import AT_RISK, FILES, MODEL_DIR, NONE
from bot.core.safety.verdict import Category, When
from bot.tools.nlu import FitOptions, fit_linear
from bot.tools.rows import corpus_hash
from bot.tools.safety.corpus import CORPUS_DIR, SEED, Row, load_corpus, split

LEXICONS = CORPUS_DIR.parent
# Share of the training split's at-risk rows that must reach their frame's check-in threshold
# (and, for ``urgent``, the risk a high-severity disclosure needs to be a crisis); shares of its
# harmless rows allowed to reach the agree and the crisis thresholds.
RECALL_TARGET = 0.99
HARMLESS_AGREE = 0.10
HARMLESS_CRISIS = 0.015
FOLDS = 5
# Frames whose messages are always at least a check-in: a lexicon rule fired and nothing reads
# calm (a rule is precise; the model alone may not overrule it, only a calm reading may).
ALWAYS_CHECKED = (Frame.URGENT, Frame.RULE)
# Candidate calm cuts: shares of the training rows whose out-of-fold calm reading lies below.
CALM_QUANTILES = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
# Inverse L2 strength of the category arbiter (chosen by repeated 5-fold cross-validation of the
# arbiter on the out-of-fold readings of the training split: 0.3 to 10 are within 0.5 points).
ARBITER_C = 1.0
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
    folds = out_of_fold(train_rows, recipe, risk_options, seed)
    lexicons = SafetyChecker.load(LEXICONS, learned=False)
    found = [lexicons.lexicon_reading(row.text, row.lang) for row in train_rows]
    thresholds = choose_thresholds(train_rows, folds, found)
    stamp = {"corpus_hash": corpus_hash(rows), "seed": seed, "min_df": recipe.min_df}
    meta = {
        **stamp,
        "trained_on": f"train split: {len(train_rows)} of {len(rows)} rows",
        "thresholds": thresholds,
        "c": recipe.risk_c,
    }
    risk = fit_linear(texts, labels, recipe.spec, dataclasses.replace(risk_options, meta=meta))
    harmful = [row for row in train_rows if row.expect is not None]
    # the other three share the risk model's features, so that a message is read once at run time
    category = _fit(harmful, lambda row: row.expect, risk, recipe.category_c, stamp, seed)
    arbiter = fit_arbiter(train_rows, folds, found, tuple(Category(c) for c in category.classes))
    category = dataclasses.replace(category, meta={**category.meta, "arbiter": arbiter.to_meta()})
    who = _fit(train_rows, lambda row: row.who, risk, recipe.situation_c, stamp, seed)
    when = _fit(train_rows, lambda row: row.frame, risk, recipe.situation_c, stamp, seed)
    return Trained(risk, category, who, when)


def _fit(
    rows: Sequence[Row],
    label: Callable[[Row], StrEnum | None],
    space: LinearModel,
    c: float,
    stamp: dict[str, Any],
    seed: int,
) -> LinearModel:
    """A model of ``label`` over the rows that have one, in ``space``'s features."""
    labelled = [(row.text, value.value) for row in rows if (value := label(row)) is not None]
    options = FitOptions(c=c, seed=seed, meta={**stamp, "c": c})
    texts, labels = [t for t, _ in labelled], [v for _, v in labelled]
    return fit_linear(texts, labels, space.spec, options, space=space)


@dataclass(frozen=True)
class Folds:
    """Out-of-fold readings of the training split's rows: each row's risk, calm reading and its
    "idiom" part, and (at-risk rows; zeros elsewhere) its category probabilities, in the order of
    ``categories``."""

    risk: np.ndarray[Any, Any]
    calm: np.ndarray[Any, Any]
    idiom: np.ndarray[Any, Any]
    harm: np.ndarray[Any, Any]
    categories: tuple[Category, ...]


def fit_arbiter(
    rows: Sequence[Row],
    folds: Folds,
    found: Sequence[LexiconReading],
    inputs: tuple[Category, ...],
    c: float = ARBITER_C,
) -> Arbiter:
    """The category arbiter, fitted on the at-risk rows' out-of-fold category readings and the
    lexicon rules that fired on them; ``inputs``: the category model's classes."""
    order = [folds.categories.index(category) for category in inputs]
    x, y = [], []
    for i, row in enumerate(rows):
        if row.expect is None:
            continue
        fired = found[i].rules
        named = lexicon_category(fired)[0] if fired else None
        fired_categories = {rule.category for rule in fired}
        x.append(features(inputs, folds.harm[i, order].tolist(), fired_categories, named))
        y.append(row.expect.value)
    model = LogisticRegression(C=c, max_iter=5000).fit(np.array(x), np.array(y))
    classes = tuple(Category(str(c)) for c in model.classes_)
    return Arbiter(inputs, classes, model.coef_, model.intercept_)


def choose_thresholds(
    rows: Sequence[Row], folds: Folds, found: Sequence[LexiconReading]
) -> dict[str, float]:
    """The grading's thresholds from out-of-fold readings of ``rows`` (the training split) and
    what the lexicons found in them:
    ``agree`` and ``crisis`` let through at most HARMLESS_AGREE and HARMLESS_CRISIS of harmless
    rows; ``urgent`` keeps RECALL_TARGET of at-risk rows; the calm cut and the four check-in
    thresholds keep RECALL_TARGET of at-risk rows with the fewest harmless rows flagged."""
    risk, calm, idiom = folds.risk, folds.calm, folds.idiom
    at_risk = np.array([row.at_risk for row in rows])
    urgent = float(np.quantile(risk[at_risk], 1.0 - RECALL_TARGET))
    agree = max(urgent, float(np.quantile(risk[~at_risk], 1.0 - HARMLESS_AGREE)))
    crisis = max(agree, float(np.quantile(risk[~at_risk], 1.0 - HARMLESS_CRISIS)))
    best: tuple[int, float, dict[Frame, float]] | None = None
    for cut in sorted({round(float(np.quantile(calm, q)), 4) for q in CALM_QUANTILES}):
        frames = [frame_of(lex, c, i, cut) for lex, c, i in zip(found, calm, idiom, strict=True)]
        chosen, flagged = frame_thresholds(frames, risk, at_risk, agree)
        if best is None or flagged < best[0]:
            best = (flagged, cut, chosen)
    assert best is not None
    _, cut, chosen = best
    return {
        "check_in": round(chosen[Frame.PLAIN], 4),
        "check_in_calm": round(chosen[Frame.CALM], 4),
        "check_in_rule": round(chosen[Frame.RULE], 4),
        "check_in_rule_calm": round(chosen[Frame.RULE_CALM], 4),
        "calm": cut,
        "urgent": round(urgent, 4),
        "agree": round(agree, 4),
        "crisis": round(crisis, 4),
    }


def frame_thresholds(
    frames: Sequence[Frame], risk: np.ndarray[Any, Any], at_risk: np.ndarray[Any, Any], cap: float
) -> tuple[dict[Frame, float], int]:
    """One check-in threshold per frame (at most ``cap``; URGENT always 0) such that at most
    1 - RECALL_TARGET of the at-risk rows fall below their frame's threshold, with the fewest
    harmless rows at or above theirs; and that number of harmless rows. Exact: for each frame,
    losing its j lowest at-risk rows puts the threshold at the next one's risk; a knapsack over
    the frames shares out the rows that may be lost."""
    budget = int(np.floor((1.0 - RECALL_TARGET) * at_risk.sum() + 1e-9))
    labels = np.array([frame.value for frame in frames])
    # per frame: for each j lost, (harmless rows below the threshold, the threshold)
    options: dict[Frame, list[tuple[int, float]]] = {}
    for frame in Frame:
        inside = labels == frame.value
        kept = np.sort(risk[inside & at_risk])
        harmless = np.sort(risk[inside & ~at_risk])
        if frame in ALWAYS_CHECKED:
            options[frame] = [(0, 0.0)]
            continue
        choices = []
        for lost in range(min(budget, len(kept)) + 1):
            threshold = min(cap, float(kept[lost])) if lost < len(kept) else cap
            choices.append((int(np.searchsorted(harmless, threshold, side="left")), threshold))
        options[frame] = choices
    # knapsack: best[b] = (harmless rows silenced, thresholds) losing at most b at-risk rows
    best: list[tuple[int, dict[Frame, float]]] = [(0, {})] * (budget + 1)
    for frame, choices in options.items():
        best = [
            max(
                (
                    (best[b - lost][0] + silenced, {**best[b - lost][1], frame: threshold})
                    for lost, (silenced, threshold) in enumerate(choices)
                    if lost <= b
                ),
                key=lambda pair: pair[0],
            )
            for b in range(budget + 1)
        ]
    silenced, chosen = best[budget]
    return chosen, int((~at_risk).sum()) - silenced


def out_of_fold(rows: Sequence[Row], recipe: Recipe, options: FitOptions, seed: int) -> Folds:
    """Each row's risk, calm reading and its "idiom" part, and each at-risk row's category
    probabilities, from models trained without its fold (a risk model, and ``when`` and
    ``category`` models in its features, as ``train`` builds them)."""
    texts = [row.text for row in rows]
    labels = [AT_RISK if row.at_risk else NONE for row in rows]
    fold = [
        int.from_bytes(hashlib.sha1(f"{seed}:{t}".encode()).digest()[:4], "big") % FOLDS
        for t in texts
    ]
    risk, calm, idiom = (np.zeros(len(texts)) for _ in range(3))
    categories = tuple(sorted({row.expect for row in rows if row.expect is not None}))
    harm = np.zeros((len(texts), len(categories)))
    for k in range(FOLDS):
        inside = [i for i, f in enumerate(fold) if f != k]
        model = fit_linear(
            [texts[i] for i in inside], [labels[i] for i in inside], recipe.spec, options
        )
        when = _fit(
            [rows[i] for i in inside], lambda row: row.frame, model, recipe.situation_c, {}, seed
        )
        category = _fit(
            [rows[i] for i in inside], lambda row: row.expect, model, recipe.category_c, {}, seed
        )
        order = [category.classes.index(c.value) for c in categories]
        column = model.classes.index(AT_RISK)
        frames = [When(c) for c in when.classes]
        quiet = [j for j, frame in enumerate(frames) if not frame.at_risk]
        figure = frames.index(When.IDIOM) if When.IDIOM in frames else None
        for i, f in enumerate(fold):
            if f == k:
                where, values = model.vector(texts[i])
                risk[i] = float(model.probabilities_at(where, values)[column])
                reading = when.probabilities_at(where, values)
                calm[i] = float(reading[quiet].sum())
                idiom[i] = float(reading[figure]) if figure is not None else 0.0
                if rows[i].at_risk:
                    harm[i] = category.probabilities_at(where, values)[order]
    return Folds(risk, calm, idiom, harm, categories)


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
