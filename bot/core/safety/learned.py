"""The learned layer: four small linear models read a message's risk, its harm, who and when.

Trained offline from content/safety/corpus/ by ``mangnon safety train`` into
content/safety/model/*.nlu (format: bot.core.nlu.artefact). ``risk`` says whether some child is
at risk (harmless vs at-risk rows: a model of its own, so that a message that looks like nothing
it knows reads as little risk, not as "one of seven harms"); ``category`` names the most likely
harm (trained on at-risk rows only); ``who`` and ``when`` read the situation. The thresholds that
turn a risk into a level are chosen at training time, on out-of-fold scores of the training
split, and stored in the risk model's artefact: one check-in threshold per ``Frame`` (what the
lexicons found and whether the situation reads calm), see ``bot.core.safety.grading``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.core.nlu import LinearModel, load_model
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
    confirms a lexicon rule; at or above the check-in threshold of the message's frame the bot
    asks "are you safe?": ``check_in`` when no rule fired and the reading is not calm,
    ``check_in_calm`` when no rule fired and it is calm, ``check_in_rule`` / ``check_in_rule_calm``
    when a lexicon rule fired. ``urgent``: a high-severity lexicon disclosure with at least this
    risk is a crisis (low: keeps nearly every at-risk message). ``calm``: the ``when`` model's probability of a calm frame (past,
    prevention, news…) from which a reading counts as calm. An artefact without the newer keys
    reads as one check-in threshold for every frame."""

    check_in: float
    agree: float
    crisis: float
    check_in_calm: float = -1.0  # < 0: the same as check_in (an older artefact)
    check_in_rule: float = -1.0
    check_in_rule_calm: float = -1.0
    urgent: float = -1.0
    calm: float = 0.4

    def __post_init__(self) -> None:
        for name in ("check_in_calm", "check_in_rule", "check_in_rule_calm", "urgent"):
            if getattr(self, name) < 0:
                object.__setattr__(self, name, self.check_in)

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> Thresholds:
        """From the risk artefact's ``thresholds``; keys an older artefact lacks default."""
        names = ("check_in_calm", "check_in_rule", "check_in_rule_calm", "urgent", "calm")
        return cls(
            check_in=float(meta["check_in"]),
            agree=float(meta["agree"]),
            crisis=float(meta["crisis"]),
            **{name: float(meta[name]) for name in names if name in meta},
        )


@dataclass(frozen=True)
class Reading:
    risk: float  # probability that some child is at risk
    category: Category  # the most likely harm, whatever the risk
    category_score: float
    who: Who
    who_score: float
    when: When
    when_score: float
    calm: float = 0.0  # the when model's probability of a calm frame (past, news, idiom…)
    idiom: float = 0.0  # of which the "idiom" frame

    def scores(self) -> tuple[tuple[str, float], ...]:
        return (
            ("risk", round(self.risk, 3)),
            (self.category.value, round(self.category_score, 3)),
            (f"who:{self.who.value}", round(self.who_score, 3)),
            (f"when:{self.when.value}", round(self.when_score, 3)),
            ("calm", round(self.calm, 3)),
        )


class LearnedLayer:
    def __init__(
        self, risk: LinearModel, category: LinearModel, who: LinearModel, when: LinearModel
    ) -> None:
        self.risk_model = risk
        # models trained in the risk model's feature space share its vector (and its vocabulary
        # in memory); one that was not reads the text itself
        category, who, when = (_shared(risk, model) for model in (category, who, when))
        self.category_model, self.who_model, self.when_model = category, who, when
        self.thresholds = Thresholds.from_meta(dict(risk.meta.get("thresholds", {})))
        self._at_risk = risk.classes.index(AT_RISK)
        self._categories = [Category(c) for c in category.classes]
        frames = [When(c) for c in when.classes]
        self._calm = [i for i, frame in enumerate(frames) if not frame.at_risk]
        self._idiom = frames.index(When.IDIOM) if When.IDIOM in frames else None

    @classmethod
    def load(cls, directory: Path) -> LearnedLayer | None:
        """The models in ``directory``/model/, or None when there are none (lexicons only)."""
        where = directory / MODEL_DIR
        if not (where / RISK_FILE).exists():
            return None
        return cls(*(load_model(where / name) for name in FILES))

    def read(self, text: str) -> Reading:
        where, values = self.risk_model.vector(text)
        risk = self.risk_model.probabilities_at(where, values)
        harm, who, when = (
            model.probabilities_at(where, values)
            if model.vocabulary is self.risk_model.vocabulary
            else model.probabilities(text)
            for model in (self.category_model, self.who_model, self.when_model)
        )
        best_harm, best_who, best_when = int(harm.argmax()), int(who.argmax()), int(when.argmax())
        return Reading(
            risk=float(risk[self._at_risk]),
            category=self._categories[best_harm],
            category_score=float(harm[best_harm]),
            who=Who(self.who_model.classes[best_who]),
            who_score=float(who[best_who]),
            when=When(self.when_model.classes[best_when]),
            when_score=float(when[best_when]),
            calm=float(when[self._calm].sum()),
            idiom=float(when[self._idiom]) if self._idiom is not None else 0.0,
        )


def _shared(risk: LinearModel, model: LinearModel) -> LinearModel:
    """``model`` holding the risk model's vocabulary object when their features are the same."""
    if model.shares_features(risk):
        return replace(model, vocabulary=risk.vocabulary, idf=risk.idf)
    return model
