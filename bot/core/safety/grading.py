"""How the layers' readings become one graded verdict. Each step that decides names itself in the
verdict's ``rules`` (``grade.*``), so a log line explains the level without the text.

The model's risk is compared with thresholds chosen at training time on out-of-fold scores of the
training split (``Thresholds``): ``agree`` (moderate: enough to confirm a lexicon rule),
``crisis`` (high: the model alone is sure) and one **check-in** threshold per ``Frame``, the
message's standing before its risk is read: did a lexicon rule fire, and does the situation read
calm? A calm reading is a lexicon idiom that hid a harm word ("beats me at chess", "mệt muốn
chết"), or the ``when`` model giving a calm frame (past, prevention, information, news, idiom,
game, parenting, health, homework, everyday) at least ``Thresholds.calm`` (its "idiom" does not
count when a rule fired outside the lexicons' own idioms). The trainer sets the four check-in
thresholds together so that the training split's at-risk messages keep their recall target with
the fewest harmless ones asked "are you safe?": a calm parent's question needs a higher risk than
a plain message, a message a rule fired on a lower one. In order, the first that applies:

1. No learned layer: any lexicon rule → crisis (the lexicons alone, as before).
2. A lexicon rule fired and the reading is not calm: a high-severity disclosure (a danger to life
   or abuse tied to a person: "con tôi bị điện giật", "kms") with risk ≥ ``urgent`` (low: keeps
   nearly every at-risk message), or any rule with risk ≥ ``agree`` → crisis (two layers agree).
   A high-severity disclosure is never less than a check-in unless the reading is calm; nor is
   any other rule, as trained (``train.ALWAYS_CHECKED`` keeps the ``rule`` threshold at 0: the
   model alone may not overrule a rule, only a calm reading may).
3. No rule, risk ≥ ``crisis`` → crisis, or check-in when the reading is calm. (A question frame
   is not calm: "my son swallowed a battery, what do I do?" is a question and a crisis.)
4. Risk ≥ the frame's check-in threshold → check-in.
5. Otherwise none: low risk, or a calm reading without enough risk (a rule that fired is then
   named in the verdict's ``rules`` as overruled, for editors).

The category is the model's when it is sure of it (it reads the whole message); when it is not
and a lexicon rule fired, the rule's category (rules are written for one harm each).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.core.safety.learned import Reading, Thresholds
from bot.core.safety.lexicon import Kind, Rule
from bot.core.safety.verdict import CATEGORY_PRIORITY, Category, Level, Severity, Verdict

# Below this probability of its own category, the model defers to the lexicon rule's category.
UNSURE = 0.5


class Frame(StrEnum):
    """A message's standing before its risk is read; each has its own check-in threshold."""

    URGENT = "urgent"  # a high-severity disclosure fired, not calm: always at least a check-in
    RULE = "rule"  # another lexicon rule fired, not calm (threshold 0 as trained)
    RULE_CALM = "rule-calm"  # a rule fired, but the situation reads calm
    PLAIN = "plain"  # no rule, not calm
    CALM = "calm"  # no rule, calm


@dataclass(frozen=True)
class LexiconReading:
    """What the lexicons found: the rules that fired (question frames applied), and whether an
    idiom kept a rule from firing ("beats me at chess", "mệt muốn chết", "phòng đuối nước": a
    figure of speech, a hypothetical or a prevention phrase around a harm word, a calm reading)."""

    rules: tuple[Rule, ...]
    idiom: bool = False

    @property
    def urgent(self) -> bool:
        return any(r.kind is Kind.DISCLOSURE and r.severity is Severity.HIGH for r in self.rules)


def is_calm(lexicon: LexiconReading, calm: float, idiom: float, cut: float) -> bool:
    """Does the situation read calm? ``calm``: the ``when`` model's probability of a calm frame,
    ``idiom`` the part of it that is "idiom"; ``cut``: ``Thresholds.calm``. The lexicons know
    their idioms: a rule that fired outside them overrules the model's "idiom"."""
    return lexicon.idiom or calm - (idiom if lexicon.rules else 0.0) >= cut


def frame_of(lexicon: LexiconReading, calm: float, idiom: float, cut: float) -> Frame:
    quiet = is_calm(lexicon, calm, idiom, cut)
    if lexicon.rules:
        if quiet:
            return Frame.RULE_CALM
        return Frame.URGENT if lexicon.urgent else Frame.RULE
    return Frame.CALM if quiet else Frame.PLAIN


def check_in_threshold(thresholds: Thresholds, frame: Frame) -> float:
    return {
        Frame.URGENT: 0.0,
        Frame.RULE: thresholds.check_in_rule,
        Frame.RULE_CALM: thresholds.check_in_rule_calm,
        Frame.PLAIN: thresholds.check_in,
        Frame.CALM: thresholds.check_in_calm,
    }[frame]


def grade(
    lexicon: LexiconReading, reading: Reading | None, thresholds: Thresholds | None
) -> Verdict:
    fired = lexicon.rules
    rules = tuple(sorted({rule.id for rule in fired}))
    if reading is None or thresholds is None:
        if not fired:
            return Verdict.safe()
        return _verdict(Level.CRISIS, fired, rules, None, "grade.lexicon-only")
    frame = frame_of(lexicon, reading.calm, reading.idiom, thresholds.calm)
    check_in = check_in_threshold(thresholds, frame)
    risk = reading.risk
    if frame is Frame.URGENT and risk >= thresholds.urgent:
        return _verdict(Level.CRISIS, fired, rules, reading, "grade.lexicon-urgent")
    if frame in (Frame.URGENT, Frame.RULE) and risk >= thresholds.agree:
        return _verdict(Level.CRISIS, fired, rules, reading, "grade.lexicon-and-model")
    if not fired and risk >= thresholds.crisis:
        if frame is Frame.CALM:
            return _verdict(Level.CHECK_IN, fired, rules, reading, "grade.model-calm")
        return _verdict(Level.CRISIS, fired, rules, reading, "grade.model")
    if risk >= check_in:
        step = "grade.lexicon-doubted" if fired else f"grade.model-check-in-{frame.value}"
        return _verdict(Level.CHECK_IN, fired, rules, reading, step)
    return Verdict(
        level=Level.NONE,
        category=None,
        severity=None,
        rules=(*rules, f"grade.overruled-{frame.value}") if fired else (),
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
        if reading.category_score < UNSURE:
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
