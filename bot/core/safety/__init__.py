"""Risk detection: is a child at risk in this message, how urgently, from what, whose and when?

The pipeline runs ``SafetyChecker.assess`` on every message before anything else. Two layers: the
pattern lexicons in content/safety/<lang>.yaml (precise, explainable; format:
content/safety/README.md) and a learned layer in content/safety/model/ (small linear models over
character and word n-grams of accent-folded text, trained from content/safety/corpus/ by
``mangnon safety train``) that reads unseen wording. ``grading`` combines them into a
``Verdict`` with a level: crisis, check-in or none. Recall matters more than precision.
"""

from bot.core.safety.checker import SafetyChecker
from bot.core.safety.verdict import Category, Level, Severity, Verdict, When, Who

__all__ = ["Category", "Level", "SafetyChecker", "Severity", "Verdict", "When", "Who"]
