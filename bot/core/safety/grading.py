"""How the layers' readings become one graded verdict. Each step that decides names itself in the
verdict's ``rules`` (``grade.*``), so a log line explains the level without the text.

In order, the first that applies:

1. No learned layer loaded: any lexicon rule → crisis (the lexicons alone, as before).
2. A lexicon *disclosure* (harm tied to a person or a clear intent) → crisis, or check-in when the
   model reads a calm situation (past and over, prevention, news, idiom, game…) and little risk.
3. The model's risk ≥ the crisis threshold → crisis, unless the situation reads calm (→ check-in).
4. A lexicon *mention* with risk ≥ the check-in threshold → crisis: two layers agree.
5. Risk ≥ the check-in threshold, or a lexicon mention the model does not rule out → check-in.
6. Otherwise none.

The category is the lexicon's when a rule fired (it is written for precision), else the model's.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.safety.learned import Reading, Thresholds
from bot.core.safety.lexicon import Kind, Rule
from bot.core.safety.verdict import CATEGORY_PRIORITY, Category, Level, Severity, Verdict

# A situation reading at least this sure of a calm frame lowers the level by one step.
CALM = 0.6
# Below this share of the check-in threshold, the model overrules a lexicon mention.
MENTION_FLOOR = 0.35


def grade(fired: Sequence[Rule], reading: Reading | None, thresholds: Thresholds | None) -> Verdict:
    rules = tuple(sorted({rule.id for rule in fired}))
    if reading is None or thresholds is None:
        if not fired:
            return Verdict.safe()
        return _verdict(Level.CRISIS, fired, rules, reading, "grade.lexicon-only")
    calm = not reading.when.at_risk and reading.when_score >= CALM
    risk = reading.risk
    disclosure = any(rule.kind is Kind.DISCLOSURE for rule in fired)
    if disclosure:
        if calm and risk < thresholds.check_in:
            return _verdict(Level.CHECK_IN, fired, rules, reading, "grade.disclosure-calm")
        return _verdict(Level.CRISIS, fired, rules, reading, "grade.disclosure")
    if risk >= thresholds.crisis:
        if calm:
            return _verdict(Level.CHECK_IN, fired, rules, reading, "grade.model-calm")
        return _verdict(Level.CRISIS, fired, rules, reading, "grade.model")
    if fired and risk >= thresholds.check_in:
        return _verdict(Level.CRISIS, fired, rules, reading, "grade.mention-and-model")
    if risk >= thresholds.check_in:
        return _verdict(Level.CHECK_IN, fired, rules, reading, "grade.model-check-in")
    if fired and risk >= MENTION_FLOOR * thresholds.check_in:
        return _verdict(Level.CHECK_IN, fired, rules, reading, "grade.mention")
    return _none(rules, reading)


def _verdict(
    level: Level, fired: Sequence[Rule], rules: tuple[str, ...], reading: Reading | None, step: str
) -> Verdict:
    if fired:
        severity = (
            Severity.HIGH if any(r.severity is Severity.HIGH for r in fired) else Severity.MEDIUM
        )
        top = {rule.category for rule in fired if rule.severity is severity}
        category: Category = next(c for c in CATEGORY_PRIORITY if c in top)
    else:
        assert reading is not None
        severity = Severity.HIGH if level is Level.CRISIS else Severity.MEDIUM
        category = reading.category
    return Verdict(
        level=level,
        category=category,
        severity=severity,
        rules=(*rules, step),
        who=reading.who if reading else None,
        when=reading.when if reading else None,
        scores=reading.scores() if reading else (),
    )


def _none(rules: tuple[str, ...], reading: Reading) -> Verdict:
    return Verdict(
        level=Level.NONE,
        category=None,
        severity=None,
        rules=(*rules, "grade.none") if rules else (),
        who=reading.who,
        when=reading.when,
        scores=reading.scores(),
    )
