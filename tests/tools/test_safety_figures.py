"""The shipped check measured on the dev split (rows the model never trained on), and the tools
that measure it. Floors sit a little below today's figures (docs/BENCHMARKS.md) so that a change
that makes the check worse fails here. The check-in floor is still far from the issue's 10% goal:
the writers' hard negatives mimic disclosures closely and today's models separate them only so
far (docs/BENCHMARKS.md, "Safety check"); grading by frame brought it from 45% to about a third."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.core.safety import Level, SafetyChecker
from bot.core.safety.learned import LearnedLayer
from bot.tools.safety.corpus import CORPUS_DIR, load_corpus, split
from bot.tools.safety.evaluate import evaluate
from bot.tools.safety.train import Recipe, default_recipe, train

LEXICONS = CORPUS_DIR.parent
ROWS = load_corpus()
DEV = split(ROWS, "dev")


@pytest.fixture(scope="module")
def checker() -> SafetyChecker:
    return SafetyChecker.load(LEXICONS)


def test_dev_figures_hold(checker: SafetyChecker) -> None:
    total = evaluate(checker.assess, DEV).total
    assert total.recall >= 0.99
    assert total.category_accuracy >= 0.85
    assert total.crisis_on_harmless <= 0.03
    assert total.check_in_on_harmless <= 0.38


def test_the_learned_layer_earns_its_place(checker: SafetyChecker) -> None:
    """Without the model the lexicons miss far more: the recall floor has teeth."""
    alone = evaluate(checker.with_learned(None).assess, DEV).total
    both = evaluate(checker.assess, DEV).total
    assert alone.recall < both.recall - 0.1


def test_every_style_is_caught(checker: SafetyChecker) -> None:
    report = evaluate(checker.assess, DEV)
    for name, tally in report.by_group.items():
        if tally.at_risk >= 20:
            assert tally.recall >= 0.95, name


def test_training_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    rows = split(ROWS, "train")[::20]
    recipe = Recipe(default_recipe().spec, min_df=2)
    first = train(rows, recipe).save(tmp_path / "a")
    second = train(rows, recipe).save(tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    layer = LearnedLayer.load(tmp_path / "a")
    assert layer is not None and 0 < layer.thresholds.check_in <= layer.thresholds.crisis
    assert layer.read("bố em đêm nào cũng đánh em").risk > layer.read("hôm nay trời đẹp").risk


def test_eval_prints_the_table_and_explains(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["safety", "eval", "--split", "dev"]) == 0
    out = capsys.readouterr().out
    assert "| all |" in out and "| style teen |" in out and "p99" in out
    assert main(["safety", "eval", "--explain", "em bi danh dau lam, cuu em"]) == 0
    out = capsys.readouterr().out
    assert "verdict: crisis" in out and "pushes toward" in out and "[vi]" in out


def test_eval_refuses_to_show_the_blind_split(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["safety", "eval", "--split", "test", "--show"]) == 2
    assert "not allowed" in capsys.readouterr().err


def test_a_missing_blind_split_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from bot.tools.safety import corpus

    monkeypatch.setattr(corpus, "BLIND_TEST", tmp_path / "absent.yaml")
    assert main(["safety", "eval", "--split", "test"]) == 2
    assert "absent" in capsys.readouterr().err


def test_levels_on_the_corpus_are_graded(checker: SafetyChecker) -> None:
    levels = {checker.assess(row.text, row.lang).level for row in DEV}
    assert levels == {Level.CRISIS, Level.CHECK_IN, Level.NONE}
