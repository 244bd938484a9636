"""Fit a ``bot.core.nlu.LinearModel`` with scikit-learn: the training half of the shared NLU code.

    model = fit_linear(texts, labels, FeatureSpec(), FitOptions(c=4.0))
    save_model(model, path)

Features come from ``bot.core.nlu.featurize``, the function the runtime uses, so the weights apply
to the same features at run time; ``fit_linear`` checks that on a sample of the
training texts before it returns.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from bot.core.nlu import FeatureSpec, LinearModel, featurize


@dataclass(frozen=True)
class FitOptions:
    """``c``: inverse L2 strength (smaller generalises more, fits less); ``min_df``: a feature
    must occur in this many training texts to be kept (drops one-off n-grams, shrinks the file)."""

    c: float = 4.0
    min_df: int = 2
    balanced: bool = True
    seed: int = 13
    max_iter: int = 3000
    meta: Mapping[str, Any] = field(default_factory=dict)


def fit_linear(
    texts: Sequence[str],
    labels: Sequence[str],
    spec: FeatureSpec,
    options: FitOptions = FitOptions(),
    weights: Sequence[float] | None = None,
    space: LinearModel | None = None,
) -> LinearModel:
    """Logistic regression over sublinear tf-idf of ``featurize`` features; ``weights`` per text.

    ``space``: reuse that model's spec, vocabulary and idf instead of building them from
    ``texts``, so that the two models share one vector at run time (``shares_features``).
    """
    if len(texts) != len(labels) or not texts:
        raise ValueError("texts and labels must be non-empty and of the same length")
    if space is not None:
        spec = space.spec
    counted = [featurize(text, spec) for text in texts]
    if space is None:
        vocabulary, idf = _space(counted, options.min_df)
    else:
        vocabulary, idf = dict(space.vocabulary), space.idf
    matrix = _matrix(counted, vocabulary, idf)
    classes = tuple(sorted(set(labels)))
    estimator = LogisticRegression(
        C=options.c,
        class_weight="balanced" if options.balanced else None,
        max_iter=options.max_iter,
        random_state=options.seed,
    )
    estimator.fit(matrix, list(labels), sample_weight=None if weights is None else list(weights))
    order = [list(estimator.classes_).index(label) for label in classes]
    coef = np.asarray(estimator.coef_, dtype=np.float32)
    intercept = np.asarray(estimator.intercept_, dtype=np.float32)
    if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row, for the second class
        coef = np.vstack([-coef / 2, coef / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
    model = LinearModel(
        spec=spec,
        classes=classes,
        vocabulary=vocabulary,
        idf=idf,
        weights=np.ascontiguousarray(coef[order].T),
        bias=intercept[order],
        meta=dict(options.meta),
    )
    _check_parity(model, estimator.predict_proba(matrix)[:, order], texts)
    return model


def _space(
    counted: Sequence[Counter[str]], min_df: int
) -> tuple[dict[str, int], np.ndarray[Any, Any]]:
    """The vocabulary (features in at least ``min_df`` texts) and its smoothed idf."""
    document_frequency: Counter[str] = Counter()
    for counts in counted:
        document_frequency.update(counts.keys())
    kept = sorted(name for name, df in document_frequency.items() if df >= min_df)
    total = len(counted)
    idf = np.array(
        [math.log((1 + total) / (1 + document_frequency[name])) + 1.0 for name in kept],
        dtype=np.float32,
    )
    return {name: index for index, name in enumerate(kept)}, idf


def _matrix(
    counted: Sequence[Counter[str]], vocabulary: Mapping[str, int], idf: np.ndarray[Any, Any]
) -> csr_matrix:
    rows: list[int] = []
    columns: list[int] = []
    values: list[float] = []
    for row, counts in enumerate(counted):
        known = [(vocabulary[name], count) for name, count in counts.items() if name in vocabulary]
        vector = [(1.0 + math.log(count)) * float(idf[column]) for column, count in known]
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        for (column, _), value in zip(known, vector, strict=True):
            rows.append(row)
            columns.append(column)
            values.append(value / norm)
    shape = (len(counted), len(vocabulary))
    return csr_matrix((np.array(values, dtype=np.float64), (rows, columns)), shape=shape)


def _check_parity(model: LinearModel, expected: np.ndarray[Any, Any], texts: Sequence[str]) -> None:
    """The runtime must give the trainer's probabilities (float32 rounding aside)."""
    step = max(1, len(texts) // 200)
    for row in range(0, len(texts), step):
        got = model.probabilities(texts[row])
        if float(np.max(np.abs(got - expected[row]))) > 1e-3:
            raise AssertionError(f"runtime scores differ from the trainer's on row {row}")
