"""Read content files into a :class:`Library`. A broken file is reported and skipped."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from pydantic import ValidationError

from bot.core.library.model import Article, Level, Pillar, Problem, Tip, Topic
from bot.core.library.schema import FrontMatter, TipFile, TopicsFile, source_hash

ARTICLE_NAME = re.compile(
    r"^(?P<id>[a-z0-9][a-z0-9-]+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]+)?)\.md$"
)
TIP_NAME = re.compile(r"^(?P<group>[a-z0-9-]+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]+)?)\.ya?ml$")


def _line_of(text: str, key: str) -> int:
    """The line of ``key:`` in a YAML text, for error messages (1 if not found)."""
    match = re.search(rf"^[ \t]*-?[ \t]*{re.escape(key)}[ \t]*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _validation_problems(path: Path, text: str, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        keys = [part for part in reversed(loc) if not part.isdigit()]
        # the innermost key written on a line of its own (``review: {status: x}`` is on "review")
        line = next((n for n in (_line_of(text, k) for k in keys) if n > 1), 1)
        where = ".".join(loc) or "file"
        problems.append(Problem(Level.ERROR, path, line, f"{where}: {err['msg']}"))
    return problems


def _yaml_problem(path: Path, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    return Problem(Level.ERROR, path, line, f"invalid YAML: {getattr(exc, 'problem', exc)}")


def load_topics(path: Path) -> tuple[list[Pillar], dict[str, Topic], list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
        parsed = TopicsFile.model_validate(yaml.safe_load(text))
    except FileNotFoundError:
        return [], {}, [Problem(Level.ERROR, path, 1, "missing taxonomy file")]
    except yaml.YAMLError as exc:
        return [], {}, [_yaml_problem(path, exc)]
    except ValidationError as exc:
        return [], {}, _validation_problems(path, text, exc)
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
                        Level.ERROR, path, _line_of(text, entry.id), f"duplicate topic {entry.id}"
                    )
                )
            topics[entry.id] = Topic(entry.id, pillar.id, dict(entry.name), entry.first_aid)
    return pillars, topics, problems


def load_article(path: Path) -> tuple[Article | None, list[Problem]]:
    name = ARTICLE_NAME.match(path.name)
    if not name:
        return None, [Problem(Level.ERROR, path, 1, "file name must be <id>.<lang>.md")]
    try:
        text = path.read_text(encoding="utf-8")
        post = frontmatter.loads(text)
        meta = FrontMatter.model_validate(post.metadata)
    except UnicodeDecodeError:
        return None, [Problem(Level.ERROR, path, 1, "not UTF-8 text")]
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(path, exc)]
    except ValidationError as exc:
        return None, _validation_problems(path, text, exc)
    problems = []
    if meta.id != name["id"] or meta.lang != name["lang"]:
        problems.append(
            Problem(
                Level.ERROR,
                path,
                _line_of(text, "id"),
                f"id/lang in front matter ({meta.id}, {meta.lang}) must match the file name",
            )
        )
        return None, problems
    body = post.content.strip()
    if not body:
        return None, [Problem(Level.ERROR, path, 1, "the article has no body")]
    article = Article(
        id=meta.id,
        lang=meta.lang,
        topic=meta.topic,
        audiences=tuple(a.value for a in meta.audiences),
        age_bands=tuple(b.value for b in meta.age_bands),
        title=meta.title,
        summary=meta.summary,
        body=body,
        questions=tuple(meta.questions),
        keywords=tuple(meta.keywords),
        sources=tuple(meta.sources),
        review=meta.review,
        translation_of=meta.translation_of,
        media=tuple(meta.media),
        related=tuple(meta.related),
        path=path,
        hash=source_hash(meta.title, meta.summary, body),
    )
    return article, problems


def load_tips(path: Path) -> tuple[list[Tip], list[Problem]]:
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
        return [], [_yaml_problem(path, exc)]
    except ValidationError as exc:
        return [], _validation_problems(path, text, exc)
    tips = [
        Tip(
            id=entry.id,
            lang=name["lang"],
            topic=entry.topic,
            audiences=tuple(a.value for a in entry.audiences),
            age_bands=tuple(b.value for b in entry.age_bands),
            text=entry.text,
            sources=tuple(entry.sources),
            review=parsed.review,
            path=path,
        )
        for entry in parsed.tips
    ]
    return tips, []
