"""Loaded content: articles, tips and the taxonomy, as plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

from bot.core.languages import SOURCE_LANG
from bot.core.library.schema import MediaRef, Review, Source, TranslationOf


@dataclass(frozen=True)
class Article:
    id: str
    lang: str
    topic: str
    audiences: tuple[str, ...]
    age_bands: tuple[str, ...]
    title: str
    summary: str
    body: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    sources: tuple[Source, ...]
    review: Review
    translation_of: TranslationOf | None
    media: tuple[MediaRef, ...]
    related: tuple[str, ...]
    path: Path
    hash: str

    def servable(self, today: date) -> bool:
        return self.review.servable(today)


@dataclass(frozen=True)
class Tip:
    id: str
    lang: str
    topic: str
    audiences: tuple[str, ...]
    age_bands: tuple[str, ...]
    text: str
    sources: tuple[Source, ...]
    review: Review
    path: Path


@dataclass(frozen=True)
class Topic:
    id: str
    pillar: str
    names: dict[str, str]
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
