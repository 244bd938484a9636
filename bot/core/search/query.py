"""A question → weighted clauses over index terms.

Each clause stands for one thing the question says (a word, a two-word phrase, a lexicon concept)
and lists alternative terms that satisfy it, each with a factor: the word with the accents typed
(1.0) or without them (PLAIN_FACTOR), its typo correction, its lexicon canonical form. A clause
weighs its IDF; an article's score for a clause is its best alternative, and a question's score is
the weighted share of clauses an article satisfies (``index.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from bot.core.search.accents import AccentModel
from bot.core.search.analysis import Token, accented_term, phrase_terms, plain_bigram
from bot.core.search.lexicon import LanguageLexicon, Match
from bot.core.search.vocabulary import Vocabulary
from bot.core.textnorm import has_accents

TYPO_FACTOR = 0.7  # a corrected word counts 70% of an exact one
SYNONYM_FACTOR = 0.85  # a lexicon canonical form counts 85% of the variant typed
BIGRAM_WEIGHT = 0.5  # a two-word phrase adds to its words (tuned on the eval set)
PLAIN_FACTOR = 0.6  # typed with accents, a match without them ("bao" for "bão") counts 60%
GUESSED_PLAIN_FACTOR = 0.8  # typed without accents, a match against the likely accents counts
# fully and one against other accents ("sót" where "sốt" is likely) 80%
UNKNOWN_SHARE = 0.5  # an unknown word weighs half the rarest known word: it dilutes the score
GENERIC_FACTOR = 0.7  # a word no article is about (only in bodies) weighs less
MIN_IDF = 0.1  # terms in nearly every article say nothing: dropped from the question
MAX_CORRECTIONS = 8  # bound the typo work on long messages


@dataclass(frozen=True, slots=True)
class Clause:
    weight: float
    alternatives: tuple[tuple[str, float], ...]  # (term, factor); empty for an unknown word


@dataclass(frozen=True, slots=True)
class _Word:
    token: Token
    term: str | None  # the plain term in the vocabulary (possibly a typo correction)
    factor: float
    unigram: bool = True  # False: an unaccented stopword form, only in topical bigrams
    guessed: bool = False  # the token's accents were restored (``accents.py``), not typed


def _resolve(
    token: Token,
    lex: LanguageLexicon,
    vocab: Vocabulary,
    plain_typing: bool,
    budget: list[int],
    guess: Token | None = None,
) -> _Word | None:
    """The known term for a token (exact or corrected); None for a stopword. ``guess``: the
    token with its likely accents, when it was typed without any and the library knows it."""
    if guess is not None:  # "boi" is likely "bơi", not the stopword "bởi"; "co" is likely "có"
        if guess.stop:
            return None
        if guess.plain in vocab:
            return _Word(guess, guess.plain, 1.0, guessed=True)
    if token.stop:
        return None
    if lex.may_be_stop(token):
        if not plain_typing and token.plain in vocab:
            return _Word(token, token.plain, 1.0)  # typed among accented words: as typed
        if not plain_typing or token.plain not in vocab:
            return None
        # "mua ban" may be "mua bán", not "mua bạn": in a question typed without accents, a
        # stopword's form joins a neighbour when the pair is something articles are about.
        return _Word(token, token.plain, 1.0, unigram=False)
    if token.plain in vocab:
        return _Word(token, token.plain, 1.0)
    if budget[0] > 0:
        budget[0] -= 1
        corrected = vocab.correct(token.plain)
        if corrected is not None and corrected in lex.stop_plain:
            return None
        return _Word(token, corrected, TYPO_FACTOR)
    return _Word(token, None, 1.0)


def _clause(
    plain: str,
    folded: str,
    typed_accents: bool,
    factor: float,
    vocab: Vocabulary,
    guessed: bool = False,
) -> Clause | None:
    """A word or phrase: typed with accents, the accent-exact form counts fully and weighs by its
    own (sharper) IDF — "bão" is rarer than "bao" — and the accent-free form counts less
    (GUESSED_PLAIN_FACTOR when the accents were guessed, not typed)."""
    accented = accented_term(folded)
    if typed_accents and factor == 1.0 and accented in vocab:
        weight = max(vocab.idf[accented], vocab.idf.get(plain, 0.0))
        other = GUESSED_PLAIN_FACTOR if guessed else PLAIN_FACTOR
        return Clause(weight * _topicality(accented, vocab), ((accented, 1.0), (plain, other)))
    if plain not in vocab or vocab.idf[plain] < MIN_IDF:
        return None
    return Clause(vocab.idf[plain] * _topicality(plain, vocab), ((plain, factor),))


def _topicality(term: str, vocab: Vocabulary) -> float:
    return 1.0 if term in vocab.topical else GENERIC_FACTOR


def _unigram(word: _Word, vocab: Vocabulary) -> list[Clause]:
    if not word.unigram:
        return []
    if word.term is None:
        return [Clause(UNKNOWN_SHARE * vocab.max_idf, ())]
    clause = _clause(
        word.term, word.token.folded, word.token.accented, word.factor, vocab, word.guessed
    )
    return [clause] if clause is not None else []


def _bigram(left: _Word, right: _Word, vocab: Vocabulary) -> list[Clause]:
    if left.term is None or right.term is None:
        return []
    accented = left.token.accented or right.token.accented
    folded = f"{left.token.folded} {right.token.folded}"
    factor = left.factor * right.factor
    plain = plain_bigram(left.term, right.term)
    if not (left.unigram and right.unigram) and plain not in vocab.topical:
        return []
    clause = _clause(plain, folded, accented, factor, vocab, left.guessed or right.guessed)
    if clause is None:
        return []
    return [Clause(BIGRAM_WEIGHT * clause.weight, clause.alternatives)]


def _concept(match: Match, typed: Sequence[Token], vocab: Vocabulary) -> list[Clause]:
    """One clause for a lexicon variant: the words typed, or the canonical form.

    It weighs what the concept weighs: "con nít" is as common a notion as "trẻ", however rare
    the words."""
    literal = [t for t in _typed_terms(typed) if t in vocab]
    concept = [t for t in phrase_terms(match.rule.canonical) if t in vocab]
    known = concept or literal
    if not known:
        return [Clause(UNKNOWN_SHARE * vocab.max_idf, ())]
    weight = max(vocab.idf[t] for t in known)
    if weight < MIN_IDF:
        return []
    alternatives = [(t, 1.0) for t in literal] + [(t, SYNONYM_FACTOR) for t in concept]
    return [Clause(weight, tuple(alternatives))]


def _typed_terms(typed: Sequence[Token]) -> list[str]:
    """The terms of a phrase as typed: accent-exact when typed with accents."""
    if not any(t.accented for t in typed):
        return phrase_terms(typed)
    words = [t.folded for t in typed if not t.stop] or [t.folded for t in typed]
    if len(words) == 1:
        return [accented_term(words[0])]
    return [accented_term(f"{a} {b}") for a, b in pairwise(words)]


def _spans(matches: list[Match]) -> dict[int, Match]:
    """Non-overlapping lexicon matches by start, leftmost-longest."""
    chosen: dict[int, Match] = {}
    end = 0
    for match in matches:  # sorted by start, longest first at each start
        if match.start >= end:
            chosen[match.start] = match
            end = match.end
    return chosen


def _guesses(
    segment: Sequence[Token], lex: LanguageLexicon, accents: AccentModel | None
) -> list[Token | None]:
    """Each token with its likely accents (``accents.py``), None where the library does not
    know the word."""
    if accents is None:
        return [None] * len(segment)
    forms = accents.restore([token.folded for token in segment])
    return [
        lex.token(form) if accents.knows(token.folded) else None
        for token, form in zip(segment, forms, strict=True)
    ]


def build_clauses(
    text: str, lex: LanguageLexicon, vocab: Vocabulary, accents: AccentModel | None = None
) -> list[Clause]:
    """The clauses of an already cleaned question; ``accents`` restores the likely accents of a
    question typed without any."""
    clauses: list[Clause] = []
    budget = [MAX_CORRECTIONS]
    plain_typing = not has_accents(text)
    for segment in lex.tokenize(text):
        guesses = _guesses(segment, lex, accents) if plain_typing else [None] * len(segment)
        spans = _spans(lex.synonyms(segment, plain_typing))
        previous: _Word | None = None
        position = 0
        while position < len(segment):
            match = spans.get(position)
            guess = guesses[position]
            may_be_stop = guess.stop if guess is not None else lex.may_be_stop(segment[position])
            if match is not None and plain_typing and match.end - match.start == 1 and may_be_stop:
                match = None  # "cam" is "cảm" before it is "câm"
            if match is not None:
                clauses.extend(_concept(match, segment[match.start : match.end], vocab))
                position, previous = match.end, None
                continue
            word = _resolve(segment[position], lex, vocab, plain_typing, budget, guesses[position])
            if word is not None:
                clauses.extend(_unigram(word, vocab))
                if previous is not None:
                    clauses.extend(_bigram(previous, word, vocab))
            previous = word
            position += 1
    return clauses
