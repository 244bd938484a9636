"""Search with the topic model (issue #14): the web-chat cases, likely accents, out-of-scope
questions, clarify, and the fusion's rules."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from bot.core.library import Library
from bot.core.search import MODEL_PATH, Lexicon, SearchIndex, TopicModel
from bot.core.search.accents import AccentModel, WordCounts
from bot.core.search.fusion import rank
from bot.core.search.scope import EVIDENCE, Gate
from bot.core.search.topics import NONE, Fusion

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"


@pytest.fixture(scope="module")
def model() -> TopicModel:
    return TopicModel.load(CONTENT / MODEL_PATH)


@pytest.fixture(scope="module")
def index(model: TopicModel) -> SearchIndex:
    articles = Library.load(CONTENT).servable(date.today())
    return SearchIndex.build(articles, Lexicon.load(CONTENT / "lexicon"), model)


def topics(index: SearchIndex, question: str, lang: str = "vi") -> list[str]:
    return [hit.topic for hit in index.search(question, lang, limit=3)]


# ---- the cases from the issue, tried in the web chat ------------------------------------------


def test_swimming_lessons_typed_without_accents_find_drowning_prevention(
    index: SearchIndex,
) -> None:
    assert topics(index, "lam sao day con boi an toan")[:1] == ["drowning-prevention"]
    assert topics(index, "day con hoc boi")[:1] == ["drowning-prevention"]


def test_a_fever_typed_without_accents_is_not_unexploded_ordnance(index: SearchIndex) -> None:
    found = topics(index, "con bi sot")
    assert found and "uxo-safety" not in found


def test_how_high_planes_fly_gets_no_answer(index: SearchIndex) -> None:
    result = index.lookup("máy bay bay cao bao nhiêu", "vi")
    assert result.hits == () and not result.answered and result.confidence == 0.0


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("thời tiết hôm nay thế nào", "vi"),
        ("cach nau pho bo ngon", "vi"),
        ("what's the capital of Australia?", "en"),
        ("how do I fix a burnt-out light bulb", "en"),
    ],
)
def test_off_topic_questions_get_no_answer(index: SearchIndex, question: str, lang: str) -> None:
    assert index.search(question, lang) == []


def test_search_returns_the_hits_of_lookup(index: SearchIndex) -> None:
    question = "bé bị chó cắn phải làm gì"
    result = index.lookup(question, "vi")
    assert index.search(question, "vi") == list(result.hits)
    assert result.hits[0].topic == "animal-bites"
    assert result.confidence == result.hits[0].score > 0
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)


def test_an_english_question_gets_an_english_article(index: SearchIndex) -> None:
    hits = index.search("my toddler swallowed some bleach, what do I do", "en")
    assert hits[0].topic == "poisoning" and hits[0].lang == "en"


# ---- likely accents ----------------------------------------------------------------------------


def test_the_likely_accents_come_from_the_library_and_the_questions(
    index: SearchIndex, model: TopicModel
) -> None:
    articles = Library.load(CONTENT).servable(date.today())
    texts = [a.body for a in articles if a.lang == "vi"]
    accents = AccentModel.from_texts(texts, model.accents)
    assert accents.restore(["con", "bi", "sot"]) == ["con", "bị", "sốt"]
    assert accents.restore(["bom", "min", "con", "sot", "lai"])[3] == "sót"
    assert accents.restore(["day", "con", "hoc", "boi"]) == ["dạy", "con", "học", "bơi"]


def test_the_accent_model_follows_the_neighbouring_word() -> None:
    counts = WordCounts(
        Counter({"bị": 5, "sốt": 2, "còn": 4, "sót": 6, "lại": 3}),
        Counter({("bị", "sốt"): 2, ("còn", "sót"): 4, ("sót", "lại"): 3}),
    )
    accents = AccentModel(counts.unigrams, counts.bigrams)
    assert accents.restore(["bi", "sot"]) == ["bị", "sốt"]  # though "sót" is more frequent
    assert accents.restore(["con", "sot", "lai"]) == ["còn", "sót", "lại"]
    assert accents.restore(["xyz", "sot"]) == ["xyz", "sót"]  # unknown words stay as typed
    assert accents.restore([]) == []
    assert WordCounts.from_json(counts.to_json()) == counts


# ---- fusion: answer, list, clarify -------------------------------------------------------------

FUSION = Fusion(
    bm25_weight=5.0, none_bm25=0.3, answer_floor=0.3, clarify_ratio=0.6, other_share=0.2
)


def test_none_first_or_a_weak_first_topic_gives_no_answer() -> None:
    assert rank({NONE: 0.7, "burns": 0.3}, {}, FUSION, 3).topics == ()
    weak = {NONE: 0.28, "burns": 0.26, "falls": 0.24, "choking": 0.22}
    assert rank(weak, {}, FUSION, 3).topics == ()


def test_bm25_evidence_lifts_a_topic_and_weak_ones_are_not_listed() -> None:
    probabilities = {NONE: 0.1, "burns": 0.45, "falls": 0.43, "uxo-safety": 0.02}
    ranking = rank(probabilities, {"falls": 0.3, "burns": 0.2}, FUSION, 3)
    assert [t for t, _ in ranking.topics] == ["falls", "burns"]  # uxo-safety: under a fifth
    assert ranking.confidence == round(ranking.topics[0][1], 4)
    assert ranking.clarify == ("falls", "burns")


def test_two_close_topics_ask_and_a_clear_winner_does_not() -> None:
    close = rank({NONE: 0.05, "drowning-prevention": 0.5, "traffic-safety": 0.45}, {}, FUSION, 3)
    assert close.clarify == ("drowning-prevention", "traffic-safety")
    clear = rank({NONE: 0.05, "drowning-prevention": 0.8, "traffic-safety": 0.15}, {}, FUSION, 3)
    assert clear.clarify is None and clear.topics[0][0] == "drowning-prevention"


def test_the_model_knows_every_topic_and_none(model: TopicModel) -> None:
    library = Library.load(CONTENT)
    assert set(model.model.classes) == {*library.topics, NONE}
    assert 0 <= model.fusion.answer_floor < 1 and 0 < model.fusion.clarify_ratio <= 1


# ---- the in-scope gate -------------------------------------------------------------------------


def gate_on(name: str, threshold: float = 0.0) -> Gate:
    """A gate that reads one piece of evidence alone: answer when it is at least ``threshold``."""
    return Gate(tuple(float(e == name) for e in EVIDENCE), 0.0, threshold)


def test_the_gate_decides_whether_to_answer_whatever_nones_share() -> None:
    probabilities = {NONE: 0.6, "burns": 0.3, "falls": 0.1}
    assert rank(probabilities, {}, FUSION, 3).topics == ()  # the fusion's own rule: none first
    sure = rank(probabilities, {}, FUSION, 3, gate_on("scope_logit"), in_scope=0.9)
    assert [t for t, _ in sure.topics][:1] == ["burns"]
    assert NONE not in [t for t, _ in sure.topics]
    doubtful = rank(probabilities, {}, FUSION, 3, gate_on("scope_logit"), in_scope=0.2)
    assert doubtful.topics == () and doubtful.confidence == 0.0 and doubtful.clarify is None


def test_the_gate_reads_bm25_evidence() -> None:
    probabilities = {NONE: 0.2, "burns": 0.5, "falls": 0.3}
    gate = gate_on("best_bm25", threshold=0.3)
    assert rank(probabilities, {"burns": 0.4}, FUSION, 3, gate).topics[0][0] == "burns"
    assert rank(probabilities, {"burns": 0.1}, FUSION, 3, gate).topics == ()


def test_a_gate_is_stored_and_read_back_and_refuses_other_evidence() -> None:
    gate = Gate(tuple(range(len(EVIDENCE))), -1.5, 0.25)
    assert Gate.from_json(gate.to_json()) == gate
    with pytest.raises(ValueError, match="other evidence"):
        Gate.from_json({**gate.to_json(), "evidence": ["first_share"]})
    with pytest.raises(ValueError, match="weights"):
        Gate((1.0,), 0.0, 0.0)


def test_the_trained_model_has_a_gate_and_its_binary_model(model: TopicModel) -> None:
    assert model.gate is not None and model.scope is not None
    assert set(model.scope.classes) == {"in", NONE}
    assert model.in_scope("bé bị bỏng nước sôi phải làm gì") > model.in_scope("giá vàng hôm nay")
