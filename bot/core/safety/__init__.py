"""Risk detection: does a message disclose abuse, violence, self-harm, exploitation or an emergency?

The pipeline runs ``SafetyChecker.assess`` on every message before anything else. The words live in
content/safety/<lang>.yaml (format: content/safety/README.md); this package only compiles and runs
them. Recall matters more than precision: when in doubt, escalate.
"""

from bot.core.safety.checker import SafetyChecker
from bot.core.safety.verdict import Category, Severity, Verdict

__all__ = ["Category", "SafetyChecker", "Severity", "Verdict"]
