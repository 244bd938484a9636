"""Should the library answer this question at all? The in-scope gate.

The topic model's ``none`` class alone lets through about a quarter of the off-topic questions:
the near misses share words with a topic ("fix a burnt-out bulb", "grandma's blood pressure",
"pool opening hours"). The gate weighs several readings of the question together:

- a dedicated binary model (``scope.nlu``, a ``bot.core.nlu`` model with the classes ``in`` and
  ``none``): in-scope questions of every topic pooled against the off-topic ones, so it learns
  what the whole library is about (children, their families and their safety) rather than what
  tells one topic from another;
- the topic model's probability of ``none`` and of its first topic, and the fused shares;
- BM25F's evidence: the best article score, the first topic's, and whether the two readings agree.

``Gate`` is a logistic combination of these ``EVIDENCE`` values, fitted by ``mangnon search train``
on out-of-fold scores of the training split, with the threshold chosen out of fold too (never on
dev); the question is answered when ``weights · evidence + bias >= threshold``. ``evidence`` is
written for a batch (the trainer's) and used with one row at run time, so both compute the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

SCOPE_FILE = "scope.nlu"  # beside the topic model's artefact
IN_SCOPE = "in"
OUT_OF_SCOPE = "none"
EVIDENCE = (
    "log_first_share",  # the first topic's fused share
    "log_none_share",  # none's fused share
    "log_none_p",  # the topic model's probability of none
    "log_first_p",  # the topic model's best topic probability
    "best_bm25",  # the best BM25F score of any topic
    "first_bm25",  # the BM25F score of the first topic (by fused share)
    "agree",  # 1 when BM25F's best topic is the model's best topic
    "scope_logit",  # the binary model's log-odds of in-scope
)
EPSILON = 1e-9
PROBABILITY_CLIP = 1e-6

Array = npt.NDArray[np.float64]


def fused_shares(
    log_p: Array, bm25: Array, none: int, bm25_weight: float, none_bm25: float
) -> Array:
    """``fusion.shares`` for a batch (questions × classes): softmax of ``log_p + w · bm25`` with
    ``none``'s BM25F score set to ``none_bm25``."""
    bm = bm25.copy()
    bm[:, none] = none_bm25
    logits = log_p + bm25_weight * bm
    logits -= logits.max(axis=1, keepdims=True)
    exps = np.exp(logits)
    result: Array = exps / exps.sum(axis=1, keepdims=True)
    return result


def evidence(
    log_p: Array, bm25: Array, shares: Array, none: int, p_in: npt.NDArray[np.floating[Any]]
) -> Array:
    """``EVIDENCE`` per question: ``log_p``, ``bm25`` and ``shares`` are (questions × classes) in
    the topic model's class order (``none`` at index ``none``; its bm25 column is ignored);
    ``p_in`` is the binary model's probability of in-scope per question."""
    topics = shares.copy()
    topics[:, none] = -1.0
    first = topics.argmax(axis=1)
    rows = np.arange(len(first))
    p = np.exp(log_p)
    p[:, none] = 0.0
    bm = bm25.copy()
    bm[:, none] = 0.0
    best_bm25 = bm.max(axis=1)
    agree = (best_bm25 > 0) & (bm.argmax(axis=1) == p.argmax(axis=1))
    q = np.clip(np.asarray(p_in, dtype=np.float64), PROBABILITY_CLIP, 1 - PROBABILITY_CLIP)
    return np.column_stack(
        [
            np.log(topics[rows, first] + EPSILON),
            np.log(shares[:, none] + EPSILON),
            log_p[:, none],
            np.log(p.max(axis=1) + EPSILON),
            best_bm25,
            bm[rows, first],
            agree.astype(np.float64),
            np.log(q / (1 - q)),
        ]
    )


@dataclass(frozen=True)
class Gate:
    """Answer when ``weights · evidence + bias >= threshold`` (``weights`` follow ``EVIDENCE``)."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def __post_init__(self) -> None:
        if len(self.weights) != len(EVIDENCE):
            raise ValueError(f"a gate needs {len(EVIDENCE)} weights, not {len(self.weights)}")

    def scores(self, values: Array) -> Array:
        """The gate's score per row of ``evidence``."""
        result: Array = values @ np.asarray(self.weights, dtype=np.float64) + self.bias
        return result

    def answers(self, values: Array) -> npt.NDArray[np.bool_]:
        return np.asarray(self.scores(values) >= self.threshold)

    def to_json(self) -> dict[str, Any]:
        return {
            "evidence": list(EVIDENCE),
            "weights": [round(w, 6) for w in self.weights],
            "bias": round(self.bias, 6),
            "threshold": round(self.threshold, 6),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Gate:
        if list(data.get("evidence", [])) != list(EVIDENCE):
            raise ValueError("the gate was fitted on other evidence: run `mangnon search train`")
        weights: Sequence[Any] = data["weights"]
        return cls(tuple(float(w) for w in weights), float(data["bias"]), float(data["threshold"]))
