"""The learned layer: three small linear models read a message's risk, who is at risk and when.

Trained offline from content/safety/corpus/ by ``mangnon safety train`` into
content/safety/model/*.nlu (format: bot.core.nlu.artefact). ``category`` gives the risk (one minus
the probability of ``none``) and the most likely harm; ``who`` and ``when`` read the situation.
The thresholds that turn a risk into a level are chosen at training time, on out-of-fold scores
of the training split, and stored in the category model's artefact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.core.nlu import LinearModel, featurize, load_model
from bot.core.nlu.model import Text
from bot.core.safety.verdict import Category, When, Who

MODEL_DIR = "model"
CATEGORY_FILE = "category.nlu"
WHO_FILE = "who.nlu"
WHEN_FILE = "when.nlu"
NONE = "none"


@dataclass(frozen=True)
class Thresholds:
    """Risk at or above ``crisis`` escalates; at or above ``check_in`` asks "are you safe?"."""

    check_in: float
    crisis: float


@dataclass(frozen=True)
class Reading:
    risk: float  # probability that some child is at risk (1 - P(none))
    category: Category  # the most likely harm, whatever the risk
    category_score: float
    who: Who
    who_score: float
    when: When
    when_score: float

    def scores(self) -> tuple[tuple[str, float], ...]:
        return (
            ("risk", round(self.risk, 3)),
            (self.category.value, round(self.category_score, 3)),
            (f"who:{self.who.value}", round(self.who_score, 3)),
            (f"when:{self.when.value}", round(self.when_score, 3)),
        )


class LearnedLayer:
    def __init__(self, category: LinearModel, who: LinearModel, when: LinearModel) -> None:
        self.category_model, self.who_model, self.when_model = category, who, when
        meta = category.meta.get("thresholds", {})
        self.thresholds = Thresholds(float(meta["check_in"]), float(meta["crisis"]))
        self.corpus_hash = str(category.meta.get("corpus_hash", ""))
        self._harms = [(i, Category(c)) for i, c in enumerate(category.classes) if c != NONE]
        self._none = category.classes.index(NONE)

    @classmethod
    def load(cls, directory: Path) -> LearnedLayer | None:
        """The models in ``directory``/model/, or None when there are none (lexicons only)."""
        where = directory / MODEL_DIR
        if not (where / CATEGORY_FILE).exists():
            return None
        return cls(*(load_model(where / name) for name in (CATEGORY_FILE, WHO_FILE, WHEN_FILE)))

    def read(self, text: str) -> Reading:
        features = featurize(text, self.category_model.spec)
        harm = self.category_model.probabilities(features)
        index, category = max(self._harms, key=lambda item: harm[item[0]])
        who = self.who_model.probabilities(self._same(self.who_model, text, features))
        when = self.when_model.probabilities(self._same(self.when_model, text, features))
        best_who, best_when = int(who.argmax()), int(when.argmax())
        return Reading(
            risk=1.0 - float(harm[self._none]),
            category=category,
            category_score=float(harm[index]),
            who=Who(self.who_model.classes[best_who]),
            who_score=float(who[best_who]),
            when=When(self.when_model.classes[best_when]),
            when_score=float(when[best_when]),
        )

    def _same(self, model: LinearModel, text: str, features: Counter[str]) -> Text:
        """The features already computed when ``model`` reads text like the category model."""
        return features if model.spec == self.category_model.spec else text
