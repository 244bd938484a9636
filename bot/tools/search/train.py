"""``mangnon search train``: rebuild the topic model (content/questions/model/topics.nlu).

It learns from the training split of content/questions and the articles' titles and example
questions (never from dev, the eval set or the blind test): the topic model (topics.nlu) and the
binary in-scope model (scope.nlu) of the gate. The fusion settings (how much BM25F counts, when to
ask) and the gate (its weights and threshold: when to answer at all) are chosen on out-of-fold
scores of the training split and stored in the artefact with the corpus hash, the seed and the
accented word counts of the training questions. Reproducible: the split, the folds and the solver are seeded and the artefact is written
byte-for-byte the same for the same corpus; ``make test`` fails when the hash is out of step.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml
from sklearn.linear_model import LogisticRegression

from bot.core.library import Article, Library
from bot.core.library.schema import ReviewLevel
from bot.core.nlu import FeatureSpec, save_model
from bot.core.nlu.features import fold_word
from bot.core.search import MODEL_PATH, Lexicon, SearchIndex, TopicModel
from bot.core.search.accents import WordCounts, count_words
from bot.core.search.scope import IN_SCOPE, OUT_OF_SCOPE, SCOPE_FILE, Gate, evidence, fused_shares
from bot.core.search.topics import NONE, Fusion
from bot.tools.nlu import FitOptions, fit_linear
from bot.tools.rows import corpus_hash
from bot.tools.search.questions import (
    QUESTIONS_DIR,
    ROOT,
    SEED,
    Row,
    article_rows,
    load_questions,
    split,
)

CONTENT = ROOT / "content"
FOLDS = 5
# Single-letter lexicon variants that are also words ("a", "i") are not folded into others.
_NOT_ALIASED = frozenset({"a", "c", "t", "i", "k"})
GRID = {
    "bm25_weight": (2.0, 3.0, 4.0, 5.0, 6.5, 8.0),
    "none_bm25": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6),
    "answer_floor": (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3),
}
CLARIFY_RATIOS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
OTHER_SHARE = 0.1
GATE_C = 1.0  # the gate's L2 strength (eight evidence values, thousands of questions)
GATE_SEED = 99  # the gate's own folds, for its out-of-fold scores
GATE_QUANTILES = np.linspace(0.005, 0.6, 240)  # candidate thresholds: quantiles of its scores


@dataclass(frozen=True)
class Recipe:
    spec: FeatureSpec
    scope_spec: FeatureSpec  # the binary in-scope model's features
    c: float = 16.0
    min_df: int = 2
    scope_c: float = 4.0


def model_aliases(lexicon_dir: Path = CONTENT / "lexicon") -> dict[str, str]:
    """The search lexicon's one-word variants ("ko", "té", "kid") → their canonical form, folded:
    the model then sees "con nít bị té" as "con nít bị ngã"."""
    aliases: dict[str, str] = {}
    for path in sorted(lexicon_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for canonical, variants in (data.get("synonyms") or {}).items():
            for variant in map(str, variants):
                word = fold_word(variant)
                if " " not in word and word not in _NOT_ALIASED:
                    aliases.setdefault(word, fold_word(str(canonical)))
    return dict(sorted(aliases.items()))


def default_recipe() -> Recipe:
    aliases = model_aliases()
    return Recipe(
        FeatureSpec(char_ngrams=(2, 5), word_ngrams=(1, 2), aliases=aliases),
        FeatureSpec(char_ngrams=(0, 0), word_ngrams=(1, 2), aliases=aliases),
    )


SERVED_LEVELS = frozenset({ReviewLevel.INTERNAL, ReviewLevel.EXPERT})


def approved_articles(content: Path = CONTENT) -> list[Article]:
    """Reviewed (internal or expert) articles of known topics, whatever their review date and
    the deployment's MIN_REVIEW_LEVEL (the model must not change because a review falls due)."""
    library = Library.load(content)
    return [
        a
        for a in library.articles.values()
        if a.review.level in SERVED_LEVELS and a.topic in library.topics
    ]


def training_hash(questions: Sequence[Row], articles: Sequence[Article], recipe: Recipe) -> str:
    """What the model is a function of: the questions (all: the split depends on every row), the
    articles' titles and example questions, and the feature spec (with the lexicon's aliases)."""
    digest = hashlib.sha256()
    digest.update(corpus_hash(questions).encode())
    digest.update(
        corpus_hash(article_rows(sorted(articles, key=lambda a: (a.id, a.lang)))).encode()
    )
    digest.update(json.dumps(recipe.spec.to_json(), sort_keys=True, ensure_ascii=False).encode())
    digest.update(f"c={recipe.c} min_df={recipe.min_df}".encode())
    scope = json.dumps(recipe.scope_spec.to_json(), sort_keys=True, ensure_ascii=False)
    digest.update(f"scope {scope} c={recipe.scope_c}".encode())
    return digest.hexdigest()


def accent_counts(rows: Sequence[Row]) -> WordCounts:
    return count_words(row.q for row in rows if row.lang == "vi")


