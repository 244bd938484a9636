"""The search's topic model artefact is in step with what it is trained from, and the question
files are valid; the blind split is never read here."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.nlu import ArtefactError
from bot.core.nlu.artefact import read_header
from bot.core.search import MODEL_PATH, TopicModel
from bot.core.search.scope import SCOPE_FILE
from bot.tools.search import questions, train

ARTEFACT = train.CONTENT / MODEL_PATH
SCOPE = ARTEFACT.with_name(SCOPE_FILE)


def test_the_artefact_is_in_step_with_the_questions_articles_and_lexicon() -> None:
    expected = train.training_hash(
        questions.load_questions(), train.approved_articles(), train.default_recipe()
    )
    for path in (ARTEFACT, SCOPE):
        recorded = read_header(path)["meta"]["corpus_hash"]
        assert recorded == expected, (
            f"{path} is out of step with content/questions, the articles' titles and example "
            "questions or the search lexicon: run `mangnon search train`"
        )


def test_the_split_is_deterministic_disjoint_and_stratified() -> None:
    rows = questions.load_questions()
    train_rows, dev_rows = questions.split(rows, "train"), questions.split(rows, "dev")
    assert len(train_rows) + len(dev_rows) == len(rows)
    assert not {r.q for r in train_rows} & {r.q for r in dev_rows}
    assert questions.split(rows, "dev") == dev_rows
    assert 0.18 <= len(dev_rows) / len(rows) <= 0.22
    assert {r.topic for r in dev_rows} == {r.topic for r in rows}
    assert {r.style for r in dev_rows} == {r.style for r in rows}


def test_a_bad_row_is_refused_naming_the_file_and_the_item(tmp_path: Path) -> None:
    path = tmp_path / "vi.yaml"
    path.write_text(
        "items:\n  - {q: 'x', lang: vi, style: accented, topic: nope, src: t}\n", encoding="utf-8"
    )
    with pytest.raises(questions.QuestionsError, match=r"vi.yaml: item 1: unknown topic 'nope'"):
        questions.load_rows(path, questions.topic_ids())


def test_the_blind_split_gives_a_clear_error_when_absent(tmp_path: Path) -> None:
    with pytest.raises(questions.QuestionsError, match="absent"):
        questions.load_blind(tmp_path / "ask_test.yaml")


def test_a_damaged_artefact_is_refused_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "topics.nlu"
    broken.write_bytes(ARTEFACT.read_bytes()[:100])
    with pytest.raises(ArtefactError, match=r"topics\.nlu"):
        TopicModel.load(broken)


def test_a_gate_without_its_binary_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "topics.nlu").write_bytes(ARTEFACT.read_bytes())
    with pytest.raises(ArtefactError, match=r"scope\.nlu"):
        TopicModel.load(tmp_path / "topics.nlu")
