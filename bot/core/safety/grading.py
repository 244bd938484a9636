"""How the layers' readings become one graded verdict. Each step that decides names itself in the
verdict's ``rules`` (``grade.*``), so a log line explains the level without the text.

The model's risk is compared with three thresholds chosen at training time (``Thresholds``):
``check_in`` (low: keeps nearly every at-risk message), ``agree`` (moderate: enough to confirm a
lexicon rule) and ``crisis`` (high: the model alone is sure). In order, the first that applies:

1. No learned layer: any lexicon rule → crisis (the lexicons alone, as before).
2. A high-severity lexicon disclosure (a danger to life or abuse tied to a person: "con tôi bị
   điện giật", "kms") → crisis unless the model reads little risk (< ``check_in``) in a calm
   situation. Any other lexicon rule (a medium disclosure, a mention outside a question) and
   risk ≥ ``agree``, the situation not calm → crisis: two layers agree. A lexicon rule the model
   doubts → check-in.
3. Risk ≥ ``crisis`` → crisis, or check-in when the situation reads calm: the ``when`` model
   reads past, prevention, news, idiom, game… or a lexicon idiom hid a harm word. (A question frame
   is not calm: "my son swallowed a battery, what do I do?" is a question and a crisis.)
4. Risk ≥ ``check_in`` → check-in.
5. Otherwise none.

The category is the model's (it reads the whole message), except when a lexicon rule for a harm
to life (self-harm, emergency) fired and the model is unsure of its own category.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.safety.learned import Reading, Thresholds
from bot.core.safety.lexicon import Kind, Rule
from bot.core.safety.verdict import CATEGORY_PRIORITY, Category, Level, Severity, Verdict, When

# A situation reading at least this sure of a calm frame lowers the level by one step.
CALM = 0.4
# Below this probability of its own category, the model defers to a lexicon's harm to life.
UNSURE = 0.5
LIFE = frozenset({Category.SELF_HARM, Category.EMERGENCY})


@dataclass(frozen=True)
class LexiconReading:
    """What the lexicons found: the rules that fired (question frames applied), and whether an
    idiom kept a rule from firing ("beats me at chess", "mệt muốn chết", "phòng đuối nước": a
    figure of speech, a hypothetical or a prevention phrase around a harm word, a calm reading)."""

    rules: tuple[Rule, ...]
    idiom: bool = False


def grade(
    lexicon: LexiconReading, reading: Reading | None, thresholds: Thresholds | None
) -> Verdict:
    fired = lexicon.rules
    rules = tuple(sorted({rule.id for rule in fired}))
    if reading is None or thresholds is None:
        if not fired:
            return Verdict.safe()
        return _verdict(Level.CRISIS, fired, rules, None, "grade.lexicon-only")
    # The lexicons know their idioms: a rule that fired outside them overrules the model's "idiom".
    model_calm = not reading.when.at_risk and reading.when_score >= CALM
    calm = lexicon.idiom or (model_calm and not (fired and reading.when is When.IDIOM))
    risk = reading.risk
    if fired:
        urgent = any(r.kind is Kind.DISCLOSURE and r.severity is Severity.HIGH for r in fired)
        if urgent and risk >= thresholds.check_in and not calm:
            return _verdict(Level.CRISIS, fired, rules, reading, "grade.lexicon-urgent")
        if risk >= thresholds.agree and not calm:
            return _verdict(Level.CRISIS, fired, rules, reading, "grade.lexicon-and-model")
        return _verdict(Level.CHECK_IN, fired, rules, reading, "grade.lexicon-doubted")
    if risk >= thresholds.crisis:
        if calm:
            return _verdict(Level.CHECK_IN, fired, rules, reading, "grade.model-calm")
        return _verdict(Level.CRISIS, fired, rules, reading, "grade.model")
    if risk >= thresholds.check_in:
        return _verdict(Level.CHECK_IN, fired, rules, reading, "grade.model-check-in")
    return Verdict(
        level=Level.NONE,
        category=None,
        severity=None,
        rules=(),
        who=reading.who,
        when=reading.when,
        scores=reading.scores(),
    )


def _lexicon_category(fired: Sequence[Rule]) -> tuple[Category, Severity]:
    severity = Severity.HIGH if any(r.severity is Severity.HIGH for r in fired) else Severity.MEDIUM
    top = {rule.category for rule in fired if rule.severity is severity}
    return next(c for c in CATEGORY_PRIORITY if c in top), severity


def _verdict(
    level: Level, fired: Sequence[Rule], rules: tuple[str, ...], reading: Reading | None, step: str
) -> Verdict:
    if reading is None:
        category, severity = _lexicon_category(fired)
        return Verdict(level=level, category=category, severity=severity, rules=(*rules, step))
    category = reading.category
    severity = Severity.HIGH if level is Level.CRISIS else Severity.MEDIUM
    if fired:
        named, severity = _lexicon_category(fired)
        if named in LIFE and severity is Severity.HIGH and reading.category_score < UNSURE:
            category = named
    return Verdict(
        level=level,
        category=category,
        severity=severity,
        rules=(*rules, step),
        who=reading.who,
        when=reading.when,
        scores=reading.scores(),
    )
