"""The vetted library: look-ups with language fallback, and the editor's consistency check."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.core.languages import SOURCE_LANG
from bot.core.library.loader import load_article, load_tips, load_topics
from bot.core.library.model import Article, Level, Pillar, Problem, Tip, Topic

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
    problems: list[Problem] = field(default_factory=list)
    fallbacks: Callable[[str], tuple[str, ...]] = default_fallbacks

    @classmethod
    def load(
        cls, root: Path, fallbacks: Callable[[str], tuple[str, ...]] = default_fallbacks
    ) -> Library:
        library = cls(root=root, fallbacks=fallbacks)
        library.pillars, library.topics, problems = load_topics(root / "topics.yaml")
        library.problems.extend(problems)
        for path in sorted((root / "articles").rglob("*.md")):
            article, problems = load_article(path)
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
            tips, problems = load_tips(path)
            library.problems.extend(problems)
            library.tips.extend(tips)
        for problem in library.problems:
            if problem.level is Level.ERROR:
                log.error("content problem, skipped: %s", problem)
        return library

    # ---- look-ups -------------------------------------------------------------------------

    def servable(self, today: date) -> list[Article]:
        return [a for a in self.articles.values() if a.servable(today) and a.topic in self.topics]

    def article(self, article_id: str, lang: str, today: date) -> Found | None:
        for index, candidate in enumerate(self.fallbacks(lang)):
            article = self.articles.get((article_id, candidate))
            if article is not None and article.servable(today) and article.topic in self.topics:
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
                    and tip.review.servable(today)
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
        problems = list(self.problems)
        ids = {article_id for article_id, _ in self.articles}
        by_id: dict[str, dict[str, Article]] = {}
        for article in self.articles.values():
            by_id.setdefault(article.id, {})[article.lang] = article
        for article in self.articles.values():
            problems.extend(self._check_article(article, ids, by_id, today))
        wanted = tuple(languages)
        for article_id, versions in sorted(by_id.items()):
            if SOURCE_LANG not in versions:
                any_path = next(iter(versions.values())).path
                problems.append(
                    Problem(
                        Level.ERROR, any_path, 1, f"{article_id} has no Vietnamese source version"
                    )
                )
            for lang in wanted:
                if lang not in versions:
                    path = next(iter(versions.values())).path
                    problems.append(
                        Problem(
                            Level.WARNING, path, 1, f"{article_id}: missing translation '{lang}'"
                        )
                    )
        for topic in self.topics:
            for lang in wanted:
                if not any(
                    a.topic == topic and a.lang == lang and a.servable(today)
                    for a in self.articles.values()
                ):
                    problems.append(
                        Problem(
                            Level.WARNING,
                            self.root / "topics.yaml",
                            1,
                            f"topic {topic} has no approved '{lang}' article",
                        )
                    )
        problems.extend(self._check_tips(today))
        return problems

    def _check_article(
        self, article: Article, ids: set[str], by_id: dict[str, dict[str, Article]], today: date
    ) -> list[Problem]:
        out: list[Problem] = []
        path = article.path
        if article.topic not in self.topics:
            out.append(Problem(Level.ERROR, path, 1, f"unknown topic {article.topic}"))
        if article.path.parent.name != article.topic:
            out.append(
                Problem(Level.WARNING, path, 1, f"file is not in content/articles/{article.topic}/")
            )
        for related in article.related:
            if related not in ids:
                out.append(Problem(Level.ERROR, path, 1, f"related id {related} does not exist"))
        for media in article.media:
            if not (self.root / media.file).is_file():
                out.append(Problem(Level.ERROR, path, 1, f"media file {media.file} does not exist"))
        review = article.review
        if review.review_due is not None and review.review_due < today:
            out.append(
                Problem(
                    Level.WARNING, path, 1, f"review expired on {review.review_due}: not served"
                )
            )
        if article.translation_of is not None:
            source = by_id.get(article.id, {}).get(article.translation_of.lang)
            if source is None:
                out.append(
                    Problem(
                        Level.ERROR,
                        path,
                        1,
                        f"translation of a missing {article.translation_of.lang} version",
                    )
                )
            elif source.hash != article.translation_of.hash:
                out.append(
                    Problem(
                        Level.WARNING,
                        path,
                        1,
                        f"stale translation: the {source.lang} source changed (hash {source.hash}); "
                        f"update it, then run `mangnon content stamp {article.id} {article.lang}`",
                    )
                )
        elif article.lang != SOURCE_LANG:
            out.append(
                Problem(
                    Level.ERROR,
                    path,
                    1,
                    "a translation needs translation_of: {lang: vi, hash: ...}",
                )
            )
        return out

    def _check_tips(self, today: date) -> list[Problem]:
        out: list[Problem] = []
        seen: dict[tuple[str, str], Path] = {}
        for tip in self.tips:
            key = (tip.id, tip.lang)
            if key in seen:
                out.append(
                    Problem(
                        Level.ERROR, tip.path, 1, f"duplicate tip id {tip.id}, also in {seen[key]}"
                    )
                )
            seen[key] = tip.path
            if tip.topic not in self.topics:
                out.append(
                    Problem(Level.ERROR, tip.path, 1, f"tip {tip.id}: unknown topic {tip.topic}")
                )
        return out
