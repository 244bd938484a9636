"""Shared snippets: an instruction many articles give (CPR, the recovery position, calling 115…)
lives once per language in ``content/snippets/<id>.<lang>.md``; an article includes it with a line
of its own, ``{{snippet: cpr}}``, and the loader puts the text there."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from bot.core.library.model import Level, Problem, Snippet
from bot.core.library.parsing import line_of, read_document
from bot.core.library.schema import SnippetFrontMatter, SourceEntry, source_hash
from bot.core.library.sources import resolve

SNIPPET_NAME = re.compile(
    r"^(?P<id>[a-z0-9][a-z0-9-]+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]+)?)\.md$"
)
INCLUDE = re.compile(
    r"^[ \t]*\{\{[ \t]*snippet:[ \t]*(?P<id>[^\s}]+)[ \t]*\}\}[ \t]*$", re.MULTILINE
)
BRACES = re.compile(r"\{\{|\}\}")

Snippets = dict[tuple[str, str], Snippet]


def load_snippet(
    path: Path, sources: dict[str, SourceEntry]
) -> tuple[Snippet | None, list[Problem]]:
    document, problems = read_document(path, SNIPPET_NAME, SnippetFrontMatter)
    if document is None:
        return None, problems
    text, body, meta = document.text, document.body, document.meta
    if not body or BRACES.search(body):
        message = "a snippet needs a body, and cannot include another snippet"
        return None, [Problem(Level.ERROR, path, 1, message)]
    cited, unknown = resolve(meta.sources, sources, meta.lang)
    if unknown:
        line = line_of(text, "sources")
        return None, [
            Problem(Level.ERROR, path, line, f"unknown source id {i} (not in sources.yaml)")
            for i in unknown
        ]
    snippet = Snippet(
        id=meta.id,
        lang=meta.lang,
        title=meta.title,
        body=body,
        sources=cited,
        markers=tuple(meta.markers),
        outdated=tuple(meta.outdated),
        translation_of=meta.translation_of,
        path=path,
        hash=source_hash(meta.title, "", body),
    )
    return snippet, []


@dataclass
class Expansion:
    body: str
    includes: tuple[str, ...] = ()
    missing: list[str] = field(default_factory=list)  # no such snippet in any language
    borrowed: list[tuple[str, str]] = field(default_factory=list)  # (id, lang) from a fallback
    stray: bool = False  # "{{" or "}}" outside an include line


def expand(
    body: str, lang: str, snippets: Snippets, fallbacks: Callable[[str], tuple[str, ...]]
) -> Expansion:
    """Put each included snippet's text in place of its ``{{snippet: id}}`` line."""
    result = Expansion(body="")
    includes: list[str] = []

    def insert(match: re.Match[str]) -> str:
        snippet_id = match["id"]
        includes.append(snippet_id)
        for candidate in fallbacks(lang):
            snippet = snippets.get((snippet_id, candidate))
            if snippet is not None:
                if candidate != lang:
                    result.borrowed.append((snippet_id, candidate))
                return snippet.body
        result.missing.append(snippet_id)
        return ""

    result.body = INCLUDE.sub(insert, body).strip()
    result.includes = tuple(includes)
    result.stray = bool(BRACES.search(INCLUDE.sub("", body)))
    return result


def is_include(paragraph: str) -> bool:
    return INCLUDE.fullmatch(paragraph.strip()) is not None


def without_includes(body: str) -> str:
    return INCLUDE.sub("", body)


def _fold(text: str) -> str:
    """Compare phrases as a reader would: any case, any line break or run of spaces."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@lru_cache(maxsize=512)
def _phrase(phrase: str) -> re.Pattern[str]:
    # a phrase starts at a word boundary; its end may run on ("compression" finds "compressions")
    return re.compile(r"(?<!\w)" + re.escape(_fold(phrase)))


def first_mention(text: str, phrases: Iterable[str]) -> str | None:
    folded = _fold(text)
    return next((p for p in phrases if _phrase(p).search(folded)), None)
