"""Messages as token streams that the lexicon's regular expressions run over.

A message becomes a string of tokens, each written ``plain/folded `` (accent-free form, a slash,
the case-folded form with its accents, a space), with ``./. `` at the start, at the end and at
each sentence end. A pattern word matches on the plain form, so ``chết`` matches ``chet``; a word
marked strict matches only the same accents or none. Masked tokens (covered by an idiom) are
written ``_/_ `` so that no rule can use them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core import textnorm

# Longest message we look at; a chat message is at most a few thousand characters.
MAX_CHARS = 5000

BOUNDARY = "./. "
MASKED = "_/_ "

_APOSTROPHE = re.compile(r"(?<=\w)['’`´](?=\w)")
_TOKEN = re.compile(r"[^\W_]+|[.!?]+")
# Letters typed three or more times in a row ("chếttt", "soooo"): Vietnamese words never repeat a
# letter three times, English words almost never.
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")


@dataclass(frozen=True)
class Token:
    plain: str
    folded: str

    @property
    def boundary(self) -> bool:
        return self.plain == "."


_END = Token(".", ".")


def tokenize(text: str) -> tuple[Token, ...]:
    """Cleaned, truncated, folded tokens with sentence boundaries; never raises on odd input."""
    text = textnorm.clean(text.replace("\n", " . "), max_chars=MAX_CHARS)
    text = _APOSTROPHE.sub("", textnorm.fold(text))
    tokens = [_END]
    for raw in _TOKEN.findall(text):
        if not raw[0].isalnum():
            if not tokens[-1].boundary:
                tokens.append(_END)
            continue
        folded = _ELONGATED.sub(r"\1", raw)
        tokens.append(Token(textnorm.strip_accents(folded), folded))
    if not tokens[-1].boundary:
        tokens.append(_END)
    return tuple(tokens)


def word_token(word: str) -> Token:
    folded = _ELONGATED.sub(r"\1", textnorm.fold(word))
    return Token(textnorm.strip_accents(folded), folded)


def phrase_tokens(phrase: str) -> list[Token]:
    """The words of a lexicon phrase, normalised exactly like a message's words."""
    text = _APOSTROPHE.sub("", textnorm.fold(textnorm.clean(phrase)))
    return [word_token(raw) for raw in _TOKEN.findall(text) if raw[0].isalnum()]


@dataclass(frozen=True)
class Stream:
    """A message's tokens as one string, with where each token starts in it."""

    text: str
    starts: tuple[int, ...]

    def covered(self, start: int, end: int) -> range:
        """Indices of the tokens that a match from ``start`` to ``end`` covers."""
        return range(bisect_left(self.starts, start), bisect_left(self.starts, end))


def build_stream(
    tokens: Iterable[Token], aliases: Mapping[str, Token], masked: frozenset[int] = frozenset()
) -> Stream:
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    for index, token in enumerate(tokens):
        if token.boundary:
            part = BOUNDARY
        elif index in masked:
            part = MASKED
        else:
            shown = aliases.get(token.folded, token)
            part = f"{shown.plain}/{shown.folded} "
        starts.append(offset)
        parts.append(part)
        offset += len(part)
    return Stream("".join(parts), tuple(starts))
