"""The learned layer: four small linear models read a message's risk, its harm, who and when.

Trained offline from content/safety/corpus/ by ``mangnon safety train`` into
content/safety/model/*.nlu (format: bot.core.nlu.artefact). ``risk`` says whether some child is
at risk (harmless vs at-risk rows: a model of its own, so that a message that looks like nothing
it knows reads as little risk, not as "one of seven harms"); ``category`` names the most likely
harm (trained on at-risk rows only); ``who`` and ``when`` read the situation. The thresholds that
turn a risk into a level are chosen at training time, on out-of-fold scores of the training
split, and stored in the risk model's artefact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.core.nlu import LinearModel, featurize, load_model
from bot.core.nlu.model import Text
from bot.core.safety.verdict import Category, When, Who

MODEL_DIR = "model"
RISK_FILE = "risk.nlu"
CATEGORY_FILE = "category.nlu"
WHO_FILE = "who.nlu"
WHEN_FILE = "when.nlu"
NONE = "none"
AT_RISK = "at-risk"
FILES = (RISK_FILE, CATEGORY_FILE, WHO_FILE, WHEN_FILE)


@dataclass(frozen=True)
class Thresholds:
    """Risk at or above ``crisis`` escalates on the model's word alone; at or above ``agree`` it
    confirms a lexicon rule; at or above ``check_in`` the bot asks "are you safe?"."""

    check_in: float
    agree: float
    crisis: float


@dataclass(frozen=True)
class Reading:
    risk: float  # probability that some child is at risk
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
    def __init__(
        self, risk: LinearModel, category: LinearModel, who: LinearModel, when: LinearModel
    ) -> None:
        self.risk_model, self.category_model = risk, category
        self.who_model, self.when_model = who, when
        meta = risk.meta.get("thresholds", {})
        self.thresholds = Thresholds(
            float(meta["check_in"]), float(meta["agree"]), float(meta["crisis"])
        )
        self._at_risk = risk.classes.index(AT_RISK)
        self._categories = [Category(c) for c in category.classes]

    @property
    def models(self) -> dict[str, LinearModel]:
        return {
            "risk": self.risk_model,
            "category": self.category_model,
            "who": self.who_model,
            "when": self.when_model,
        }

    @classmethod
    def load(cls, directory: Path) -> LearnedLayer | None:
        """The models in ``directory``/model/, or None when there are none (lexicons only)."""
        where = directory / MODEL_DIR
        if not (where / RISK_FILE).exists():
            return None
        return cls(*(load_model(where / name) for name in FILES))

    def read(self, text: str) -> Reading:
        features = featurize(text, self.risk_model.spec)
        risk = self.risk_model.probabilities(features)
        harm = self.category_model.probabilities(self._same(self.category_model, text, features))
        who = self.who_model.probabilities(self._same(self.who_model, text, features))
        when = self.when_model.probabilities(self._same(self.when_model, text, features))
        best_harm, best_who, best_when = int(harm.argmax()), int(who.argmax()), int(when.argmax())
        return Reading(
            risk=float(risk[self._at_risk]),
            category=self._categories[best_harm],
            category_score=float(harm[best_harm]),
            who=Who(self.who_model.classes[best_who]),
            who_score=float(who[best_who]),
            when=When(self.when_model.classes[best_when]),
            when_score=float(when[best_when]),
        )

    def _same(self, model: LinearModel, text: str, features: Counter[str]) -> Text:
        """The features already computed when ``model`` reads text like the risk model."""
        return features if model.spec == self.risk_model.spec else text
