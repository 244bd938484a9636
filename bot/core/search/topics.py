"""The learned question → topic model and the settings chosen with it at training time.

A ``bot.core.nlu`` linear model (softmax over the topics and ``none``, for questions the library
should not answer) trained by ``mangnon search train`` (bot/tools/search) into
``content/questions/model/topics.nlu``. Its artefact's ``meta`` also carries the corpus hash, the
fusion settings and the in-scope gate chosen on out-of-fold scores of the training split, and the
accented word counts of the training questions (``accents``), which the accent model adds to the
library's own. The gate's binary in-scope model lies beside it in ``scope.nlu`` (``scope.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.core.nlu import ArtefactError, LinearModel, load_model
from bot.core.search.accents import WordCounts
from bot.core.search.scope import IN_SCOPE, OUT_OF_SCOPE, SCOPE_FILE, Gate

MODEL_PATH = Path("questions") / "model" / "topics.nlu"  # under the content directory
NONE = "none"


@dataclass(frozen=True)
class Fusion:
    """How the model's probabilities and the BM25F scores make one ranking (``fusion.py``)."""

    bm25_weight: float = 5.0  # a topic's logit gains this × its best article's BM25F score
    none_bm25: float = 0.3  # the BM25F score "none" is given: what a weak match looks like
    answer_floor: float = 0.3  # the first topic's share below which there is no answer
    clarify_ratio: float = 0.6  # second ÷ first share at or above which the dialog asks
    other_share: float = 0.2  # a further topic is listed when its share is this × the first's

    def to_json(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fusion:
        return cls(**{k: float(v) for k, v in data.items() if k in cls.__dataclass_fields__})


class TopicModel:
    """The topic model; with ``scope`` (the binary in-scope model) and a gate in its ``meta``,
    the gate decides whether to answer, else the fusion's ``none`` and floor do."""

    def __init__(self, model: LinearModel, scope: LinearModel | None = None) -> None:
        if NONE not in model.classes:
            raise ValueError(f"a topic model needs a {NONE!r} class")
        self.model = model
        self.fusion = Fusion.from_json(model.meta.get("fusion", {}))
        self.accents = WordCounts.from_json(model.meta.get("accents", {}))
        self.gate: Gate | None = None
        self.scope: LinearModel | None = None
        if "gate" in model.meta:
            if scope is None or set(scope.classes) != {IN_SCOPE, OUT_OF_SCOPE}:
                raise ValueError(f"the gate needs a binary {IN_SCOPE}/{OUT_OF_SCOPE} model")
            self.gate = Gate.from_json(model.meta["gate"])
            self.scope = scope

    @classmethod
    def load(cls, path: Path) -> TopicModel:
        """The model at ``path`` and, when its meta has a gate, ``scope.nlu`` beside it. Raises
        ``bot.core.nlu.ArtefactError`` naming the file when one cannot be read."""
        model = load_model(path)
        scope = None
        if "gate" in model.meta:
            scope_path = path.with_name(SCOPE_FILE)
            scope = load_model(scope_path)
            if scope.meta.get("corpus_hash") != model.meta.get("corpus_hash"):
                raise ArtefactError(f"{scope_path}: trained on another corpus than {path}")
        return cls(model, scope)

    def probabilities(self, text: str) -> dict[str, float]:
        """Topic (and ``none``) → probability; they sum to 1."""
        return self.model.proba(text)

    def in_scope(self, text: str) -> float:
        """The binary model's probability that the library should answer (1 without one)."""
        if self.scope is None:
            return 1.0
        return self.scope.proba(text)[IN_SCOPE]
