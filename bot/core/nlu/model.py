"""A linear classifier over ``featurize`` features, scored with numpy (no scikit-learn at run time).

Every scoring method takes a text, or its features (``featurize(text, model.spec)``) when several
models share one spec and the text should be read once. A text's vector is ``(1 + ln count) × idf`` for each known feature, scaled to unit length (the
usual sublinear tf-idf); the class scores are ``vector · weights + bias``, turned into
probabilities by ``softmax`` (one multinomial model) or ``sigmoid`` (one-vs-rest).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from bot.core.nlu.features import FeatureSpec, featurize

Link = Literal["softmax", "sigmoid"]
Floats = npt.NDArray[np.float32]
Text = str | Mapping[str, int]  # a text, or its features


@dataclass(frozen=True)
class Contribution:
    """How much one feature of a text added to (or took from) a class's score."""

    feature: str
    weight: float


@dataclass(frozen=True, eq=False)
class LinearModel:
    """Weights learnt offline; ``meta`` carries what the trainer wants to record (corpus hash…)."""

    spec: FeatureSpec
    classes: tuple[str, ...]
    vocabulary: Mapping[str, int]
    idf: Floats
    weights: Floats  # (features, classes)
    bias: Floats  # (classes,)
    link: Link = "softmax"
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        features, classes = len(self.vocabulary), len(self.classes)
        if self.weights.shape != (features, classes) or self.bias.shape != (classes,):
            raise ValueError(
                f"weights {self.weights.shape} / bias {self.bias.shape} do not fit "
                f"{features} features × {classes} classes"
            )
        if self.idf.shape != (features,):
            raise ValueError(f"idf {self.idf.shape} does not fit {features} features")
        if self.link not in ("softmax", "sigmoid"):
            raise ValueError(f"unknown link {self.link!r}")

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        from bot.core.nlu.artefact import load_model

        return load_model(path)

    def vector(self, text: Text) -> tuple[npt.NDArray[np.intp], Floats]:
        """The known features of ``text``: their indices and their unit-length tf-idf values."""
        features = featurize(text, self.spec) if isinstance(text, str) else text
        indices: list[int] = []
        counts: list[int] = []
        for name, count in features.items():
            index = self.vocabulary.get(name)
            if index is not None:
                indices.append(index)
                counts.append(count)
        where = np.fromiter(indices, dtype=np.intp, count=len(indices))
        values = (1.0 + np.log(np.asarray(counts, dtype=np.float32))) * self.idf[where]
        norm = float(np.sqrt(np.dot(values, values)))
        return where, (values / norm if norm else values).astype(np.float32)

    def decision(self, text: Text) -> Floats:
        """Raw class scores (before the link function), in the order of ``classes``."""
        where, values = self.vector(text)
        scores: Floats = values @ self.weights[where] + self.bias
        return scores

    def probabilities(self, text: Text) -> Floats:
        return self._link(self.decision(text))

    def proba(self, text: Text) -> dict[str, float]:
        """Class → probability (softmax: they sum to 1; sigmoid: each on its own)."""
        return dict(zip(self.classes, map(float, self.probabilities(text)), strict=True))

    def explain(self, text: Text, label: str, limit: int = 8) -> list[Contribution]:
        """The features of ``text`` that moved ``label``'s score most, strongest first."""
        column = self.classes.index(label)
        where, values = self.vector(text)
        if self.link == "softmax":  # what matters is the margin over the other classes
            others = np.delete(self.weights[where], column, axis=1).mean(axis=1)
            effect = values * (self.weights[where, column] - others)
        else:
            effect = values * self.weights[where, column]
        names = self._names()
        order = np.argsort(-np.abs(effect))[:limit]
        return [Contribution(names[int(where[i])], round(float(effect[i]), 4)) for i in order]

    def _names(self) -> Sequence[str]:
        names = [""] * len(self.vocabulary)
        for name, index in self.vocabulary.items():
            names[index] = name
        return names

    def _link(self, scores: Floats) -> Floats:
        if self.link == "sigmoid":
            result: Floats = (1.0 / (1.0 + np.exp(-scores))).astype(np.float32)
            return result
        shifted = np.exp(scores - scores.max())
        normalised: Floats = (shifted / shifted.sum()).astype(np.float32)
        return normalised
