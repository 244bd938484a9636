"""The safety corpus: valid rows with provenance, a stable stratified split, a hash that the
shipped model must match (retrain with `mangnon safety train` when this fails)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.core.nlu.artefact import read_header
from bot.core.safety.learned import FILES, MODEL_DIR
from bot.core.safety.verdict import Category
from bot.tools.rows import corpus_hash
from bot.tools.safety.corpus import (
    CORPUS_DIR,
    CorpusError,
    load_blind,
    load_corpus,
    load_rows,
    split,
)

ROWS = load_corpus()
MODEL = CORPUS_DIR.parent / MODEL_DIR


def test_the_model_was_trained_on_this_corpus() -> None:
    """Fails when the corpus changed after the last `mangnon safety train`."""
    expected = corpus_hash(ROWS)
    for name in FILES:
        trained_on = read_header(MODEL / name)["meta"]["corpus_hash"]
        assert trained_on == expected, f"{name} is out of step: run `mangnon safety train`"


def test_the_hash_sees_any_change_of_text_or_label() -> None:
    import dataclasses

    changed = [dataclasses.replace(ROWS[0], text=ROWS[0].text + "!"), *ROWS[1:]]
    relabelled = [dataclasses.replace(ROWS[0], expect=None), *ROWS[1:]]
    assert len({corpus_hash(ROWS), corpus_hash(changed), corpus_hash(relabelled)}) == 3


def test_the_corpus_is_big_varied_and_has_provenance() -> None:
    assert len(ROWS) >= 600
    for category in Category:
        assert sum(row.expect is category for row in ROWS) >= 15, category
    harmless = sum(not row.at_risk for row in ROWS) / len(ROWS)
    assert harmless >= 0.25
    assert {row.lang for row in ROWS} == {"vi", "en"}
    assert all(row.src for row in ROWS)


def test_the_split_is_deterministic_stratified_and_disjoint(tmp_path: Path) -> None:
    train, dev = split(ROWS, "train"), split(ROWS, "dev")
    assert split(ROWS, "dev") == dev and len(train) + len(dev) == len(ROWS)
    assert not {row.text for row in train} & {row.text for row in dev}
    assert 0.17 <= len(dev) / len(ROWS) <= 0.23
    for category in [*Category, None]:
        total = sum(row.expect is category for row in ROWS)
        share = sum(row.expect is category for row in dev) / max(total, 1)
        assert 0.12 <= share <= 0.28, category
    for style in {row.style for row in ROWS}:
        total = sum(row.style == style for row in ROWS)
        assert 0.12 <= sum(row.style == style for row in dev) / total <= 0.28, style
    # adding a row moves few others between train and dev
    probe = tmp_path / "probe.yaml"
    probe.write_text(
        "items:\n  - {text: 'một câu thử mới', lang: vi, style: accented, expect: none, src: t}\n",
        encoding="utf-8",
    )
    extra = load_rows(probe)
    moved = {row.text for row in split([*ROWS, *extra], "dev")} ^ {row.text for row in dev}
    assert moved <= {row.text for row in extra}


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("{text: '', lang: vi, style: accented, expect: none, src: t}", "'text'"),
        ("{text: a, lang: xx, style: accented, expect: none, src: t}", "lang must be"),
        ("{text: a, lang: vi, style: posh, expect: none, src: t}", "style one of"),
        ("{text: a, lang: vi, style: accented, expect: harm, src: t}", "not a valid Category"),
        ("{text: a, lang: vi, style: accented, expect: none, level: crisis, src: t}", "disagree"),
        ("{text: a, lang: vi, style: accented, expect: none, kind: now, src: t}", "time frame"),
        ("{text: a, lang: vi, style: accented, expect: none}", "provenance"),
        ("{text: a, lang: vi, style: accented, expect: none, src: t, note: x}", "unknown key"),
    ],
)
def test_a_bad_row_names_the_file_and_the_problem(tmp_path: Path, row: str, problem: str) -> None:
    (tmp_path / "bad.yaml").write_text(f"items:\n  - {row}\n", encoding="utf-8")
    with pytest.raises(CorpusError) as error:
        load_corpus(tmp_path)
    assert "bad.yaml" in str(error.value) and problem in str(error.value)


def test_duplicates_and_an_empty_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no corpus files"):
        load_corpus(tmp_path)
    row = "  - {text: 'Em bị  đánh', lang: vi, style: accented, expect: violence, src: t}\n"
    (tmp_path / "a.yaml").write_text("items:\n" + row, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("items:\n" + row.replace("Em", "em"), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"already in a\.yaml"):
        load_corpus(tmp_path)


def test_the_blind_split_is_reported_missing_clearly(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="absent"):
        load_blind(tmp_path / "nothing.yaml")


def test_levels_default_from_the_label() -> None:
    levels = Counter((row.expect is None, row.level.value) for row in ROWS)
    assert levels[(True, "none")] > 0 and levels[(False, "crisis")] > 0
    assert not levels[(True, "crisis")] and not levels[(False, "none")]


def test_rows_in_the_blind_splits_format_load(tmp_path: Path) -> None:
    """The format of /work/briefs/blind_formats.md: no level, who/when or kind."""
    path = tmp_path / "safety_test.yaml"
    path.write_text(
        "items:\n"
        "  - {text: 'e bi danh', lang: vi, style: teen, expect: violence, who: self,"
        " when: now, src: x}\n"
        "  - {text: 'cuoi chet mat', lang: vi, style: unaccented, expect: none, kind: idiom,"
        " src: x}\n",
        encoding="utf-8",
    )
    at_risk, harmless = load_blind(path)
    assert at_risk.level.value == "crisis" and at_risk.frame is not None
    assert harmless.level.value == "none" and harmless.frame is not None
