"""Search (issue #4): normalisation, accents, bigrams, lexicon, typos, threshold, bad input,
language fallback, and accuracy on the real library against tests/data/ask_eval.yaml."""

from __future__ import annotations

import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.core.library import Library
from bot.core.search import THRESHOLD, Lexicon, SearchHit, SearchIndex

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
EVAL = ROOT / "tests" / "data" / "ask_eval.yaml"

# Accuracy floors, just under what the search achieves (docs/BENCHMARKS.md); the goal is top-1
# ≥ 90% and top-3 ≥ 97% on the tuning items. The held-out items were never used for tuning.
TOP1_FLOOR, TOP3_FLOOR = 0.94, 0.96
HELD_OUT_TOP1_FLOOR, HELD_OUT_TOP3_FLOOR = 0.78, 0.86


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    body: str = ""
    lang: str = "vi"
    topic: str = ""
    summary: str = ""
    questions: Sequence[str] = field(default_factory=tuple)
    keywords: Sequence[str] = field(default_factory=tuple)


def doc(id: str, title: str, body: str = "", lang: str = "vi") -> Doc:
    return Doc(id=id, title=title, body=body, lang=lang, topic=id)


FILLER = [
    doc("nutrition", "Dinh dưỡng cho trẻ", "Cho trẻ ăn đủ rau, thịt, cá, trứng và uống sữa."),
    doc("traffic", "An toàn giao thông", "Đội mũ bảo hiểm khi đi xe máy, qua đường đúng chỗ."),
    doc("sleep", "Giấc ngủ của trẻ", "Trẻ cần ngủ đủ giấc, đi ngủ đúng giờ mỗi tối."),
]


def ids(hits: list[SearchHit]) -> list[str]:
    return [h.id for h in hits]


def build(*docs: Doc, lexicon: Lexicon | None = None) -> SearchIndex:
    return SearchIndex.build([*docs, *FILLER], lexicon or Lexicon.empty())


def write_lexicon(tmp_path: Path, text: str, name: str = "vi.yaml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


# ---- normalisation, accents, đ/d, bigrams -----------------------------------------------------


DROWNING = doc("drowning", "Phòng chống đuối nước", "Trẻ có thể đuối nước ở ao, hồ, sông.")


def test_unicode_forms_and_case_are_normalised() -> None:
    index = build(DROWNING)
    decomposed = unicodedata.normalize("NFD", "ĐUỐI NƯỚC")
    assert decomposed != "ĐUỐI NƯỚC"
    assert ids(index.search(decomposed, "vi"))[:1] == ["drowning"]
    assert ids(index.search("Đuối Nước", "vi"))[:1] == ["drowning"]


def test_matching_is_accent_insensitive_and_d_matches_dj() -> None:
    index = build(DROWNING)
    for query in ("duoi nuoc", "DUOI NUOC", "đuối nuớc", "duối nước"):
        assert ids(index.search(query, "vi"))[:1] == ["drowning"], query


def test_accented_matches_rank_higher() -> None:
    storm = doc("storm", "Mùa bão", "Khi có bão, ở trong nhà, tránh xa cây đổ và dây điện.")
    protect = doc(
        "protect", "Bảo vệ trẻ", "Bảo vệ trẻ khỏi nguy hiểm là trách nhiệm của người lớn."
    )
    index = build(storm, protect)
    assert ids(index.search("bão", "vi"))[0] == "storm"
    assert ids(index.search("bảo vệ", "vi"))[0] == "protect"
    # typed without accents, the same words find both
    assert ids(index.search("mua bao", "vi"))[:1] == ["storm"]
    assert ids(index.search("bao ve tre", "vi"))[:1] == ["protect"]


def test_two_syllable_words_outrank_scattered_syllables() -> None:
    phrase = doc("phrase", "Nước và trẻ", "Trẻ nhỏ có thể đuối nước trong chậu nước.")
    scattered = doc("scattered", "Nước và trẻ", "Nước sạch giúp trẻ khỏe. Trẻ mệt đuối sức.")
    index = build(phrase, scattered)
    hits = {h.id: h.score for h in index.search("đuối nước", "vi")}
    assert hits["phrase"] > hits.get("scattered", 0.0)


# ---- lexicon --------------------------------------------------------------------------------

LEXICON = """
lang: vi
stopwords: [bị, thì, sao, làm, phải]
synonyms:
  trẻ: [con nít, bé]
  ngã: [té]
  không: [ko]
"""


def test_synonyms_work_in_questions_and_in_articles(tmp_path: Path) -> None:
    lexicon = Lexicon.load(write_lexicon(tmp_path, LEXICON))
    falls = doc("falls", "Trẻ bị ngã", "Phòng tránh ngã từ giường, cầu thang.")
    index = build(falls, lexicon=lexicon)
    assert ids(index.search("con nít bị té thì làm sao", "vi"))[:1] == ["falls"]
    written_colloquially = doc("falls", "Bé bị té", "Phòng tránh té từ giường, cầu thang.")
    index = build(written_colloquially, lexicon=lexicon)
    assert ids(index.search("trẻ ngã", "vi"))[:1] == ["falls"]


def test_synonym_typed_without_accents_matches_but_other_accents_do_not(tmp_path: Path) -> None:
    lexicon = Lexicon.load(write_lexicon(tmp_path, LEXICON))
    index = build(doc("falls", "Trẻ bị ngã", "Trẻ hay ngã."), lexicon=lexicon)
    assert ids(index.search("be bi te", "vi"))[:1] == ["falls"]  # "be" may be "bé"
    assert index.search("bể", "vi") == []  # a water tank is not a child


def test_the_real_lexicon_loads_for_vietnamese_and_english() -> None:
    lexicon = Lexicon.load(CONTENT / "lexicon")
    assert {"vi", "en"} <= lexicon.languages


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lang: vi\nsynonyms: [oops", "invalid YAML"),
        ("lang: en\n", "lang must be 'vi'"),
        ("lang: vi\nstopwords: là\n", "expected a list"),
        ("lang: vi\nstopwords: [yes]\n", "quote yes"),
        ("lang: vi\nsynonyms:\n  trẻ: [bé]\n  em bé: [bé]\n", "already under"),
        ("lang: vi\nsynonyms:\n  trẻ: [trẻ]\n", "canonical form itself"),
        ("lang: vi\nsynonyms:\n  trẻ: bé\n", "expected a list"),
        ("lang: vi\nsynonym: {}\n", "unknown keys"),
        ("- just a list\n", "expected a mapping"),
    ],
)
def test_a_bad_lexicon_file_raises_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    write_lexicon(tmp_path, text)
    with pytest.raises(ValueError, match=message) as error:
        Lexicon.load(tmp_path)
    assert "vi.yaml" in str(error.value)


