"""Text → tokens → index terms, the same way for articles and for questions.

A token keeps two forms: ``folded`` (case-folded, accents kept) and ``plain`` (accent-free, ``đ`` →
``d``; English is lightly stemmed). Terms are strings of three kinds:

- plain unigram ``"nuoc"`` and plain bigram ``"duoi nuoc"`` (two neighbouring non-stopwords):
  these make matching accent-insensitive and capture two-syllable Vietnamese words;
- accented unigram/bigram ``"^nước"``, ``"^đuối nước"``, only for tokens that carry diacritics:
  a question typed with accents scores higher on articles with the same accents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from bot.core import textnorm

ACCENT_MARK = "^"
# Sentence-level punctuation: bigrams never cross it.
_SEGMENTS = re.compile(r"[.!?;:,()\[\]{}\"“”…\n\r\t|/\\]+")
_WORD = re.compile(r"\w+")
_DOUBLE = ("bb", "dd", "gg", "mm", "nn", "pp", "rr", "tt")


def _stem_en(word: str) -> str:
    """A deliberately tiny English stemmer: plural and -ing/-ed forms meet their base."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith(("ies", "ied")):
        return word[:-3] + "y"
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            return word[:-1] if word.endswith(_DOUBLE) else word.removesuffix("e")
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def plain_form(word: str, lang: str) -> str:
    """The accent-free (and, for English, stemmed) form of one folded word."""
    plain = textnorm.strip_accents(word)
    return _stem_en(plain) if lang == "en" else plain


@dataclass(frozen=True, slots=True)
class Rule:
    """A lexicon synonym: ``variant`` also counts as ``canonical``."""

    variant: tuple[Token, ...]
    canonical: tuple[Token, ...]


@dataclass(frozen=True, slots=True)
class Token:
    folded: str
    plain: str
    accented: bool
    stop: bool = False
    rules: tuple[Rule, ...] = ()  # lexicon rules whose variant starts with this word


@lru_cache(maxsize=65536)
def base_token(word: str, lang: str) -> Token:
    """The lexicon-free token of one folded word."""
    return Token(word, plain_form(word, lang), textnorm.strip_accents(word) != word)


def segments(text: str) -> list[list[str]]:
    """Folded words grouped by segment (bigrams are formed inside a segment only)."""
    found = (_WORD.findall(part) for part in _SEGMENTS.split(textnorm.fold(text)))
    return [words for words in found if words]


def add_terms(terms: list[str], tokens: Sequence[Token], accents: bool = True) -> int:
    """Append the terms of one segment to ``terms``; return how many tokens counted."""
    if not accents:
        return add_plain_terms(terms, tokens)
    length = 0
    previous: Token | None = None
    append = terms.append
    for token in tokens:
        if token.stop:
            previous = None
            continue
        length += 1
        append(token.plain)
        if token.accented:
            append(ACCENT_MARK + token.folded)
        if previous is not None:
            append(previous.plain + " " + token.plain)
            if previous.accented or token.accented:
                append(ACCENT_MARK + previous.folded + " " + token.folded)
        previous = token
    return length


def add_plain_terms(terms: list[str], tokens: Sequence[Token]) -> int:
    """``add_terms`` without the accented forms."""
    length = 0
    previous: Token | None = None
    append = terms.append
    for token in tokens:
        if token.stop:
            previous = None
            continue
        length += 1
        append(token.plain)
        if previous is not None:
            append(previous.plain + " " + token.plain)
        previous = token
    return length


def plain_bigram(left: str, right: str) -> str:
    return f"{left} {right}"


def accented_term(form: str) -> str:
    return ACCENT_MARK + form


def phrase_terms(tokens: Iterable[Token]) -> list[str]:
    """The plain terms that stand for a whole phrase: its bigrams, or its one word."""
    plains = [t.plain for t in tokens if not t.stop] or [t.plain for t in tokens]
    if len(plains) == 1:
        return plains
    return [plain_bigram(a, b) for a, b in pairwise(plains)]
