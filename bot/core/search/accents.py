"""Likely accents of Vietnamese typed without them, from the corpus's own text.

"con bi sot" could be "con bị sốt" (a fever) or "con bị sót" (left behind); "hoc boi" could be
"học bơi" (swimming lessons) or "học bói" (fortune-telling). The corpus says which is likely: the
articles write "còn sót lại" and "học bơi", the questions parents typed with accents "bị sốt".
``AccentModel`` counts the accented words and word pairs of the articles and of the training
questions (their counts travel in the topic model's artefact) and, for an accent-free phrase,
picks the reading with the highest bigram probability (Viterbi over the forms each syllable takes
in the corpus, interpolated with unigram counts). Words the corpus never writes keep their typed
form.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from bot.core.search.analysis import segments
from bot.core.textnorm import has_accents, strip_accents

BIGRAM_SHARE = 0.8  # weight of the pair count against the word's own frequency
FLOOR = 1e-6  # probability of a form never seen after the previous word nor alone
ACCENT_PROBE = 300  # a text typed without accents shows it in its first characters


@dataclass(frozen=True)
class WordCounts:
    """Accented words and neighbouring pairs, counted in some texts (for the accent model)."""

    unigrams: Counter[str]
    bigrams: Counter[tuple[str, str]]

    def to_json(self) -> dict[str, dict[str, int]]:
        return {
            "unigrams": dict(sorted(self.unigrams.items())),
            "bigrams": {f"{a} {b}": n for (a, b), n in sorted(self.bigrams.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WordCounts:
        unigrams = Counter({str(k): int(v) for k, v in data.get("unigrams", {}).items()})
        bigrams: Counter[tuple[str, str]] = Counter()
        for pair, count in data.get("bigrams", {}).items():
            left, right = str(pair).split(" ", 1)
            bigrams[(left, right)] = int(count)
        return cls(unigrams, bigrams)


def count_words(texts: Iterable[str]) -> WordCounts:
    """The folded words and neighbouring pairs of the texts written with accents (an article's
    example questions typed without them would teach that "sot" is a word)."""
    words: list[str] = []  # every segment's words, each segment followed by "" (no pair across)
    for text in texts:
        if has_accents(text[:ACCENT_PROBE]):
            for segment in segments(text):
                words.extend(segment)
                words.append("")
    unigrams = Counter(words)
    del unigrams[""]
    bigrams = Counter(pairwise(words))
    for pair in [pair for pair in bigrams if "" in pair]:
        del bigrams[pair]
    return WordCounts(unigrams, bigrams)


class AccentModel:
    """Accented forms by accent-free form, with unigram and bigram counts of the forms."""

    def __init__(self, unigrams: Counter[str], bigrams: Counter[tuple[str, str]]) -> None:
        self._unigrams = unigrams
        self._bigrams = bigrams
        forms: dict[str, list[str]] = {}
        for form in sorted(unigrams, key=lambda f: (-unigrams[f], f)):
            forms.setdefault(strip_accents(form), []).append(form)
        self._forms = forms
        self._total = max(sum(unigrams.values()), 1)
        self._left_totals: Counter[str] = Counter()
        for (left, _), count in bigrams.items():
            self._left_totals[left] += count

    @classmethod
    def from_texts(cls, texts: Iterable[str], more: WordCounts | None = None) -> AccentModel:
        """From the accented texts (the library's), plus counts made elsewhere (questions')."""
        counts = count_words(texts)
        if more is not None:
            counts.unigrams.update(more.unigrams)
            counts.bigrams.update(more.bigrams)
        return cls(counts.unigrams, counts.bigrams)

    def knows(self, plain: str) -> bool:
        return plain in self._forms

    def restore(self, plains: Sequence[str]) -> list[str]:
        """The most likely accented reading of accent-free folded words (one segment)."""
        if not plains:
            return []
        lattice = [self._forms.get(p) or [p] for p in plains]
        scores = [math.log(self._unigram(f)) for f in lattice[0]]
        back: list[list[int]] = []
        for previous, current in pairwise(lattice):
            step_scores, step_back = [], []
            for form in current:
                best = max(
                    range(len(previous)),
                    key=lambda i: scores[i] + math.log(self._bigram(previous[i], form)),
                )
                step_scores.append(scores[best] + math.log(self._bigram(previous[best], form)))
                step_back.append(best)
            scores, back = step_scores, [*back, step_back]
        position = max(range(len(scores)), key=scores.__getitem__)
        path = [position]
        for step in reversed(back):
            position = step[position]
            path.append(position)
        return [forms[i] for forms, i in zip(lattice, reversed(path), strict=True)]

    def _unigram(self, form: str) -> float:
        return max(self._unigrams[form], FLOOR) / self._total

    def _bigram(self, left: str, form: str) -> float:
        """P(form | the previous word), interpolated with P(form)."""
        after = self._left_totals[left]
        pair = self._bigrams[(left, form)] / after if after else 0.0
        return BIGRAM_SHARE * pair + (1.0 - BIGRAM_SHARE) * self._unigram(form) + FLOOR
