"""What the risk detector answers: a category, a severity and the ids of the rules that fired."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    SEXUAL_ABUSE = "sexual-abuse"
    VIOLENCE = "violence"
    SELF_HARM = "self-harm"
    EXPLOITATION = "exploitation"
    EMERGENCY = "emergency"


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"


# When several rules fire with the same severity, the verdict names the first category in this
# order. Self-harm comes before emergency: "em định uống hết vỉ thuốc ngủ" fires both, and the
# self-harm reply carries the emergency numbers too; then harms that need the police or 111 fast.
CATEGORY_PRIORITY: tuple[Category, ...] = (
    Category.SELF_HARM,
    Category.EMERGENCY,
    Category.EXPLOITATION,
    Category.SEXUAL_ABUSE,
    Category.VIOLENCE,
)

# Rule id reported when the check itself failed: the message is escalated rather than let through.
ERROR_RULE = "safety.error"


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check. ``rules`` holds rule ids, never the user's text: it is logged."""

    escalate: bool
    category: Category | None
    severity: Severity | None
    rules: tuple[str, ...]

    @classmethod
    def safe(cls) -> Verdict:
        return cls(escalate=False, category=None, severity=None, rules=())

    @classmethod
    def failed(cls) -> Verdict:
        """The check crashed: escalate (show the hotline) without naming a category."""
        return cls(escalate=True, category=None, severity=Severity.MEDIUM, rules=(ERROR_RULE,))
