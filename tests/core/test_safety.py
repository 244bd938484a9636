"""The risk detector: recall on disclosures, silence on look-alikes, robustness, lexicon loading.

Figures for the whole labelled set: `.venv/bin/python -m bot.core.safety.evaluate`.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import shutil
import time
from pathlib import Path

import pytest

from bot.core.safety import Category, SafetyChecker, Severity, Verdict
from bot.core.safety.evaluate import EVAL_SET, LEXICONS, Example, evaluate, load_examples

EXAMPLES = load_examples(EVAL_SET)
DISCLOSURES = [e for e in EXAMPLES if e.expect is not None]
BENIGN = [e for e in EXAMPLES if e.expect is None]


@pytest.fixture(scope="module")
def checker() -> SafetyChecker:
    return SafetyChecker.load(LEXICONS)


def _ids(examples: list[Example]) -> list[str]:
    return [f"{e.lang}:{e.text[:40]}" for e in examples]


# ---------------------------------------------------------------- the labelled set


def test_labelled_set_is_big_and_varied_enough() -> None:
    assert len(EXAMPLES) >= 240
    for category in Category:
        assert sum(e.expect is category for e in EXAMPLES) >= 25, category
    assert len(BENIGN) >= 90
    english = sum(e.lang == "en" for e in EXAMPLES) / len(EXAMPLES)
    assert 0.2 <= english <= 0.35
    assert any(e.holdout for e in DISCLOSURES) and any(e.holdout for e in BENIGN)
    assert len({e.text for e in EXAMPLES}) == len(EXAMPLES), "duplicate messages"


@pytest.mark.parametrize("example", DISCLOSURES, ids=_ids(DISCLOSURES))
def test_every_disclosure_escalates(checker: SafetyChecker, example: Example) -> None:
    verdict = checker.assess(example.text, example.lang)
    assert verdict.escalate, f"missed {example.expect}: {example.text}"
    assert verdict.category is not None and verdict.severity is not None and verdict.rules


def test_category_is_right_for_at_least_90_percent(checker: SafetyChecker) -> None:
    report = evaluate(checker, DISCLOSURES)
    wrong = [(e.text, e.expect, v.category) for e, v in report.miscategorised]
    assert report.category_accuracy >= 0.9, wrong


def test_false_escalations_on_benign_stay_under_5_percent(checker: SafetyChecker) -> None:
    report = evaluate(checker, BENIGN)
    alarms = [(e.text, v.rules) for e, v in report.false_alarms]
    assert report.false_escalation_rate < 0.05, alarms


def test_the_measure_can_fail(tmp_path: Path) -> None:
    """A lexicon that knows one phrase misses almost everything: the recall test has teeth."""
    (tmp_path / "qaa.yaml").write_text(_MINIMAL, encoding="utf-8")
    weak = SafetyChecker.load(tmp_path)
    report = evaluate(weak, DISCLOSURES)
    assert report.recall < 0.1
    assert len(report.missed) > 100


# ---------------------------------------------------------------- what the brief names


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("ko muốn sống nữa", Category.SELF_HARM),
        ("muon chet", Category.SELF_HARM),
        ("tự tử", Category.SELF_HARM),
        ("em hay cắt tay", Category.SELF_HARM),
        ("kms", Category.SELF_HARM),
        ("unalive", Category.SELF_HARM),
        ("bị sờ vùng kín", Category.SEXUAL_ABUSE),
        ("chú hàng xóm bắt em cởi đồ", Category.SEXUAL_ABUSE),
        ("bị ép lấy chồng", Category.EXPLOITATION),
        ("bị đòi tiền nếu không sẽ tung ảnh", Category.EXPLOITATION),
        ("bé nhà tôi uống nhầm thuốc chuột", Category.EMERGENCY),
        ("con tôi đuối nước không thở", Category.EMERGENCY),
        ("bố hay đánh em", Category.VIOLENCE),
    ],
)
def test_named_disclosures(checker: SafetyChecker, text: str, category: Category) -> None:
    verdict = checker.assess(text, "vi")
    assert verdict.escalate and verdict.category is category, verdict


@pytest.mark.parametrize(
    "text",
    [
        "cười chết mất",
        "giết thời gian",
        "nóng chết đi được",
        "đói chết mất",
        "mệt muốn chết",
        "thôi chết, quên mang áo mưa",
        "I'm dying to see it",
        "this homework is killing me",
        "you're killing it",
        "my sister beats me at every board game",
        "từ từ thôi con",
    ],
)
def test_figures_of_speech_do_not_fire(checker: SafetyChecker, text: str) -> None:
    assert checker.assess(text, None) == Verdict.safe()


@pytest.mark.parametrize(
    "text",
    [
        "dấu hiệu trẻ bị xâm hại là gì?",
        "đánh con có phạm luật không?",
        "làm sao dạy con phòng tránh xâm hại",
        "how do I know if my child is being bullied",
        "làm sao phòng đuối nước cho bé",
        "con đang học lớp 3",
        "tư vấn tâm lý cho trẻ ở đâu",
        "tu van tam ly cho tre o dau",
    ],
)
def test_informational_questions_do_not_fire(checker: SafetyChecker, text: str) -> None:
    assert not checker.assess(text, "vi").escalate


def test_a_question_never_silences_a_disclosure(checker: SafetyChecker) -> None:
    for text in (
        "con tôi bị điện giật, sơ cứu thế nào?",
        "bố hay đánh em, làm sao để tránh bị đánh?",
        "em muốn chết, dấu hiệu trầm cảm là gì",
        "my son is not breathing, how to do cpr",
    ):
        assert checker.assess(text, None).escalate, text


def test_severity(checker: SafetyChecker) -> None:
    assert checker.assess("em định tự tử tối nay").severity is Severity.HIGH
    assert checker.assess("my baby isn't breathing").severity is Severity.HIGH
    assert checker.assess("bố hay đánh em").severity is Severity.MEDIUM
    assert checker.assess("em chán sống lắm").severity is Severity.MEDIUM


def test_accents_typed_fully_partly_or_not_at_all(checker: SafetyChecker) -> None:
    for text in (
        "em muốn chết",
        "em muon chet",
        "em muôn chêt",
        "EM MUỐN CHẾT",
        "em muốnnnn chếttt",
    ):
        assert checker.assess(text).category is Category.SELF_HARM, text
    # a different accent is a different word: "học" (study) is not "hóc" (choke)
    assert not checker.assess("bé đang học bài").escalate
    assert checker.assess("bé bị hóc xương cá").category is Category.EMERGENCY


def test_negation_inside_a_gap_blocks_the_match(checker: SafetyChecker) -> None:
    assert not checker.assess("em không bị ai đánh cả, chỉ hơi buồn").escalate
    assert checker.assess("em bị bạn đánh").escalate


def test_other_languages_are_checked_whatever_the_setting(checker: SafetyChecker) -> None:
    assert checker.assess("i want to die", "vi").category is Category.SELF_HARM
    assert checker.assess("em muốn tự tử", "en").category is Category.SELF_HARM
    assert checker.assess("em muốn tự tử", "bru").category is Category.SELF_HARM
    assert checker.assess("em muốn tự tử", "vi-VN").category is Category.SELF_HARM


# ---------------------------------------------------------------- robustness


def test_long_garbage_and_control_characters_do_not_crash(checker: SafetyChecker) -> None:
    rng = random.Random(7)
    alphabet = "abcdeđghiklmnoôơuưyáàảãạếề 😀🔥\x00\x07\u200b\u202e\ufeff\n\t.!?,'’"
    for size in (0, 1, 50, 10_000, 100_000):
        text = "".join(rng.choice(alphabet) for _ in range(size))
        started = time.perf_counter()
        verdict = checker.assess(text, "vi")
        assert time.perf_counter() - started < 0.5
        assert isinstance(verdict, Verdict)
    for text in ("", "   ", "\x00\x00", "😀😀😀", "...!!!???", "\u200b" * 500, "_" * 100):
        assert checker.assess(text) == Verdict.safe(), repr(text)
    assert checker.assess("\x00em\u200b muốn\x07 chết\ufeff").category is Category.SELF_HARM


def test_a_disclosure_after_a_long_preamble_is_found(checker: SafetyChecker) -> None:
    text = "hôm nay em đi học về. " * 150 + "bố lại đánh em"
    assert len(text) > 3000
    assert checker.assess(text).category is Category.VIOLENCE


def test_typical_message_takes_well_under_a_millisecond(checker: SafetyChecker) -> None:
    texts = [e.text for e in EXAMPLES]
    started = time.perf_counter()
    for text in texts:
        checker.assess(text)
    per_message = (time.perf_counter() - started) / len(texts)
    assert per_message < 0.005  # typically ~0.2 ms; generous for slow CI machines


def test_a_bug_in_the_check_escalates_instead_of_raising(
    checker: SafetyChecker, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(checker, "_assess", broken)
    with caplog.at_level(logging.ERROR):
        verdict = checker.assess("secret words of a child")
    assert verdict.escalate and verdict.rules == ("safety.error",)
    assert "secret words" not in caplog.text


# ---------------------------------------------------------------- the verdict


def test_verdict_holds_rule_ids_never_the_text(checker: SafetyChecker) -> None:
    known = checker.rule_ids
    for example in EXAMPLES:
        verdict = checker.assess(f"{example.text} qzxcanary", example.lang)
        assert set(verdict.rules) <= known
        assert "qzxcanary" not in repr(verdict)
        assert example.text not in repr(verdict)


def test_verdict_safe_and_frozen() -> None:
    verdict = Verdict.safe()
    assert verdict == Verdict(escalate=False, category=None, severity=None, rules=())
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.escalate = True  # type: ignore[misc]
    assert Category.SEXUAL_ABUSE == "sexual-abuse" and Severity.HIGH == "high"


def test_every_category_is_covered_in_vietnamese_and_english(checker: SafetyChecker) -> None:
    for lang in ("vi", "en"):
        prefixes = {
            rule_id.split(".")[1] for rule_id in checker.rule_ids if rule_id.startswith(lang)
        }
        assert prefixes == {c.value for c in Category}, lang


# ---------------------------------------------------------------- loading lexicon files

_MINIMAL = """\
rules:
  - id: qaa.self-harm.test
    category: self-harm
    severity: high
    patterns: ["zorblat frinn"]
