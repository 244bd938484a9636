"""Read articles, tips and the taxonomy. A broken file is reported and skipped."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.core.library.model import Article, Cited, Level, Pillar, Problem, Tip, Topic
from bot.core.library.parsing import line_of, read_document, validation_problems, yaml_problem
from bot.core.library.schema import FrontMatter, SourceEntry, TipFile, TopicsFile, source_hash
from bot.core.library.snippets import Snippets, expand
from bot.core.library.sources import resolve


@dataclass(frozen=True)
class Shared:
    """What every article may refer to: sources, snippets, topics, the language fallbacks."""

    sources: dict[str, SourceEntry]
    snippets: Snippets
    topics: dict[str, Topic]
    fallbacks: Callable[[str], tuple[str, ...]]


ARTICLE_NAME = re.compile(
    r"^(?P<id>[a-z0-9][a-z0-9-]+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]+)?)\.md$"
)
TIP_NAME = re.compile(r"^(?P<group>[a-z0-9-]+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]+)?)\.ya?ml$")


def load_topics(path: Path) -> tuple[list[Pillar], dict[str, Topic], list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
        parsed = TopicsFile.model_validate(yaml.safe_load(text))
    except FileNotFoundError:
        return [], {}, [Problem(Level.ERROR, path, 1, "missing taxonomy file")]
    except yaml.YAMLError as exc:
        return [], {}, [yaml_problem(path, exc)]
    except ValidationError as exc:
        return [], {}, validation_problems(path, text, exc)
    pillars: list[Pillar] = []
    topics: dict[str, Topic] = {}
    problems: list[Problem] = []
    for pillar in parsed.pillars:
        pillars.append(
            Pillar(pillar.id, pillar.icon, dict(pillar.name), tuple(t.id for t in pillar.topics))
        )
        for entry in pillar.topics:
            if entry.id in topics:
                problems.append(
                    Problem(
                        Level.ERROR, path, line_of(text, entry.id), f"duplicate topic {entry.id}"
                    )
                )
            roles = frozenset(role.value for role in entry.expert_roles)
            topics[entry.id] = Topic(entry.id, pillar.id, dict(entry.name), roles, entry.first_aid)
    return pillars, topics, problems


def load_article(path: Path, shared: Shared) -> tuple[Article | None, list[Problem]]:
    document, problems = read_document(path, ARTICLE_NAME, FrontMatter)
    if document is None:
        return None, problems
    text, body, meta = document.text, document.body, document.meta
    if not body:
        return None, [Problem(Level.ERROR, path, 1, "the article has no body")]
    expansion = expand(body, meta.lang, shared.snippets, shared.fallbacks)
    cited, unknown = resolve(meta.sources, shared.sources, meta.lang)
    problems.extend(
        Problem(Level.ERROR, path, line_of(text, "sources"), f"unknown source id {i}")
        for i in unknown
    )
    problems.extend(
        Problem(Level.ERROR, path, 1, f"missing snippet {i}: no content/snippets/{i}.<lang>.md")
        for i in expansion.missing
    )
    if expansion.stray:
        message = "'{{' or '}}' outside an include: write {{snippet: id}} on a line of its own"
        problems.append(Problem(Level.ERROR, path, 1, message))
    if unknown or expansion.missing or expansion.stray:
        return None, problems
    problems.extend(
        Problem(
            Level.WARNING,
            path,
            1,
            f"snippet {i} has no '{meta.lang}' version: the '{lang}' one is shown",
        )
        for i, lang in expansion.borrowed
    )
    article = Article(
        id=meta.id,
        lang=meta.lang,
        topic=meta.topic,
        audiences=tuple(a.value for a in meta.audiences),
        age_bands=tuple(b.value for b in meta.age_bands),
        title=meta.title,
        summary=meta.summary,
        body=expansion.body,
        written_body=body,
        includes=expansion.includes,
        questions=tuple(meta.questions),
        keywords=tuple(meta.keywords),
        sources=_unique(cited + _snippet_sources(expansion.includes, meta.lang, shared)),
        cited=cited,
        review=meta.review,
        level=meta.review.level_for(_roles(shared, meta.topic)),
        translation_of=meta.translation_of,
        media=tuple(meta.media),
        related=tuple(meta.related),
        path=path,
        hash=source_hash(meta.title, meta.summary, body),
    )
    return article, problems


def _roles(shared: Shared, topic_id: str) -> frozenset[str]:
    topic = shared.topics.get(topic_id)
    return topic.expert_roles if topic else frozenset()


def _snippet_sources(includes: tuple[str, ...], lang: str, shared: Shared) -> tuple[Cited, ...]:
    cited: list[Cited] = []
    for snippet_id in includes:
        for candidate in shared.fallbacks(lang):
            snippet = shared.snippets.get((snippet_id, candidate))
            if snippet is not None:
                cited.extend(snippet.sources)
                break
    return tuple(cited)


def _unique(cited: tuple[Cited, ...]) -> tuple[Cited, ...]:
    seen: dict[tuple[str, str | None], Cited] = {}
    for c in cited:
        seen.setdefault((c.source.id, c.at), c)
    return tuple(seen.values())


def load_tips(path: Path, shared: Shared) -> tuple[list[Tip], list[Problem]]:
    name = TIP_NAME.match(path.name)
    if not name:
        return [], [Problem(Level.ERROR, path, 1, "file name must be <group>.<lang>.yaml")]
    try:
        text = path.read_text(encoding="utf-8")
        raw: Any = yaml.safe_load(text)
        parsed = TipFile.model_validate(raw)
    except UnicodeDecodeError:
        return [], [Problem(Level.ERROR, path, 1, "not UTF-8 text")]
    except yaml.YAMLError as exc:
        return [], [yaml_problem(path, exc)]
    except ValidationError as exc:
        return [], validation_problems(path, text, exc)
    tips: list[Tip] = []
    problems: list[Problem] = []
    for entry in parsed.tips:
        cited, unknown = resolve(entry.sources, shared.sources, name["lang"])
        if unknown:
            problems.extend(
                Problem(
                    Level.ERROR,
                    path,
                    line_of(text, entry.id),
                    f"tip {entry.id}: unknown source id {i} (not in sources.yaml)",
                )
                for i in unknown
            )
            continue
        tips.append(
            Tip(
                id=entry.id,
                lang=name["lang"],
                topic=entry.topic,
                audiences=tuple(a.value for a in entry.audiences),
                age_bands=tuple(b.value for b in entry.age_bands),
                text=entry.text,
                sources=cited,
                review=parsed.review,
                level=parsed.review.level_for(_roles(shared, entry.topic)),
                path=path,
            )
        )
    return tips, problems
