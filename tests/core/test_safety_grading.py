"""The grading: how a lexicon reading and the model's reading become one level, frame by frame,
and how the trainer chooses a check-in threshold per frame (bot/core/safety/grading.py,
bot/tools/safety/train.py). Readings are made up here, so each step can be pinned down."""

from __future__ import annotations

import re

import numpy as np

from bot.core.safety.grading import Frame, LexiconReading, check_in_threshold, frame_of, grade
from bot.core.safety.learned import Reading, Thresholds
from bot.core.safety.lexicon import Kind, Rule
from bot.core.safety.verdict import Category, Level, Severity, When, Who
from bot.tools.safety.train import RECALL_TARGET, frame_thresholds

THRESHOLDS = Thresholds(
    check_in=0.3,
    agree=0.6,
    crisis=0.8,
    check_in_calm=0.5,
    check_in_rule=0.0,
    check_in_rule_calm=0.2,
    urgent=0.25,
    calm=0.7,
)


def rule(severity: Severity = Severity.MEDIUM, kind: Kind = Kind.MENTION) -> Rule:
    return Rule("xx.violence.test", Category.VIOLENCE, severity, kind, re.compile("x"), ("x",))


def reading(risk: float, calm: float = 0.1, idiom: float = 0.0) -> Reading:
    return Reading(
        risk=risk,
        category=Category.VIOLENCE,
        category_score=0.9,
        who=Who.OTHER_CHILD,
        who_score=0.9,
        when=When.PARENTING if calm >= 0.5 else When.ONGOING,
        when_score=0.5,
        calm=calm,
        idiom=idiom,
    )


NO_RULE = LexiconReading(())
A_RULE = LexiconReading((rule(),))
URGENT = LexiconReading((rule(Severity.HIGH, Kind.DISCLOSURE),))


def test_frames() -> None:
    assert frame_of(NO_RULE, 0.1, 0.0, 0.7) is Frame.PLAIN
    assert frame_of(NO_RULE, 0.8, 0.0, 0.7) is Frame.CALM
    assert frame_of(LexiconReading((), idiom=True), 0.1, 0.0, 0.7) is Frame.CALM
    assert frame_of(A_RULE, 0.1, 0.0, 0.7) is Frame.RULE
    assert frame_of(A_RULE, 0.8, 0.0, 0.7) is Frame.RULE_CALM
    assert frame_of(URGENT, 0.1, 0.0, 0.7) is Frame.URGENT
    # a rule that fired outside the lexicons' idioms overrules the model's "idiom" reading
    assert frame_of(A_RULE, 0.8, 0.5, 0.7) is Frame.RULE
    assert frame_of(NO_RULE, 0.8, 0.5, 0.7) is Frame.CALM


def test_a_calm_question_with_little_risk_gets_an_ordinary_answer() -> None:
    """A parent's question about smacking reads calm: below the calm threshold it is none."""
    assert grade(NO_RULE, reading(0.45, calm=0.9), THRESHOLDS).level is Level.NONE
    assert grade(NO_RULE, reading(0.45, calm=0.1), THRESHOLDS).level is Level.CHECK_IN
    assert grade(NO_RULE, reading(0.2, calm=0.1), THRESHOLDS).level is Level.NONE
    assert grade(NO_RULE, reading(0.55, calm=0.9), THRESHOLDS).level is Level.CHECK_IN


def test_a_calm_reading_may_overrule_a_rule_but_the_model_alone_may_not() -> None:
    overruled = grade(A_RULE, reading(0.1, calm=0.9), THRESHOLDS)
    assert overruled.level is Level.NONE
    assert overruled.rules == ("xx.violence.test", "grade.overruled-rule-calm")
    assert grade(A_RULE, reading(0.05, calm=0.1), THRESHOLDS).level is Level.CHECK_IN
    assert grade(URGENT, reading(0.01, calm=0.1), THRESHOLDS).level is Level.CHECK_IN


def test_crisis_needs_two_layers_or_a_sure_model() -> None:
    assert grade(URGENT, reading(0.3), THRESHOLDS).level is Level.CRISIS
    assert grade(A_RULE, reading(0.3), THRESHOLDS).level is Level.CHECK_IN
    assert grade(A_RULE, reading(0.7), THRESHOLDS).level is Level.CRISIS
    assert grade(A_RULE, reading(0.7, calm=0.9), THRESHOLDS).level is Level.CHECK_IN
    assert grade(NO_RULE, reading(0.85), THRESHOLDS).level is Level.CRISIS
    calm = grade(NO_RULE, reading(0.85, calm=0.9), THRESHOLDS)
    assert calm.level is Level.CHECK_IN and "grade.model-calm" in calm.rules


def test_an_older_artefact_has_one_check_in_threshold() -> None:
    old = Thresholds.from_meta({"check_in": 0.25, "agree": 0.6, "crisis": 0.8})
    assert {check_in_threshold(old, f) for f in Frame if f is not Frame.URGENT} == {0.25}
    assert old.urgent == 0.25


def test_frame_thresholds_keep_the_recall_target_with_fewest_harmless_flagged() -> None:
    rng = np.random.default_rng(0)
    frames, risk, at_risk = [], [], []
    # plain messages: at risk high, harmless spread; calm ones: harmless low, a few at risk
    for frame, n, low, high, harmful in (
        (Frame.PLAIN, 400, 0.3, 1.0, True),
        (Frame.PLAIN, 300, 0.0, 0.6, False),
        (Frame.CALM, 100, 0.2, 1.0, True),
        (Frame.CALM, 300, 0.0, 0.5, False),
        (Frame.RULE, 100, 0.05, 1.0, True),
        (Frame.RULE, 30, 0.0, 0.3, False),
    ):
        frames += [frame] * n
        risk += list(rng.uniform(low, high, n))
        at_risk += [harmful] * n
    scores, truth = np.array(risk), np.array(at_risk)
    chosen, flagged = frame_thresholds(frames, scores, truth, cap=0.9)
    labels = np.array([f.value for f in frames])
    limits = np.array([chosen[f] for f in frames])
    hit = scores >= limits
    assert hit[truth].mean() >= RECALL_TARGET
    assert flagged == int(hit[~truth].sum())
    assert chosen[Frame.RULE] == 0.0 and chosen[Frame.URGENT] == 0.0  # rules are always checked
    # one threshold for all (the old way) flags more harmless messages for the same recall
    single = float(np.quantile(scores[truth], 1.0 - RECALL_TARGET))
    single_hit = (scores >= single) | (labels == Frame.RULE.value)
    assert single_hit[truth].mean() >= RECALL_TARGET
    assert flagged < int(single_hit[~truth].sum())
