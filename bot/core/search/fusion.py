"""One ranking from two readings of a question: the learned topic model and BM25F.

Each topic's share is the model's probability times ``exp(w · s)``, with ``s`` the BM25F score of
the topic's best article (0 when none matched), renormalised over the topics and ``none``; ``none``
is given the BM25F score of a weak match (``Fusion.none_bm25``), so a question that no article
matches leans towards no answer even when the model is unsure. Then:

- no answer when ``none`` comes first or the first topic's share is below ``answer_floor``;
- the hits are the topics whose share is at least ``other_share`` × the first's (so that "con bi
  sot" does not also list the unexploded-ordnance article, at a tenth of the fever's share);
- clarify when the second share is at least ``clarify_ratio`` × the first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

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
    probabilities: Mapping[str, float], bm25: Mapping[str, float], fusion: Fusion, limit: int
) -> Ranking:
    ordered = shares(probabilities, bm25, fusion)
    first, best = ordered[0]
    if first == NONE or best < fusion.answer_floor:
        return Ranking((), 0.0, None)
    topics = [(t, s) for t, s in ordered if t != NONE and s >= fusion.other_share * best]
    clarify = None
    if len(topics) > 1 and topics[1][1] >= fusion.clarify_ratio * best:
        clarify = (topics[0][0], topics[1][0])
    return Ranking(tuple(topics[:limit]), round(best, 4), clarify)
