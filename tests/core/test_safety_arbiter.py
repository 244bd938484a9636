"""The category arbiter (bot/core/safety/arbiter.py): how the category model's probabilities and
the lexicon rules that fired become one category, and how the grading uses it. Arbiters are made
up here (and one is fitted on made-up readings), so each case can be pinned down."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bot.core.safety.arbiter import Arbiter, features
from bot.core.safety.grading import LexiconReading, grade
from bot.core.safety.learned import Reading, Thresholds
from bot.core.safety.lexicon import Kind, Rule
from bot.core.safety.verdict import Category, Level, Severity, When, Who

INPUTS = (Category.BULLYING_SEVERE, Category.VIOLENCE)
THRESHOLDS = Thresholds(check_in=0.3, agree=0.6, crisis=0.8)


def arbiter(rule_weight: float) -> Arbiter:
    """Log-probabilities count once; a fired rule's category counts ``rule_weight``."""
    weights = np.array([[1.0, 0.0, rule_weight, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, rule_weight, 0, 0]])
    return Arbiter(INPUTS, INPUTS, weights, np.zeros(2))


def violence_rule() -> Rule:
    return Rule(
        "xx.violence.test",
        Category.VIOLENCE,
        Severity.MEDIUM,
        Kind.MENTION,
        re.compile("x"),
        ("x",),
    )


def reading(harm: tuple[float, ...]) -> Reading:
    return Reading(
        risk=0.9,
        category=Category.BULLYING_SEVERE,
        category_score=harm[0],
        who=Who.SELF,
        who_score=0.9,
        when=When.ONGOING,
        when_score=0.9,
        harm=harm,
    )


def test_features_are_logs_then_fired_then_named() -> None:
    x = features(INPUTS, (0.5, 0.0), {Category.VIOLENCE}, Category.VIOLENCE)
    assert x[0] == pytest.approx(np.log(0.5))
    assert np.isfinite(x[1])  # floored before the log
    assert list(x[2:]) == [0.0, 1.0, 0.0, 1.0]


def test_the_rule_counts_as_much_as_it_was_taught() -> None:
    harm = (0.4, 0.6)  # the model leans to violence
    assert arbiter(0.0).choose(harm, set(), None)[0] is Category.VIOLENCE
    # a rule for bullying outweighs the model's lean only when its weight is large enough
    assert arbiter(0.1).choose(harm, {Category.BULLYING_SEVERE}, None)[0] is Category.VIOLENCE
    assert (
        arbiter(2.0).choose(harm, {Category.BULLYING_SEVERE}, None)[0] is Category.BULLYING_SEVERE
    )


def test_meta_round_trip_and_shape_check() -> None:
    made = arbiter(1.5)
    back = Arbiter.from_meta(made.to_meta())
    assert back.inputs == made.inputs and back.classes == made.classes
    assert np.allclose(back.weights, made.weights)
    with pytest.raises(ValueError):
        Arbiter.from_meta({**made.to_meta(), "bias": [0.0]})


def test_grading_takes_the_arbiters_category_over_the_rules() -> None:
    fired = LexiconReading((violence_rule(),))
    sure_of_bullying = reading((0.45, 0.55))
    # without an arbiter the model is unsure (< 0.5 of its own top) and the rule's category wins
    assert grade(fired, sure_of_bullying, THRESHOLDS).category is Category.VIOLENCE
    # an arbiter that learned the rule's category means little keeps the model's reading
    weights = np.array([[3.0, 0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    lean = Arbiter(INPUTS, INPUTS, weights, np.array([3.0, 0.0]))
    verdict = grade(fired, sure_of_bullying, THRESHOLDS, lean)
    assert verdict.level is Level.CRISIS
    assert verdict.category is Category.BULLYING_SEVERE
