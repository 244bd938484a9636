"""A text's features: word and character n-grams of its folded, accent-free words.

Folding makes "Em bị ĐÁNH", "em bi danh" and "e bị đánhhh" one text: case-folded, letters typed
three times or more squeezed, apostrophes dropped, typing shortcuts replaced through ``aliases``
("ko" → "không"; a key is matched with its accents, so "mô" → "đâu" leaves "mo" alone), then
accents stripped (optional). Character n-grams run over the words
joined by single spaces and padded with one, so they see word boundaries and short phrases and
survive misspellings; word n-grams carry the exact words. Feature names are prefixed ``w:`` and
``c:`` so the two kinds never collide.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core import textnorm

_APOSTROPHE = re.compile(r"(?<=\w)['’`´](?=\w)")
_WORD = re.compile(r"[^\W_]+")
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")


@dataclass(frozen=True)
class FeatureSpec:
    """How a text becomes features. Stored inside a model's artefact, so it travels with it.

    ``char_ngrams`` and ``word_ngrams`` are inclusive (min, max) lengths; (0, 0) turns a kind off.
    ``aliases`` maps a case-folded word, accents as typed, to its replacement (one or more words).
    Only the first ``max_chars`` characters are read.
    """

    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    strip_accents: bool = True
    aliases: Mapping[str, str] = field(default_factory=dict)
    max_chars: int = 2000

    def __post_init__(self) -> None:
        for name in ("char_ngrams", "word_ngrams"):
            low, high = getattr(self, name)
            if (low, high) != (0, 0) and not 1 <= low <= high:
                raise ValueError(f"{name} must be (0, 0) or 1 <= min <= max, not {(low, high)}")
        if self.char_ngrams == (0, 0) and self.word_ngrams == (0, 0):
            raise ValueError("a FeatureSpec needs character or word n-grams")

    def to_json(self) -> dict[str, Any]:
        return {
            "char_ngrams": list(self.char_ngrams),
            "word_ngrams": list(self.word_ngrams),
            "strip_accents": self.strip_accents,
            "aliases": dict(sorted(self.aliases.items())),
            "max_chars": self.max_chars,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeatureSpec:
        char_low, char_high = data["char_ngrams"]
        word_low, word_high = data["word_ngrams"]
        return cls(
            char_ngrams=(int(char_low), int(char_high)),
            word_ngrams=(int(word_low), int(word_high)),
            strip_accents=bool(data["strip_accents"]),
            aliases={str(k): str(v) for k, v in data["aliases"].items()},
            max_chars=int(data["max_chars"]),
        )


def fold_word(word: str) -> str:
    """One word case-folded, accents kept, repeated letters squeezed: how ``aliases`` keys look."""
    return _ELONGATED.sub(r"\1", textnorm.fold(word))


def normalise(text: str, spec: FeatureSpec) -> list[str]:
    """The folded words of ``text``, aliases applied."""
    text = textnorm.clean(text, max_chars=spec.max_chars)
    text = _APOSTROPHE.sub("", textnorm.fold(text))
    words: list[str] = []
    for raw in _WORD.findall(text):
        word = fold_word(raw)
        words.extend(spec.aliases.get(word, word).split())
    if spec.strip_accents:
        return [textnorm.strip_accents(word) for word in words]
    return words


def featurize(text: str, spec: FeatureSpec) -> Counter[str]:
    """Feature name → count for ``text``."""
    words = normalise(text, spec)
    counts: Counter[str] = Counter()
    low, high = spec.word_ngrams
    if high:
        for size in range(low, high + 1):
            for start in range(len(words) - size + 1):
                counts["w:" + " ".join(words[start : start + size])] += 1
    low, high = spec.char_ngrams
    if high and words:
        joined = " " + " ".join(words) + " "
        for size in range(low, high + 1):
            for start in range(len(joined) - size + 1):
                counts["c:" + joined[start : start + size]] += 1
    return counts
