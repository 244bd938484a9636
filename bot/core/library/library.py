"""The vetted library: look-ups with language fallback, and the editor's consistency check."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.core.languages import SOURCE_LANG
from bot.core.library.checks import check_library
from bot.core.library.loader import Shared, load_article, load_tips, load_topics
from bot.core.library.model import (
    Article,
    Level,
    Pillar,
    Problem,
    Snippet,
    Tip,
    Topic,
)
from bot.core.library.schema import ReviewLevel, SourceEntry
from bot.core.library.snippets import load_snippet
from bot.core.library.sources import load_sources

log = logging.getLogger(__name__)


def default_fallbacks(lang: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((lang, SOURCE_LANG)))


@dataclass(frozen=True)
class Found:
    """An article in the best language available; ``fallback`` when not the one asked for."""

    article: Article
    fallback: bool


@dataclass
class Library:
    root: Path
    pillars: list[Pillar] = field(default_factory=list)
    topics: dict[str, Topic] = field(default_factory=dict)
    articles: dict[tuple[str, str], Article] = field(default_factory=dict)
    tips: list[Tip] = field(default_factory=list)
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    snippets: dict[tuple[str, str], Snippet] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    fallbacks: Callable[[str], tuple[str, ...]] = default_fallbacks
    # MIN_REVIEW_LEVEL: the least-reviewed text the bot serves
    min_level: ReviewLevel = ReviewLevel.INTERNAL

    @classmethod
    def load(
        cls,
        root: Path,
        fallbacks: Callable[[str], tuple[str, ...]] = default_fallbacks,
        min_level: ReviewLevel = ReviewLevel.INTERNAL,
    ) -> Library:
        library = cls(root=root, fallbacks=fallbacks, min_level=min_level)
        library.pillars, library.topics, problems = load_topics(root / "topics.yaml")
        library.problems.extend(problems)
        library.sources, problems = load_sources(root / "sources.yaml")
        library.problems.extend(problems)
        for path in sorted((root / "snippets").glob("*.md")):
            snippet, problems = load_snippet(path, library.sources)
            library.problems.extend(problems)
            if snippet is not None:
                library.snippets[(snippet.id, snippet.lang)] = snippet
        shared = Shared(library.sources, library.snippets, library.topics, fallbacks)
        for path in sorted((root / "articles").rglob("*.md")):
            article, problems = load_article(path, shared)
            library.problems.extend(problems)
            if article is None:
                continue
            key = (article.id, article.lang)
            if key in library.articles:
                other = library.articles[key].path
                library.problems.append(
                    Problem(
                        Level.ERROR,
                        path,
                        1,
                        f"duplicate id {article.id} ({article.lang}), also in {other}",
                    )
                )
                continue
            library.articles[key] = article
        for path in sorted((root / "tips").glob("*.y*ml")):
            tips, problems = load_tips(path, shared)
            library.problems.extend(problems)
            library.tips.extend(tips)
        for problem in library.problems:
            if problem.level is Level.ERROR:
                log.error("content problem, skipped: %s", problem)
        return library

    # ---- look-ups -------------------------------------------------------------------------

    def serves(self, article: Article, today: date) -> bool:
        return article.servable(today, self.min_level) and article.topic in self.topics

    def servable(self, today: date) -> list[Article]:
        return [a for a in self.articles.values() if self.serves(a, today)]

    def article(self, article_id: str, lang: str, today: date) -> Found | None:
        for index, candidate in enumerate(self.fallbacks(lang)):
            article = self.articles.get((article_id, candidate))
            if article is not None and self.serves(article, today):
                return Found(article, fallback=index > 0)
        return None

    def for_topic(
        self, topic: str, lang: str, today: date, audience: str | None = None
    ) -> list[Found]:
        ids = sorted({a.id for a in self.articles.values() if a.topic == topic})
        found = [f for f in (self.article(i, lang, today) for i in ids) if f is not None]
        if audience is not None:
            preferred = [f for f in found if audience in f.article.audiences]
            others = [f for f in found if audience not in f.article.audiences]
            found = preferred + others
        return found

    def topic_has_content(self, topic: str, lang: str, today: date) -> bool:
        return bool(self.for_topic(topic, lang, today))

    def tips_for(
        self, lang: str, today: date, audience: str | None, age_band: str | None
    ) -> list[Tip]:
        chosen: dict[str, Tip] = {}
        for candidate in reversed(self.fallbacks(lang)):  # the user's language overrides fallbacks
            for tip in self.tips:
                if (
                    tip.lang == candidate
                    and tip.servable(today, self.min_level)
                    and tip.topic in self.topics
                ):
                    chosen[tip.id] = tip
        tips = list(chosen.values())
        if audience is not None:
            tips = [t for t in tips if audience in t.audiences] or tips
        if age_band is not None:
            tips = [t for t in tips if age_band in t.age_bands or "all" in t.age_bands] or tips
        return sorted(tips, key=lambda t: t.id)

    # ---- the editor's check -----------------------------------------------------------------

    def check(self, today: date, languages: Iterable[str] = ("vi", "en")) -> list[Problem]:
        return check_library(self, today, tuple(languages))