@dataclass(frozen=True)
class Scores:
    """Per question of the training split: out-of-fold model probabilities, BM25F scores (in the
    order of ``classes``) and binary in-scope probabilities, and the index of the right class."""

    classes: tuple[str, ...]
    log_p: npt.NDArray[np.float64]
    bm25: npt.NDArray[np.float64]
    truth: npt.NDArray[np.intp]
    p_in: npt.NDArray[np.float64]

    @property
    def none(self) -> int:
        return self.classes.index(NONE)

    @property
    def in_scope(self) -> npt.NDArray[np.bool_]:
        return np.asarray(self.truth != self.none)

    def shares(self, fusion: Fusion) -> npt.NDArray[np.float64]:
        return fused_shares(self.log_p, self.bm25, self.none, fusion.bm25_weight, fusion.none_bm25)

    def evidence(self, fusion: Fusion) -> npt.NDArray[np.float64]:
        return evidence(self.log_p, self.bm25, self.shares(fusion), self.none, self.p_in)


@dataclass(frozen=True)
class Outcome:
    top1: float
    top3: float
    unanswered: float
    off_answered: float

    @property
    def objective(self) -> float:
        """Right answers first and among the first three, less off-topic questions answered (an
        in-scope question left unanswered already costs its top-1 and top-3)."""
        return self.top1 + self.top3 - self.off_answered


def outcome(
    scores: Scores, fusion: Fusion, answered: npt.NDArray[np.bool_] | None = None
) -> Outcome:
    """``answered``: which questions the gate answers; without it, the fusion's own rule."""
    shares = scores.shares(fusion)
    none = scores.none
    topics = shares.copy()
    topics[:, none] = -1.0
    if answered is None:
        first, best = shares.argmax(axis=1), shares.max(axis=1)
        answered = (first != none) & (best >= fusion.answer_floor)
    else:
        first, best = topics.argmax(axis=1), topics.max(axis=1)
    order = np.argsort(-topics, axis=1)[:, :3]
    listed = np.take_along_axis(topics, order, axis=1) >= fusion.other_share * best[:, None]
    in_three = answered & ((order == scores.truth[:, None]) & listed).any(axis=1)
    inside = scores.in_scope
    return Outcome(
        top1=float(np.mean(answered[inside] & (first[inside] == scores.truth[inside]))),
        top3=float(np.mean(in_three[inside])),
        unanswered=float(np.mean(~answered[inside])),
        off_answered=float(np.mean(answered[~inside])) if (~inside).any() else 0.0,
    )


def choose_fusion(scores: Scores) -> Fusion:
    """The grid point with the best objective, then the clarify ratio: the lowest at which
    asking rescues a wrong first answer at least as often as it delays a right one."""
    best: tuple[float, Fusion] | None = None
    for values in itertools.product(*GRID.values()):
        fusion = Fusion(**dict(zip(GRID, values, strict=True)), other_share=OTHER_SHARE)
        value = outcome(scores, fusion).objective
        if best is None or value > best[0] + 1e-9:
            best = (value, fusion)
    assert best is not None
    fusion = best[1]
    shares = scores.shares(fusion)
    order = np.argsort(-shares, axis=1)
    first, second = order[:, 0], order[:, 1]
    top, runner = shares[np.arange(len(first)), first], shares[np.arange(len(first)), second]
    inside = scores.in_scope
    ratio = CLARIFY_RATIOS[-1]
    for candidate in CLARIFY_RATIOS:
        asked = inside & (runner >= candidate * top)
        rescued = int(np.sum(asked & (second == scores.truth)))
        delayed = int(np.sum(asked & (first == scores.truth)))
        if rescued >= delayed:
            ratio = candidate
            break
    return Fusion(
        fusion.bm25_weight, fusion.none_bm25, fusion.answer_floor, ratio, fusion.other_share
    )


def _fit_gate(values: npt.NDArray[np.float64], inside: npt.NDArray[np.bool_]) -> Gate:
    estimator = LogisticRegression(C=GATE_C, max_iter=2000).fit(values, inside)
    return Gate(tuple(float(w) for w in estimator.coef_[0]), float(estimator.intercept_[0]), 0.0)


def choose_gate(scores: Scores, fusion: Fusion, texts: Sequence[str]) -> Gate:
    """The gate's weights, fitted on all the out-of-fold evidence, and its threshold: the one
    with the best objective on the gate's own out-of-fold scores (a second, seeded split)."""
    values = scores.evidence(fusion)
    inside = scores.in_scope
    folds = np.array([fold_of(text, GATE_SEED) for text in texts])
    held_out = np.zeros(len(texts))
    for k in range(FOLDS):
        part = _fit_gate(values[folds != k], inside[folds != k])
        held_out[folds == k] = part.scores(values[folds == k])
    best: tuple[float, float] | None = None
    for threshold in np.quantile(held_out, GATE_QUANTILES):
        value = outcome(scores, fusion, held_out >= threshold).objective
        if best is None or value > best[0] + 1e-9:
            best = (value, float(threshold))
    assert best is not None
    gate = _fit_gate(values, inside)
    # as stored (rounded), so that the figures below are the runtime's
    return Gate.from_json(Gate(gate.weights, gate.bias, best[1]).to_json())


