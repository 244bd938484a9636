"""What the risk detector answers: how urgent (level), what harm (category), whose and when.

The verdict is logged, so it holds rule ids and model scores, never the user's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    SEXUAL_ABUSE = "sexual-abuse"
    VIOLENCE = "violence"
    SELF_HARM = "self-harm"
    EXPLOITATION = "exploitation"
    NEGLECT = "neglect"
    BULLYING_SEVERE = "bullying-severe"
    EMERGENCY = "emergency"


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"


class Level(StrEnum):
    """``crisis``: numbers and a human now; ``check-in``: answer, then ask "are you safe?"."""

    CRISIS = "crisis"
    CHECK_IN = "check-in"
    NONE = "none"


class Who(StrEnum):
    """Who is at risk, as read from the message (not the user's stored role)."""

    SELF = "self"  # the speaker: "em bị đánh", "I want to die"
    OTHER_CHILD = "other-child"  # a child the speaker knows: "con tôi", "my friend"
    GENERAL = "general"  # children in general, or nobody in particular


class When(StrEnum):
    """The message's time frame: a harm now, ongoing, just happened or planned, or one of the
    readings that lower the level (a past and resolved event, a hypothetical, a prevention or
    information question, news, a figure of speech, a game or film, ordinary parenting, health,
    homework or everyday talk)."""

    NOW = "now"
    ONGOING = "ongoing"
    RECENT = "recent"
    PLANNED = "planned"
    PAST = "past"
    HYPOTHETICAL = "hypothetical"
    PREVENTION = "prevention"
    INFORMATION = "information"
    NEWS = "news"
    IDIOM = "idiom"
    GAME = "game"
    PARENTING = "parenting"
    HEALTH = "health"
    HOMEWORK = "homework"
    EVERYDAY = "everyday"

    @property
    def at_risk(self) -> bool:
        return self in _AT_RISK


_AT_RISK = frozenset({When.NOW, When.ONGOING, When.RECENT, When.PLANNED})

# When several rules fire with the same severity, the verdict names the first category in this
# order. Self-harm comes before emergency: "em định uống hết vỉ thuốc ngủ" fires both, and the
# self-harm reply carries the emergency numbers too; then harms that need the police or 111 fast.
CATEGORY_PRIORITY: tuple[Category, ...] = (
    Category.SELF_HARM,
    Category.EMERGENCY,
    Category.EXPLOITATION,
    Category.SEXUAL_ABUSE,
    Category.BULLYING_SEVERE,
    Category.VIOLENCE,
    Category.NEGLECT,
)

# Rule id reported when the check itself failed: the message is escalated rather than let through.
ERROR_RULE = "safety.error"


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check.

    ``rules``: ids of the lexicon rules that fired and of the grading steps that decided the
    level (``grade.*``); ``scores``: the learned layer's readings as (name, value) pairs, e.g.
    ``("risk", 0.93)``, ``("self-harm", 0.88)``, ``("when:planned", 0.61)``. Both explain a verdict
    in logs without the text.
    """

    level: Level
    category: Category | None
    severity: Severity | None
    rules: tuple[str, ...]
    who: Who | None = None
    when: When | None = None
    scores: tuple[tuple[str, float], ...] = ()

    @property
    def escalate(self) -> bool:
        """True only for a crisis: the hotline and a human now (the pipeline's contract)."""
        return self.level is Level.CRISIS

    @classmethod
    def safe(cls) -> Verdict:
        return cls(level=Level.NONE, category=None, severity=None, rules=())

    @classmethod
    def failed(cls) -> Verdict:
        """The check crashed: escalate (show the hotline) without naming a category."""
        return cls(level=Level.CRISIS, category=None, severity=Severity.MEDIUM, rules=(ERROR_RULE,))
