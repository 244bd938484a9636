"""Which harm a message names, when the category model and the lexicon rules both have a say.

The category model reads the whole message but confuses neighbouring harms (a gang of classmates
who beat a child is severe bullying, not "violence"); a lexicon rule names one harm precisely but
a generic rule ("bị đánh") names the generic one. The arbiter is a small logistic regression over
the category model's log-probabilities, the categories of the rules that fired and the one the
lexicons would name (``grading.lexicon_category``), trained by ``mangnon safety train`` on
out-of-fold category readings of the training split's at-risk rows, and stored in the category
model's artefact (``meta["arbiter"]``). So how far a rule's category counts against the model's
is learned, per category, instead of a fixed "the model wins at 0.5".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.core.safety.verdict import Category

# Probabilities are floored before their log: a 0 would make a feature infinite.
FLOOR = 1e-4


@dataclass(frozen=True)
class Arbiter:
    """``inputs``: the category model's classes (the order of its probabilities); ``classes``:
    the arbiter's own; ``weights`` (classes × 3·inputs) and ``bias`` (classes)."""

    inputs: tuple[Category, ...]
    classes: tuple[Category, ...]
    weights: np.ndarray[Any, Any]
    bias: np.ndarray[Any, Any]

    def choose(
        self, harm: Sequence[float], fired: Collection[Category], named: Category | None
    ) -> tuple[Category, float]:
        """The category and the arbiter's probability of it."""
        scores = self.weights @ features(self.inputs, harm, fired, named) + self.bias
        scores = np.exp(scores - scores.max())
        best = int(scores.argmax())
        return self.classes[best], float(scores[best] / scores.sum())

    def to_meta(self) -> dict[str, Any]:
        return {
            "inputs": [c.value for c in self.inputs],
            "classes": [c.value for c in self.classes],
            "weights": [[round(float(w), 6) for w in row] for row in self.weights],
            "bias": [round(float(b), 6) for b in self.bias],
        }

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> Arbiter:
        inputs = tuple(Category(c) for c in meta["inputs"])
        classes = tuple(Category(c) for c in meta["classes"])
        weights = np.array(meta["weights"], dtype=np.float64)
        bias = np.array(meta["bias"], dtype=np.float64)
        if weights.shape != (len(classes), 3 * len(inputs)) or bias.shape != (len(classes),):
            raise ValueError("arbiter weights do not match its classes and inputs")
        return cls(inputs, classes, weights, bias)


def features(
    inputs: Sequence[Category],
    harm: Sequence[float],
    fired: Collection[Category],
    named: Category | None,
) -> np.ndarray[Any, Any]:
    """The arbiter's input: the log of each of the model's probabilities (``harm``, in the order
    of ``inputs``), then 1 for each category some fired rule names, then 1 for the lexicons'
    category (``named``)."""
    logs = np.log(np.clip(np.asarray(harm, dtype=np.float64), FLOOR, 1.0))
    some = np.array([1.0 if c in fired else 0.0 for c in inputs])
    chosen = np.array([1.0 if c is named else 0.0 for c in inputs])
    return np.concatenate([logs, some, chosen])
