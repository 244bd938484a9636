"""Per-language term statistics and typo correction of unknown question words."""

from __future__ import annotations

import math
from collections.abc import Mapping

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_TYPO_LENGTH = 4  # shorter words are too ambiguous to correct ("be", "an", "dau")
LONG_WORD = 8  # from this length two edits are allowed, below it one
SHORT_WORD = 6  # shorter words keep their length and first letter ("vang" is not "mang")
MAX_CACHE = 4096


def bm25_idf(doc_freq: int, n_docs: int) -> float:
    return math.log(1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5))


class Vocabulary:
    """Document frequencies and IDF of every term of one language's articles."""

    def __init__(
        self,
        doc_freq: Mapping[str, int],
        n_docs: int,
        topical: frozenset[str] = frozenset(),
        surfaces: Mapping[str, str] | None = None,
    ) -> None:
        self.n_docs = n_docs
        self.idf = {term: bm25_idf(df, n_docs) for term, df in doc_freq.items()}
        # Terms of some article's title, questions or keywords: what articles are about. Other
        # terms only occur in bodies ("sắp", "dặn"), and a small corpus overrates their rarity.
        self.topical = topical
        self.max_idf = bm25_idf(1, n_docs)
        self._doc_freq = dict(doc_freq)
        # Candidates for correction: words as written (accent-free, not stemmed: "drownign" is
        # close to "drowning", not to its stem "drown") → the plain term they index as.
        words = {t: t for t in doc_freq if " " not in t and not t.startswith("^")}
        words.update({w: t for w, t in (surfaces or {}).items() if t in doc_freq})
        self._stems = {w: t for w, t in words.items() if len(w) >= 3}
        self._words = sorted(self._stems)
        self._corrections: dict[str, str | None] = {}

    def __contains__(self, term: str) -> bool:
        return term in self.idf

    def correct(self, word: str) -> str | None:
        """The known plain word closest to an unknown ``word`` (OSA distance 1, or 2 when long),
        preferring the more frequent on ties; ``None`` when nothing is close enough."""
        if word in self._corrections:
            return self._corrections[word]
        best: str | None = None
        if len(word) >= MIN_TYPO_LENGTH and not word.isdigit():
            cutoff = 2 if len(word) >= LONG_WORD else 1
            found = process.extract(
                word, self._words, scorer=OSA.distance, score_cutoff=cutoff, limit=8
            )
            if len(word) < SHORT_WORD:  # "diet" is not "die"
                found = [f for f in found if f[0][0] == word[0] and len(f[0]) == len(word)]
            if found:
                stems = self._stems
                best = stems[
                    min(found, key=lambda f: (f[1], -self._doc_freq[stems[f[0]]], f[0]))[0]
                ]
        if len(self._corrections) < MAX_CACHE:
            self._corrections[word] = best
        return best
