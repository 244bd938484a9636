"""A question → weighted clauses over index terms.

Each clause stands for one thing the question says (a word, a two-word phrase, the accents it was
typed with) and lists alternative terms that satisfy it: the word itself, its typo correction, its
lexicon synonyms. An article's score for the clause is the best alternative; a question's score is
the weighted share of its clauses an article satisfies (see ``index.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.search.analysis import Token, accented_term, phrase_terms, plain_bigram
from bot.core.search.lexicon import LanguageLexicon
from bot.core.search.vocabulary import Vocabulary

TYPO_FACTOR = 0.7  # a corrected word counts 70% of an exact one
SYNONYM_FACTOR = 0.85  # a lexicon synonym counts 85% of the word typed
BIGRAM_WEIGHT = 1.5  # two-syllable words carry the meaning in Vietnamese
ACCENT_WEIGHT = 0.3  # bonus clause: the article has the word with the accents typed
UNKNOWN_SHARE = 0.5  # an unknown word weighs half the rarest known word: it dilutes the score
MIN_IDF = 0.1  # terms in nearly every article say nothing: dropped from the question
MAX_CORRECTIONS = 8  # bound the typo work on long messages


@dataclass(frozen=True, slots=True)
class Clause:
    weight: float
    alternatives: tuple[tuple[str, float], ...]  # (term, factor); empty for an unknown word


@dataclass(slots=True)
class _Word:
    token: Token
    term: str | None  # the plain term in the vocabulary (possibly a typo correction)
    factor: float
    synonyms: list[str]


def _words(
    tokens: list[Token], lex: LanguageLexicon, vocab: Vocabulary, budget: list[int]
) -> list[_Word | None]:
    """Resolve each token to a known term (exact, corrected or via synonyms); None = stopword."""
    found = lex.synonyms(tokens)
    synonyms: list[list[str]] = [[] for _ in tokens]
    for match in found:
        concept = [t for t in phrase_terms(match.rule.canonical) if t in vocab]
        for i in range(match.start, match.end):
            synonyms[i].extend(concept)
    words: list[_Word | None] = []
    for token, alts in zip(tokens, synonyms, strict=True):
        if token.stop:  # a stopword may still be part of a synonym ("đi làm" → "lao động")
            words.append(_Word(token, None, 1.0, alts) if alts else None)
            continue
        term: str | None = token.plain if token.plain in vocab else None
        factor = 1.0
        if term is None and not alts and budget[0] > 0:
            budget[0] -= 1
            term, factor = vocab.correct(token.plain), TYPO_FACTOR
            if term is not None and term in lex.stop_plain:
                words.append(None)
                continue
        words.append(_Word(token, term, factor, alts))
    return words


def _unigram(word: _Word, vocab: Vocabulary) -> Clause | None:
    alts = [(s, SYNONYM_FACTOR) for s in word.synonyms]
    if word.term is not None:
        weight = vocab.idf[word.term]
        if weight < MIN_IDF and not alts:
            return None
        alts.insert(0, (word.term, word.factor))
    elif alts:
        weight = max(vocab.idf[s] for s, _ in alts)
    else:
        return Clause(UNKNOWN_SHARE * vocab.max_idf, ())
    return Clause(max(weight, MIN_IDF), tuple(alts))


def _accent(folded: str, word: _Word, vocab: Vocabulary) -> Clause | None:
    term = accented_term(folded)
    if word.factor < 1.0 or term not in vocab:
        return None
    return Clause(ACCENT_WEIGHT * vocab.idf[term], ((term, 1.0),))


def _bigram(left: _Word, right: _Word, vocab: Vocabulary) -> list[Clause]:
    if left.term is None or right.term is None:
        return []
    term = plain_bigram(left.term, right.term)
    if term not in vocab:
        return []
    shared = [(s, SYNONYM_FACTOR) for s in left.synonyms if s in right.synonyms]
    clauses = [
        Clause(BIGRAM_WEIGHT * vocab.idf[term], ((term, left.factor * right.factor), *shared))
    ]
    if left.token.accented or right.token.accented:
        accent = _accent(f"{left.token.folded} {right.token.folded}", left, vocab)
        if accent is not None and right.factor == 1.0:
            clauses.append(accent)
    return clauses


def build_clauses(text: str, lex: LanguageLexicon, vocab: Vocabulary) -> list[Clause]:
    """The clauses of an already cleaned question."""
    clauses: list[Clause] = []
    budget = [MAX_CORRECTIONS]
    for segment in lex.tokenize(text):
        words = _words(segment, lex, vocab, budget)
        previous: _Word | None = None
        for word in words:
            if word is None:
                previous = None
                continue
            unigram = _unigram(word, vocab)
            if unigram is not None:
                clauses.append(unigram)
            if word.token.accented:
                accent = _accent(word.token.folded, word, vocab)
                if accent is not None:
                    clauses.append(accent)
            if previous is not None:
                clauses.extend(_bigram(previous, word, vocab))
            previous = word
    return clauses
