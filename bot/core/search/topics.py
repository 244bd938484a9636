"""The learned question → topic model and the settings chosen with it at training time.

A ``bot.core.nlu`` linear model (softmax over the topics and ``none``, for questions the library
should not answer) trained by ``mangnon search train`` (bot/tools/search) into
``content/questions/model/topics.nlu``. Its artefact's ``meta`` also carries the corpus hash, the
fusion settings chosen on out-of-fold scores of the training split, and the accented word counts
of the training questions (``accents``), which the accent model adds to the library's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.core.nlu import LinearModel, load_model
from bot.core.search.accents import WordCounts

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
    def __init__(self, model: LinearModel) -> None:
        if NONE not in model.classes:
            raise ValueError(f"a topic model needs a {NONE!r} class")
        self.model = model
        self.fusion = Fusion.from_json(model.meta.get("fusion", {}))
        self.accents = WordCounts.from_json(model.meta.get("accents", {}))

    @classmethod
    def load(cls, path: Path) -> TopicModel:
        """Raises ``bot.core.nlu.ArtefactError`` naming the file when it cannot be read."""
        return cls(load_model(path))

    def probabilities(self, text: str) -> dict[str, float]:
        """Topic (and ``none``) → probability; they sum to 1."""
        return self.model.proba(text)