# ---- typos, threshold, bad input --------------------------------------------------------------


def test_typos_map_to_close_words() -> None:
    index = build(
        DROWNING,
        doc("choking", "Hóc dị vật", "Trẻ bị hóc dị vật, vỗ lưng ấn ngực."),
        doc("drowning-en", "Preventing drowning", "Children can drown in ponds.", lang="en"),
    )
    assert ids(index.search("duoi nuco", "vi"))[:1] == ["drowning"]  # transposed letters
    assert ids(index.search("hóc dị vât", "vi"))[:1] == ["choking"]
    assert ids(index.search("drownign", "en"))[:1] == ["drowning-en"]


def test_short_words_are_not_corrected_into_other_words() -> None:
    index = build(doc("tank", "Mang nước", "Mang nước về nhà."))
    assert index.search("vang", "vi") == []  # not "mang"


def test_unrelated_questions_return_nothing() -> None:
    index = build(DROWNING)
    for query in ("asdf", "qwerty zxcv", "giá vàng", "what is the capital of France"):
        assert index.search(query, "vi") == [], query


@pytest.mark.parametrize(
    "query", ["", "   ", "😀😀😀", "\x00\x01\x02\u200b", "\ufeff", "!!!???", "...", "\n\t"]
)
def test_empty_emoji_and_control_input_return_nothing(query: str) -> None:
    assert build(DROWNING).search(query, "vi") == []


def test_over_long_input_is_truncated_and_still_answered() -> None:
    index = build(DROWNING)
    query = "đuối nước " + "x" * 10_000 + " đuối nước" * 2000
    start = time.perf_counter()
    hits = index.search(query, "vi")
    assert time.perf_counter() - start < 0.5
    assert ids(hits)[:1] == ["drowning"]


def test_limit_one_hit_per_article_best_first_and_scores_comparable() -> None:
    docs = [doc(f"water-{i}", f"Đuối nước {i}", "Ao hồ. " * (i + 1)) for i in range(8)]
    index = build(*docs, DROWNING)
    hits = index.search("đuối nước", "vi", limit=3)
    assert len(hits) == 3 and len(set(ids(hits))) == 3
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(index.threshold <= h.score <= 1.0 for h in hits)
    assert index.search("đuối nước", "vi", limit=0) == []
    assert index.threshold == THRESHOLD


