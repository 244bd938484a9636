"""``mangnon content check``: what makes the library inconsistent, stale or unsafe to serve."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.languages import SOURCE_LANG
from bot.core.library.model import Article, Level, Problem, Snippet
from bot.core.library.schema import ReviewLevel, TranslationOf
from bot.core.library.snippets import first_mention, without_includes
from bot.core.library.sources import stale_citations

if TYPE_CHECKING:
    from bot.core.library.library import Library


def check_library(library: Library, today: date, languages: tuple[str, ...]) -> list[Problem]:
    problems = list(library.problems)
    by_id: dict[str, dict[str, Article]] = {}
    for article in library.articles.values():
        by_id.setdefault(article.id, {})[article.lang] = article
    for article in library.articles.values():
        problems.extend(_article(library, article, by_id, today))
    problems.extend(_versions(by_id, languages))
    problems.extend(_topics(library, today, languages))
    problems.extend(_tips(library, today))
    problems.extend(_snippets(library, today))
    problems.extend(_restated(library))
    problems.extend(_outdated(library))
    return problems


def _article(
    library: Library, article: Article, by_id: dict[str, dict[str, Article]], today: date
) -> Iterator[Problem]:
    path = article.path
    topic = library.topics.get(article.topic)
    if topic is None:
        yield Problem(Level.ERROR, path, 1, f"unknown topic {article.topic}")
    if article.path.parent.name != article.topic:
        yield Problem(Level.WARNING, path, 1, f"file is not in content/articles/{article.topic}/")
    for related in article.related:
        if related not in by_id:
            yield Problem(Level.ERROR, path, 1, f"related id {related} does not exist")
    for media in article.media:
        if not (library.root / media.file).is_file():
            yield Problem(Level.ERROR, path, 1, f"media file {media.file} does not exist")
    review = article.review
    if review.level is not ReviewLevel.DRAFT and review.expired(today):
        yield Problem(Level.WARNING, path, 1, f"review expired on {review.next_review}: not served")
    if review.level is ReviewLevel.EXPERT and article.level is not ReviewLevel.EXPERT:
        roles = ", ".join(sorted(topic.expert_roles)) if topic else ""
        yield Problem(
            Level.ERROR,
            path,
            1,
            f"an expert review of {article.topic} needs a reviewer whose role is {roles}, "
            f"not {review.role}: served as internal",
        )
    for message in stale_citations(article.sources, today):
        yield Problem(Level.WARNING, path, 1, message)
    yield from _translation(
        path, article.id, article.lang, article.translation_of, by_id.get(article.id, {})
    )


def _translation(
    path: Path,
    text_id: str,
    lang: str,
    translation_of: TranslationOf | None,
    versions: dict[str, Article] | dict[str, Snippet],
) -> Iterator[Problem]:
    if translation_of is None:
        if lang != SOURCE_LANG:
            yield Problem(
                Level.ERROR, path, 1, "a translation needs translation_of: {lang: vi, hash: ...}"
            )
        return
    source = versions.get(translation_of.lang)
    if source is None:
        yield Problem(
            Level.ERROR, path, 1, f"translation of a missing {translation_of.lang} version"
        )
    elif source.hash != translation_of.hash:
        yield Problem(
            Level.WARNING,
            path,
            1,
            f"stale translation: the {source.lang} source changed (hash {source.hash}); "
            f"update it, then run `mangnon content stamp {text_id} {lang}`",
        )


def _versions(
    by_id: dict[str, dict[str, Article]], languages: tuple[str, ...]
) -> Iterator[Problem]:
    for article_id, versions in sorted(by_id.items()):
        any_path = next(iter(versions.values())).path
        if SOURCE_LANG not in versions:
            yield Problem(
                Level.ERROR, any_path, 1, f"{article_id} has no Vietnamese source version"
            )
        for lang in languages:
            if lang not in versions:
                yield Problem(
                    Level.WARNING, any_path, 1, f"{article_id}: missing translation '{lang}'"
                )


def _topics(library: Library, today: date, languages: tuple[str, ...]) -> Iterator[Problem]:
    for topic in library.topics:
        for lang in languages:
            if not any(
                a.topic == topic and a.lang == lang and library.serves(a, today)
                for a in library.articles.values()
            ):
                yield Problem(
                    Level.WARNING,
                    library.root / "topics.yaml",
                    1,
                    f"topic {topic} has no '{lang}' article reviewed to "
                    f"{library.min_level.value} or above",
                )


def _tips(library: Library, today: date) -> Iterator[Problem]:
    seen: dict[tuple[str, str], Path] = {}
    for tip in library.tips:
        key = (tip.id, tip.lang)
        if key in seen:
            yield Problem(
                Level.ERROR, tip.path, 1, f"duplicate tip id {tip.id}, also in {seen[key]}"
            )
        seen[key] = tip.path
        topic = library.topics.get(tip.topic)
        if topic is None:
            yield Problem(Level.ERROR, tip.path, 1, f"tip {tip.id}: unknown topic {tip.topic}")
        elif tip.level is not tip.review.level:
            yield Problem(
                Level.ERROR,
                tip.path,
                1,
                f"tip {tip.id}: an expert review of {tip.topic} needs a reviewer whose role is "
                f"{', '.join(sorted(topic.expert_roles))}",
            )
        for message in stale_citations(tip.sources, today):
            yield Problem(Level.WARNING, tip.path, 1, f"tip {tip.id} {message}")


def _snippets(library: Library, today: date) -> Iterator[Problem]:
    by_id: dict[str, dict[str, Snippet]] = {}
    for snippet in library.snippets.values():
        by_id.setdefault(snippet.id, {})[snippet.lang] = snippet
    for snippet in library.snippets.values():
        for message in stale_citations(snippet.sources, today):
            yield Problem(Level.WARNING, snippet.path, 1, message)
        yield from _translation(
            snippet.path, snippet.id, snippet.lang, snippet.translation_of, by_id[snippet.id]
        )


def own_text(article: Article) -> str:
    """What the article says itself: title, summary and body without the included snippets."""
    return "\n".join((article.title, article.summary, without_includes(article.written_body)))


def _restated(library: Library) -> Iterator[Problem]:
    """An article that speaks of a snippet's subject must include a snippet on it: the shared
    instruction is then the only one, and a fix to it reaches every article."""
    declared: dict[tuple[str, str], set[str]] = {}  # (lang, marker) → snippet ids
    for snippet in library.snippets.values():
        for marker in snippet.markers:
            declared.setdefault((snippet.lang, marker), set()).add(snippet.id)
    for article in library.articles.values():
        text = own_text(article)
        missing: dict[frozenset[str], str] = {}  # snippets it should include → the first marker
        for (lang, marker), wanted in declared.items():
            if (
                lang == article.lang
                and not wanted & set(article.includes)
                and first_mention(text, (marker,))
            ):
                missing.setdefault(frozenset(wanted), marker)
        for snippet_ids, marker in missing.items():
            includes = " or ".join(f"{{{{snippet: {i}}}}}" for i in sorted(snippet_ids))
            yield Problem(
                Level.ERROR,
                article.path,
                1,
                f"speaks of '{marker}' without including {includes}: a shared instruction is "
                "written once, so include the snippet instead of restating it",
            )


def _outdated(library: Library) -> Iterator[Problem]:
    """Phrasings of superseded guidance that a snippet replaced are errors in every text."""
    texts: list[tuple[str, Path, str]] = [
        (a.lang, a.path, own_text(a)) for a in library.articles.values()
    ]
    texts += [(t.lang, t.path, t.text) for t in library.tips]
    texts += [(s.lang, s.path, s.body) for s in library.snippets.values()]
    for snippet in library.snippets.values():
        if not snippet.outdated:
            continue
        for lang, path, text in texts:
            if lang != snippet.lang:
                continue
            phrase = first_mention(text, snippet.outdated)
            if phrase is not None:
                yield Problem(
                    Level.ERROR,
                    path,
                    1,
                    f"'{phrase}' is outdated guidance: the snippet {snippet.id} gives the current "
                    "instruction",
                )
