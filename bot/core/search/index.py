"""The search index: vetted articles → ranked answers to a free-text question.

Ranking is BM25F: each field's term counts are length-normalised and weighted (example questions
and the title weigh most), then saturated per article, ``m = tf / (tf + K1)`` in [0, 1). All of
this is precomputed at build time into postings ``term → [(article, m)]``.

A question becomes weighted clauses (``query.py``). An article's score is the IDF-weighted share
of the question's clauses it satisfies, ``Σ w·best(m) / (Σ w + prior)``, in [0, 1) whatever the
question's length: one threshold works for every question, and unknown words ("asdf") lower it.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Protocol

from bot.core import textnorm
from bot.core.languages import SOURCE_LANG
from bot.core.search.accents import AccentModel, WordCounts
from bot.core.search.analysis import add_terms
from bot.core.search.fusion import rank
from bot.core.search.lexicon import LanguageLexicon, Lexicon
from bot.core.search.query import Clause, build_clauses
from bot.core.search.result import SearchHit, SearchResult
from bot.core.search.topics import TopicModel
from bot.core.search.vocabulary import Vocabulary

K1 = 2.0  # BM25 saturation: higher lets repeated mentions count longer
# (field, weight, length normalisation b): example questions and the title say what an article
# answers; the body mentions much in passing.
FIELDS: tuple[tuple[str, float, float], ...] = (
    ("title", 3.0, 0.3),
    ("questions", 3.0, 0.5),
    ("keywords", 2.5, 0.3),
    ("summary", 1.5, 0.5),
    ("body", 0.6, 0.75),
)
PLAIN_FIELDS = frozenset({"body"})  # indexed without accented forms and synonyms (speed)
TOPICAL_FIELDS = frozenset({"title", "questions", "keywords"})  # what articles are about
# Added to every question's weight, as a share of the rarest word's IDF (so that languages with
# few articles score alike): a question of only common words ("trẻ em") is too vague to answer
# with confidence; a long specific one is barely affected.
PRIOR_SHARE = 0.15
# The confidence threshold: hits scoring less are not shown. Tuned on tests/data/ask_eval.yaml
# (docs/BENCHMARKS.md): 98% of right first answers score at least 0.37, the off-topic questions
# ("thời tiết hôm nay thế nào", "giá vàng", "best pizza near me") at most 0.29.
THRESHOLD = 0.32
MAX_QUERY_CHARS = 500  # longer messages are cut (at a word) before search
FALLBACK_LANG = SOURCE_LANG  # every article exists in the source language
ACCENTED_LANG = "vi"  # the language whose questions are often typed without accents
MIN_FUSED_SCORE = 0.01  # BM25F scores below this count as no match in the fusion
# Latin letters with diacritics (precomposed or combining): a fast "typed with accents?" test.
_ACCENTED = re.compile(r"[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\u0300-\u036f]")


class ArticleLike(Protocol):
    """What the search needs from a library article."""

    @property
    def id(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def questions(self) -> Sequence[str]: ...
    @property
    def keywords(self) -> Sequence[str]: ...


def _field_texts(article: ArticleLike, name: str) -> Sequence[str]:
    value = getattr(article, name)
    return [value] if isinstance(value, str) else list(value)


def _add_text(terms: list[str], text: str, lex: LanguageLexicon, rich: bool) -> int:
    """Append the terms of one text and return its length. ``rich`` fields also get accented
    terms and lexicon canonical forms; the body, by far the longest, gets plain terms only (a
    colloquial question still reaches it through the canonical forms on the question's side)."""
    length = 0
    plain_typing = _ACCENTED.search(text) is None  # writers add questions typed without accents
    for segment in lex.tokenize(text, plain_typing):
        length += add_terms(terms, segment, rich)
        if rich:
            for match in lex.synonyms(segment, plain_typing):
                add_terms(terms, match.rule.canonical)
    return length


def _field_counts(
    texts: Iterable[str], lex: LanguageLexicon, rich: bool = True
) -> tuple[Counter[str], int]:
    """Term counts and length of a field."""
    terms: list[str] = []
    total = 0
    for text in texts:
        total += _add_text(terms, text, lex, rich)
    return Counter(terms), total


Fields = list[tuple[Counter[str], int]]  # per field of FIELDS: term counts and length


def _fields(article: ArticleLike, lex: LanguageLexicon) -> Fields:
    return [
        _field_counts(_field_texts(article, name), lex, name not in PLAIN_FIELDS)
        for name, _, _ in FIELDS
    ]


def _postings(
    fields: Sequence[Fields],
) -> tuple[dict[str, list[tuple[int, float]]], Counter[str]]:
    """BM25F: ``term → [(article, tf / (tf + K1))]`` with tf the weighted, length-normalised
    count over fields; and each term's document frequency."""
    n = max(len(fields), 1)
    means = [max(sum(f[i][1] for f in fields) / n, 1.0) for i in range(len(FIELDS))]
    postings: dict[str, list[tuple[int, float]]] = {}
    doc_freq: Counter[str] = Counter()
    for doc, per_field in enumerate(fields):
        weighted: dict[str, float] = {}
        for (counts, length), (_, weight, b), mean in zip(per_field, FIELDS, means, strict=True):
            norm = weight / (1.0 - b + b * length / mean)
            get = weighted.get
            weighted.update({term: get(term, 0.0) + count * norm for term, count in counts.items()})
        doc_freq.update(weighted.keys())
        for term, tf in weighted.items():
            entry = (doc, tf / (tf + K1))
            if term in postings:
                postings[term].append(entry)
            else:
                postings[term] = [entry]
    return postings, doc_freq


def _topical(fields: Sequence[Fields]) -> frozenset[str]:
    names = [name for name, _, _ in FIELDS]
    return frozenset(
        term
        for per_field in fields
        for name, (counts, _) in zip(names, per_field, strict=True)
        if name in TOPICAL_FIELDS
        for term in counts
    )


class _LanguageIndex:
    """One language's articles: postings, vocabulary, scoring."""

    def __init__(
        self,
        articles: Sequence[ArticleLike],
        lex: LanguageLexicon,
        accents: AccentModel | None = None,
    ) -> None:
        self.lexicon = lex
        self.accents = accents
        self.hits = [SearchHit(a.id, a.topic, a.title, a.lang, 0.0) for a in articles]
        self.topics = [a.topic for a in articles]
        # each topic's article when BM25F matched none of them: the one named after the topic
        self.defaults: dict[str, SearchHit] = {}
        for hit in sorted(self.hits, key=lambda h: (h.id != h.topic, h.id)):
            self.defaults.setdefault(hit.topic, hit)
        fields = [_fields(a, lex) for a in articles]
        self.postings, doc_freq = _postings(fields)
        self.vocabulary = Vocabulary(doc_freq, len(articles), _topical(fields), lex.surfaces())

    def scores(self, clauses: Sequence[Clause]) -> dict[int, float]:
        total = sum(c.weight for c in clauses) + PRIOR_SHARE * self.vocabulary.max_idf
        scores: dict[int, float] = {}
        if total <= 0.0:
            return scores
        for clause in clauses:
            if len(clause.alternatives) == 1:
                term, factor = clause.alternatives[0]
                w = clause.weight * factor / total
                for doc, m in self.postings.get(term, ()):
                    scores[doc] = scores.get(doc, 0.0) + w * m
                continue
            best: dict[int, float] = {}
            for term, factor in clause.alternatives:
                for doc, m in self.postings.get(term, ()):
                    if factor * m > best.get(doc, 0.0):
                        best[doc] = factor * m
            w = clause.weight / total
            for doc, value in best.items():
                scores[doc] = scores.get(doc, 0.0) + w * value
        return scores

    def search(self, text: str, limit: int, threshold: float) -> list[SearchHit]:
        best = self.best_by_topic(text, threshold)
        hits = [replace(self.hits[doc], score=round(score, 4)) for doc, score in best.values()]
        return heapq.nlargest(limit, hits, key=lambda h: (h.score, h.id))

    def best_by_topic(self, text: str, threshold: float) -> dict[str, tuple[int, float]]:
        """Each topic's best article (document number) and its score, at or above
        ``threshold``."""
        scores = self.scores(build_clauses(text, self.lexicon, self.vocabulary, self.accents))
        best: dict[str, tuple[int, float]] = {}
        topics = self.topics
        for doc, score in scores.items():
            if score >= threshold:
                topic = topics[doc]
                if topic not in best or best[topic][1] < score:
                    best[topic] = (doc, score)
        return best


class SearchIndex:
    """Answers free-text questions from the vetted library; never generates text.

    Without a topic model it ranks by BM25F alone, with one threshold; with one (``TopicModel``,
    trained by ``mangnon search train``) it fuses the model's topic probabilities with BM25F
    (``fusion.py``) and can say that two topics are too close to call."""

    threshold: float = THRESHOLD

    def __init__(
        self, languages: dict[str, _LanguageIndex], model: TopicModel | None = None
    ) -> None:
        self._languages = languages
        self.model = model

    @classmethod
    def build(
        cls,
        articles: Iterable[ArticleLike],
        lexicon: Lexicon,
        model: TopicModel | None = None,
        words: WordCounts | None = None,
    ) -> SearchIndex:
        """``words``: accented word counts the accent model adds to the library's (by default
        the model's, counted in its training questions)."""
        by_lang: dict[str, list[ArticleLike]] = {}
        for article in articles:
            by_lang.setdefault(article.lang, []).append(article)
        accents = AccentModel.from_texts(
            (text for a in by_lang.get(ACCENTED_LANG, ()) for text in _accent_texts(a)),
            words if words is not None or model is None else model.accents,
        )
        return cls(
            {
                lang: _LanguageIndex(
                    arts, lexicon.for_lang(lang), accents if lang == ACCENTED_LANG else None
                )
                for lang, arts in by_lang.items()
            },
            model,
        )

    def search(self, query: str, lang: str, limit: int = 5) -> list[SearchHit]:
        """The hits of ``lookup``: best first, at most ``limit``, one per topic, none when the
        library has no answer."""
        return list(self.lookup(query, lang, limit).hits)

    def lookup(self, query: str, lang: str, limit: int = 5) -> SearchResult:
        """Ranked hits, one per topic (its best article in the user's language, else in
        Vietnamese: the dialog then picks the reader's own version), with the confidence and
        whether the first two topics are too close to call."""
        text = textnorm.clean(query, MAX_QUERY_CHARS)
        if limit <= 0 or not text:
            return SearchResult()
        if self.model is None:
            hits = self._bm25_hits(text, lang, limit)
            return SearchResult(tuple(hits), hits[0].score if hits else 0.0)
        best = self._best_articles(text, lang)
        ranking = rank(
            self.model.probabilities(text),
            {topic: hit.score for topic, hit in best.items()},
            self.model.fusion,
            limit,
            self.model.gate,
            self.model.in_scope(text),
        )
        hits = []
        for topic, share in ranking.topics:
            hit = best.get(topic) or self._default(topic, lang)
            if hit is not None:
                hits.append(SearchHit(hit.id, topic, hit.title, hit.lang, round(share, 4)))
        return SearchResult(tuple(hits), ranking.confidence if hits else 0.0, ranking.clarify)

    def _bm25_hits(self, text: str, lang: str, limit: int) -> list[SearchHit]:
        """BM25F alone: the user's language first, Vietnamese articles as fallback when the
        language has no good match. Vietnamese hits for other topics fill the places the user's
        language leaves free, so a question about an untranslated topic still finds its
        Vietnamese article."""
        hits: list[SearchHit] = []
        for code in dict.fromkeys((lang, FALLBACK_LANG)):
            index = self._languages.get(code)
            if index is None or len(hits) >= limit:
                continue
            seen = {h.topic for h in hits}
            found = index.search(text, limit + len(seen), self.threshold)
            hits.extend([h for h in found if h.topic not in seen][: limit - len(hits)])
        return hits

    def topic_scores(self, query: str, lang: str) -> dict[str, float]:
        """BM25F alone: each topic's best article score (those above MIN_FUSED_SCORE)."""
        text = textnorm.clean(query, MAX_QUERY_CHARS)
        return {topic: hit.score for topic, hit in self._best_articles(text, lang).items()}

    def _best_articles(self, text: str, lang: str) -> dict[str, SearchHit]:
        """Each topic's best-scoring article in the user's language; Vietnamese articles too when
        the language has none, or the question is typed with Vietnamese accents."""
        codes = [lang] if lang in self._languages else []
        if FALLBACK_LANG not in codes and (not codes or _ACCENTED.search(text)):
            codes.append(FALLBACK_LANG)
        best: dict[str, SearchHit] = {}
        for code in codes:
            index = self._languages.get(code)
            if index is None:
                continue
            for topic, (doc, score) in index.best_by_topic(text, MIN_FUSED_SCORE).items():
                if topic not in best:
                    best[topic] = replace(index.hits[doc], score=round(score, 4))
        return best

    def _default(self, topic: str, lang: str) -> SearchHit | None:
        for code in dict.fromkeys((lang, FALLBACK_LANG)):
            index = self._languages.get(code)
            if index is not None and topic in index.defaults:
                return index.defaults[topic]
        return None


def _accent_texts(article: ArticleLike) -> list[str]:
    return [article.title, article.summary, article.body, *article.questions, *article.keywords]
