"""Reading content files: front matter validated, and YAML and validation errors turned into
problems that name the file and the line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import frontmatter
import yaml
from pydantic import ValidationError

from bot.core.library.model import Level, Problem
from bot.core.library.schema import FrontMatter, SnippetFrontMatter

M = TypeVar("M", FrontMatter, SnippetFrontMatter)  # an article's or a snippet's front matter


def line_of(text: str, key: str) -> int:
    """The line of ``key:`` in a YAML text, for error messages (1 if not found)."""
    match = re.search(rf"^[ \t]*-?[ \t]*{re.escape(key)}[ \t]*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def validation_problems(path: Path, text: str, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        keys = [part for part in reversed(loc) if not part.isdigit()]
        # the innermost key written on a line of its own (``review: {level: x}`` is on "review")
        line = next((n for n in (line_of(text, k) for k in keys) if n > 1), 1)
        where = ".".join(loc) or "file"
        problems.append(Problem(Level.ERROR, path, line, f"{where}: {err['msg']}"))
    return problems


def yaml_problem(path: Path, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    return Problem(Level.ERROR, path, line, f"invalid YAML: {getattr(exc, 'problem', exc)}")


@dataclass(frozen=True)
class Document(Generic[M]):
    """A content file read and checked: its text, its body and its validated front matter."""

    text: str
    body: str
    meta: M


def read_document(
    path: Path, name: re.Pattern[str], schema: type[M]
) -> tuple[Document[M] | None, list[Problem]]:
    """``<id>.<lang>.md`` with front matter valid for ``schema`` whose id and lang match the file
    name; otherwise the problems, each naming the file and the line."""
    named = name.match(path.name)
    if not named:
        return None, [Problem(Level.ERROR, path, 1, "file name must be <id>.<lang>.md")]
    try:
        text = path.read_text(encoding="utf-8")
        post = frontmatter.loads(text)
        meta = schema.model_validate(post.metadata)
    except UnicodeDecodeError:
        return None, [Problem(Level.ERROR, path, 1, "not UTF-8 text")]
    except yaml.YAMLError as exc:
        return None, [yaml_problem(path, exc)]
    except ValidationError as exc:
        return None, validation_problems(path, text, exc)
    if meta.id != named["id"] or meta.lang != named["lang"]:
        message = f"id/lang in front matter ({meta.id}, {meta.lang}) must match the file name"
        return None, [Problem(Level.ERROR, path, line_of(text, "id"), message)]
    return Document(text, post.content.strip(), meta), []
