"""Loaded content: articles, tips and the taxonomy, as plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from bot.core.languages import SOURCE_LANG
from bot.core.library.schema import (
    MediaRef,
    Review,
    ReviewLevel,
    SourceEntry,
    TranslationOf,
    localized,
)


@dataclass(frozen=True)
class Cited:
    """A source as one article or tip cites it, in that text's language."""

    source: SourceEntry
    at: str | None
    lang: str

    @property
    def title(self) -> str:
        title = localized(self.source.title, self.lang)
        return f"{title}, {self.at}" if self.at else title

    @property
    def publisher(self) -> str:
        return localized(self.source.publisher, self.lang)

    @property
    def reference(self) -> str:
        """Where to find it: the url, else the legal citation."""
        if self.source.url:
            return self.source.url
        return localized(self.source.citation, self.lang) if self.source.citation else ""


def served(review: Review, level: ReviewLevel, today: date, minimum: ReviewLevel) -> bool:
    """Reviewed at least to ``minimum`` (MIN_REVIEW_LEVEL) and not past its next review."""
    return level.reaches(minimum) and not review.expired(today)


@dataclass(frozen=True)
class Snippet:
    """An instruction written once per language and included by many articles."""

    id: str
    lang: str
    title: str
    body: str
    sources: tuple[Cited, ...]
    markers: tuple[str, ...]
    outdated: tuple[str, ...]
    translation_of: TranslationOf | None
    path: Path
    hash: str


@dataclass(frozen=True)
class Article:
    id: str
    lang: str
    topic: str
    audiences: tuple[str, ...]
    age_bands: tuple[str, ...]
    title: str
    summary: str
    body: str  # as served: included snippets expanded
    written_body: str  # as written: with the ``{{snippet: id}}`` lines
    includes: tuple[str, ...]  # the snippet ids it includes, in order
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    sources: tuple[Cited, ...]  # its own, then those of the snippets it includes
    cited: tuple[Cited, ...]  # its own citations only
    review: Review
    level: ReviewLevel  # what the review earns on this topic (see ``Review.level_for``)
    translation_of: TranslationOf | None
    media: tuple[MediaRef, ...]
    related: tuple[str, ...]
    path: Path
    hash: str

    def servable(self, today: date, minimum: ReviewLevel = ReviewLevel.INTERNAL) -> bool:
        return served(self.review, self.level, today, minimum)


@dataclass(frozen=True)
class Tip:
    id: str
    lang: str
    topic: str
    audiences: tuple[str, ...]
    age_bands: tuple[str, ...]
    text: str
    sources: tuple[Cited, ...]
    review: Review  # one for the whole tip file
    level: ReviewLevel  # what the review earns on this tip's topic (see ``Review.level_for``)
    path: Path

    def servable(self, today: date, minimum: ReviewLevel = ReviewLevel.INTERNAL) -> bool:
        return served(self.review, self.level, today, minimum)


@dataclass(frozen=True)
class Topic:
    id: str
    pillar: str
    names: dict[str, str]
    expert_roles: frozenset[str] = frozenset()  # high-stakes: who may raise it to "expert"
    first_aid: bool = False  # its articles carry first-aid steps for an emergency now

    def name(self, lang: str, fallback: str = SOURCE_LANG) -> str:
        return self.names.get(lang) or self.names.get(fallback) or self.id


@dataclass(frozen=True)
class Pillar:
    id: str
    icon: str
    names: dict[str, str]
    topics: tuple[str, ...]

    def name(self, lang: str, fallback: str = SOURCE_LANG) -> str:
        return self.names.get(lang) or self.names.get(fallback) or self.id


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    level: Level
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level.value}: {self.message}"