"""

_PSEUDO = """\
# A pseudo-locale made up for this test (no real language).
language: qaa
aliases: {zb: zorblat}
negations: [nix]
classes:
  me: [mi, mio]
idioms: ["zorblat frinn jokey"]
questions: ["quessa"]
rules:
  - id: qaa.self-harm.wish
    category: self-harm
    severity: high
    kind: disclosure
    patterns: ["{me} ...2 zorblat frinn"]
  - id: qaa.violence.named
    category: violence
    severity: medium
    patterns: ["hurtz*"]
"""


def test_a_new_language_file_is_picked_up(tmp_path: Path) -> None:
    for name in ("vi.yaml", "en.yaml"):
        shutil.copy(LEXICONS / name, tmp_path / name)
    (tmp_path / "qaa.yaml").write_text(_PSEUDO, encoding="utf-8")
    checker = SafetyChecker.load(tmp_path)
    assert "qaa" in checker.languages
    verdict = checker.assess("mi zb frinn", "qaa")
    assert verdict.category is Category.SELF_HARM and verdict.rules == ("qaa.self-harm.wish",)
    assert not checker.assess("mi zb frinn", "vi").escalate  # only for users of that language
    assert not checker.assess("mi nix zorblat frinn", "qaa").escalate  # a negation in the gap
    assert not checker.assess("zorblat frinn jokey", "qaa").escalate  # an idiom
    assert checker.assess("hurtzing", "qaa").category is Category.VIOLENCE
    assert not checker.assess("quessa hurtzing", "qaa").escalate  # a mention in a question
    # Vietnamese and English are still checked for a user of the new language
    assert checker.assess("em muốn chết", "qaa").category is Category.SELF_HARM


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("rules: [", "cannot read"),
        ("- just a list", "mapping"),
        ("rules: []", "non-empty list"),
        (_MINIMAL.replace("self-harm\n", "harm\n"), "category must be one of"),
        (_MINIMAL.replace("severity: high", "severity: urgent"), "severity must be one of"),
        (_MINIMAL.replace('["zorblat frinn"]', '["(zorblat frinn"]'), "'(' without ')'"),
        (_MINIMAL.replace('["zorblat frinn"]', '["zorblat) frinn"]'), "')' without '('"),
        (_MINIMAL.replace('["zorblat frinn"]', '["{nobody} frinn"]'), "unknown class"),
        (_MINIMAL.replace('["zorblat frinn"]', '["zorblat ...99 frinn"]'), "1 to 10"),
        (_MINIMAL.replace('["zorblat frinn"]', '["... ^"]'), "at least one word"),
        (_MINIMAL.replace('["zorblat frinn"]', "[]"), "non-empty list"),
        (_MINIMAL.replace("patterns:", "pattern:"), "unknown key"),
        (_MINIMAL.replace("qaa.self-harm.test", "Bad Id!"), "'id' must be"),
        (
            "classes: {a: ['{a}']}\n" + _MINIMAL.replace('"zorblat frinn"', '"{a}"'),
            "refers to itself",
        ),
        ("negations: [no]\n" + _MINIMAL, "is not text"),
        ("language: xx\n" + _MINIMAL, "does not match the file name"),
    ],
)
def test_a_broken_lexicon_file_names_the_file_and_the_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    (tmp_path / "qaa.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError) as error:
        SafetyChecker.load(tmp_path)
    assert "qaa.yaml" in str(error.value)
    assert problem in str(error.value)


def test_duplicate_rule_ids_and_empty_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no safety lexicon"):
        SafetyChecker.load(tmp_path)
    (tmp_path / "qaa.yaml").write_text(_MINIMAL, encoding="utf-8")
    (tmp_path / "qab.yaml").write_text(_MINIMAL, encoding="utf-8")
    with pytest.raises(ValueError, match="also used in"):
        SafetyChecker.load(tmp_path)
    (tmp_path / "qab.yaml").unlink()
    (tmp_path / "Not A Language.yaml").write_text(_MINIMAL, encoding="utf-8")
    with pytest.raises(ValueError, match="language code"):
        SafetyChecker.load(tmp_path)