# ---- languages ------------------------------------------------------------------------------


def test_the_users_language_first_then_vietnamese_without_duplicate_ids() -> None:
    index = build(
        DROWNING,
        doc("drowning", "Preventing drowning", "Children can drown in ponds.", lang="en"),
        doc("floods", "Lũ lụt và đuối nước", "Nước lũ gây đuối nước."),
    )
    hits = index.search("drowning", "en")
    assert [(h.id, h.lang) for h in hits][:1] == [("drowning", "en")]
    assert len(set(ids(hits))) == len(hits)


def test_a_language_without_articles_falls_back_to_vietnamese() -> None:
    index = build(DROWNING)
    hits = index.search("đuối nước", "bru")
    assert [(h.id, h.lang) for h in hits][:1] == [("drowning", "vi")]
    assert ids(build(DROWNING).search("đuối nước", "en"))[:1] == ["drowning"]


# ---- the real library and the eval set --------------------------------------------------------


@dataclass(frozen=True)
class Question:
    q: str
    lang: str
    topic: str


def load_questions(part: str) -> list[Question]:
    data = yaml.safe_load(EVAL.read_text(encoding="utf-8"))
    return [Question(i["q"], i["lang"], i["topic"]) for i in data.get(part, [])]


@pytest.fixture(scope="module")
def library_index() -> SearchIndex:
    articles = Library.load(CONTENT).servable(date.today())
    assert articles, "no approved articles under content/articles"
    return SearchIndex.build(articles, Lexicon.load(CONTENT / "lexicon"))


def accuracy(index: SearchIndex, questions: list[Question]) -> tuple[float, float]:
    top1 = top3 = 0
    for question in questions:
        topics = [h.topic for h in index.search(question.q, question.lang, limit=3)]
        top1 += topics[:1] == [question.topic]
        top3 += question.topic in topics
    return top1 / len(questions), top3 / len(questions)


def test_the_eval_set_is_realistic_and_covers_every_topic() -> None:
    taxonomy = yaml.safe_load((CONTENT / "topics.yaml").read_text(encoding="utf-8"))
    topics = {t["id"] for p in taxonomy["pillars"] for t in p["topics"]}
    questions = load_questions("items")
    per_topic = Counter(q.topic for q in questions)
    assert len(questions) >= 260
    assert set(per_topic) == topics and min(per_topic.values()) >= 5
    assert 0.15 <= sum(q.lang == "en" for q in questions) / len(questions) <= 0.3
    held_out = load_questions("holdout")
    assert held_out and {q.topic for q in held_out} <= topics
    assert not {q.q for q in questions} & {q.q for q in held_out}


def test_accuracy_on_the_eval_set(library_index: SearchIndex) -> None:
    top1, top3 = accuracy(library_index, load_questions("items"))
    assert top1 >= TOP1_FLOOR, f"top-1 {top1:.1%} < {TOP1_FLOOR:.0%}"
    assert top3 >= TOP3_FLOOR, f"top-3 {top3:.1%} < {TOP3_FLOOR:.0%}"


def test_accuracy_on_held_out_questions(library_index: SearchIndex) -> None:
    top1, top3 = accuracy(library_index, load_questions("holdout"))
    assert top1 >= HELD_OUT_TOP1_FLOOR, f"held-out top-1 {top1:.1%}"
    assert top3 >= HELD_OUT_TOP3_FLOOR, f"held-out top-3 {top3:.1%}"


def test_off_topic_questions_get_no_answer_from_the_library(library_index: SearchIndex) -> None:
    data = yaml.safe_load(EVAL.read_text(encoding="utf-8"))
    answered = {o["q"]: ids(library_index.search(o["q"], o["lang"])) for o in data["off_topic"]}
    assert not {q: a for q, a in answered.items() if a}


def test_library_questions_are_fast(library_index: SearchIndex) -> None:
    questions = load_questions("items")
    timings = []
    for question in questions:
        start = time.perf_counter()
        library_index.search(question.q, question.lang)
        timings.append(time.perf_counter() - start)
    assert sorted(timings)[int(0.99 * len(timings))] < 0.02  # goal 5 ms; loose for slow CI
