"""One ranking from two readings of a question: the learned topic model and BM25F.

Each topic's share is the model's probability times ``exp(w · s)``, with ``s`` the BM25F score of
the topic's best article (0 when none matched), renormalised over the topics and ``none``; ``none``
is given the BM25F score of a weak match (``Fusion.none_bm25``), so a question that no article
matches leans towards no answer even when the model is unsure. Then:

- no answer when ``none`` comes first or the first topic's share is below ``answer_floor``; or,
  with an in-scope gate (``scope.py``), when the gate says so (the topics are then ranked by their
  shares whatever ``none``'s);
- the hits are the topics whose share is at least ``other_share`` × the first's (so that "con bi
  sot" does not also list the unexploded-ordnance article, at a tenth of the fever's share);
- clarify when the second share is at least ``clarify_ratio`` × the first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from bot.core.search.scope import Gate, evidence, fused_shares
from bot.core.search.topics import NONE, Fusion

MIN_PROBABILITY = 1e-6  # a topic the model does not know (added since it was trained)


@dataclass(frozen=True)
class Ranking:
    topics: tuple[tuple[str, float], ...]  # answered topics and their shares, best first
    confidence: float  # the first topic's share (0 when there is no answer)
    clarify: tuple[str, str] | None


def shares(
    probabilities: Mapping[str, float], bm25: Mapping[str, float], fusion: Fusion
) -> list[tuple[str, float]]:
    """Topic (and ``none``) → fused share, best first; the shares sum to 1."""
    names = dict.fromkeys([*probabilities, *bm25])
    logits = {
        name: math.log(max(probabilities.get(name, 0.0), MIN_PROBABILITY))
        + fusion.bm25_weight * (fusion.none_bm25 if name == NONE else bm25.get(name, 0.0))
        for name in names
    }
    top = max(logits.values())
    exps = {name: math.exp(value - top) for name, value in logits.items()}
    total = sum(exps.values())
    return sorted(((n, e / total) for n, e in exps.items()), key=lambda item: (-item[1], item[0]))


def rank(
    probabilities: Mapping[str, float],
    bm25: Mapping[str, float],
    fusion: Fusion,
    limit: int,
    gate: Gate | None = None,
    in_scope: float = 1.0,
) -> Ranking:
    """``probabilities`` in the topic model's class order; ``in_scope``: the binary model's
    probability, read by the ``gate``."""
    ordered = shares(probabilities, bm25, fusion)
    if gate is None:
        first, best = ordered[0]
        if first == NONE or best < fusion.answer_floor:
            return Ranking((), 0.0, None)
    elif not answers(probabilities, bm25, fusion, gate, in_scope):
        return Ranking((), 0.0, None)
    ordered = [(t, s) for t, s in ordered if t != NONE]
    if not ordered:
        return Ranking((), 0.0, None)
    best = ordered[0][1]
    topics = [(t, s) for t, s in ordered if s >= fusion.other_share * best]
    clarify = None
    if len(topics) > 1 and topics[1][1] >= fusion.clarify_ratio * best:
        clarify = (topics[0][0], topics[1][0])
    return Ranking(tuple(topics[:limit]), round(best, 4), clarify)


def answers(
    probabilities: Mapping[str, float],
    bm25: Mapping[str, float],
    fusion: Fusion,
    gate: Gate,
    in_scope: float,
) -> bool:
    """The gate's verdict on one question, from the same ``evidence`` the trainer fitted it on
    (over the model's classes, in its order)."""
    names = list(probabilities)
    log_p = np.log(np.maximum([[probabilities[n] for n in names]], MIN_PROBABILITY))
    scores = np.array([[bm25.get(n, 0.0) for n in names]])
    none = names.index(NONE)
    fused = fused_shares(log_p, scores, none, fusion.bm25_weight, fusion.none_bm25)
    return bool(gate.answers(evidence(log_p, scores, fused, none, np.array([in_scope])))[0])