def fold_of(text: str, seed: int) -> int:
    return int.from_bytes(hashlib.sha1(f"{seed}:{text}".encode()).digest()[:4], "big") % FOLDS


def scope_label(row: Row) -> str:
    return IN_SCOPE if row.in_scope else OUT_OF_SCOPE


def out_of_fold(
    rows: Sequence[Row], extra: Sequence[Row], recipe: Recipe, index: SearchIndex, seed: int
) -> Scores:
    """Each question's probabilities from models trained without its fold (``extra``, the
    articles' rows, always in): the topic model's and the binary in-scope model's; and its
    BM25F scores per topic."""
    classes = tuple(sorted({r.topic for r in [*rows, *extra]}))
    log_p = np.zeros((len(rows), len(classes)))
    bm25 = np.zeros((len(rows), len(classes)))
    p_in = np.zeros(len(rows))
    folds = [fold_of(r.q, seed) for r in rows]
    options = FitOptions(c=recipe.c, min_df=recipe.min_df, seed=seed)
    scope_options = FitOptions(c=recipe.scope_c, min_df=recipe.min_df, seed=seed)
    for k in range(FOLDS):
        inside = [r for r, f in zip(rows, folds, strict=True) if f != k] + list(extra)
        texts = [r.q for r in inside]
        model = fit_linear(texts, [r.topic for r in inside], recipe.spec, options)
        scope = fit_linear(
            texts, [scope_label(r) for r in inside], recipe.scope_spec, scope_options
        )
        columns = [classes.index(c) for c in model.classes]
        for i, (row, f) in enumerate(zip(rows, folds, strict=True)):
            if f == k:
                log_p[i, columns] = np.log(np.maximum(model.probabilities(row.q), 1e-6))
                p_in[i] = scope.proba(row.q)[IN_SCOPE]
    for i, row in enumerate(rows):
        for topic, score in index.topic_scores(row.q, row.lang).items():
            if topic in classes:
                bm25[i, classes.index(topic)] = score
    truth = np.array([classes.index(r.topic) for r in rows], dtype=np.intp)
    return Scores(classes, log_p, bm25, truth, p_in)


def train(
    questions: Sequence[Row],
    articles: Sequence[Article],
    recipe: Recipe | None = None,
    seed: int = SEED,
) -> TopicModel:
    recipe = recipe or default_recipe()
    rows = split(questions, "train", seed)
    extra = article_rows(sorted(articles, key=lambda a: (a.id, a.lang)))
    accents = accent_counts(rows)
    # BM25F as at run time, its accent model knowing the training questions' words
    index = SearchIndex.build(articles, Lexicon.load(CONTENT / "lexicon"), words=accents)
    scores = out_of_fold(rows, extra, recipe, index, seed)
    fusion = choose_fusion(scores)
    gate = choose_gate(scores, fusion, [r.q for r in rows])
    corpus = training_hash(questions, articles, recipe)
    meta = {
        "corpus_hash": corpus,
        "seed": seed,
        "trained_on": f"train split: {len(rows)} of {len(questions)} questions, "
        f"and {len(extra)} article titles and example questions",
        "c": recipe.c,
        "min_df": recipe.min_df,
        "fusion": fusion.to_json(),
        "gate": gate.to_json(),
        "out_of_fold": {
            "fusion alone": _figures(outcome(scores, fusion)),
            "with the gate": _figures(
                outcome(scores, fusion, gate.answers(scores.evidence(fusion)))
            ),
        },
        "accents": accents.to_json(),
    }
    training = [*rows, *extra]
    texts = [r.q for r in training]
    model = fit_linear(
        texts,
        [r.topic for r in training],
        recipe.spec,
        FitOptions(c=recipe.c, min_df=recipe.min_df, seed=seed, meta=meta),
    )
    scope = fit_linear(
        texts,
        [scope_label(r) for r in training],
        recipe.scope_spec,
        FitOptions(c=recipe.scope_c, min_df=recipe.min_df, seed=seed, meta={"corpus_hash": corpus}),
    )
    return TopicModel(model, scope)


def _figures(result: Outcome) -> dict[str, float]:
    return {
        "top1": round(result.top1, 4),
        "top3": round(result.top3, 4),
        "unanswered": round(result.unanswered, 4),
        "off_answered": round(result.off_answered, 4),
    }


def main(content: Path = CONTENT) -> int:
    questions = load_questions(QUESTIONS_DIR)
    model = train(questions, approved_articles(content))
    path = content / MODEL_PATH
    save_model(model.model, path, dtype="float16")
    assert model.scope is not None
    save_model(model.scope, path.with_name(SCOPE_FILE), dtype="float16")
    meta = model.model.meta
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) and {SCOPE_FILE}")
    print(f"corpus {meta['corpus_hash'][:12]}…, {meta['trained_on']}")
    print(f"fusion {meta['fusion']}")
    print(f"gate {meta['gate']}")
    print(f"out of fold {meta['out_of_fold']}")
    return 0
