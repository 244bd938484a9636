"""Unanswered questions grouped for editors: the same words (accents, case and punctuation
aside) in the same language are one group, most asked first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.core.ports import UnansweredQuestion
from bot.core.textnorm import plain_words


@dataclass(frozen=True)
class QuestionGroup:
    lang: str
    count: int
    text: str  # the first wording seen (already scrubbed of personal data)
    last: datetime


def group(questions: Iterable[UnansweredQuestion]) -> list[QuestionGroup]:
    counts: dict[tuple[str, str], int] = {}
    examples: dict[tuple[str, str], str] = {}
    last: dict[tuple[str, str], datetime] = {}
    for q in questions:
        key = (q.lang, " ".join(plain_words(q.text)))
        counts[key] = counts.get(key, 0) + 1
        examples.setdefault(key, q.text)
        last[key] = max(last.get(key, q.at), q.at)
    ordered = sorted(counts, key=lambda k: (-counts[k], -last[k].timestamp()))
    return [QuestionGroup(k[0], counts[k], examples[k], last[k]) for k in ordered]
