"""An article as a reviewer checks it: one claim per summary, paragraph or list item, each with
the section it is in and the sources behind it (a shared snippet brings its own)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from bot.core.library.model import Article, Cited, Snippet
from bot.core.library.snippets import INCLUDE

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_ITEM = re.compile(r"^(?:[-*]|\d+\.)\s+")
_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+)$")


@dataclass(frozen=True)
class Claim:
    number: int
    section: str
    text: str
    sources: tuple[Cited, ...]
    snippet: str | None  # the shared snippet it comes from: a change there reaches every article

    @property
    def key(self) -> str:
        """Identifies the claim's wording: a claim edited after the pack was made is not signed."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:12]


def _items(paragraph: str) -> list[str]:
    """A list paragraph is one claim per item (continuation lines joined); else one claim."""
    lines = paragraph.strip().splitlines()
    if not _ITEM.match(lines[0]):
        return [" ".join(line.strip() for line in lines)]
    items: list[list[str]] = []
    for line in lines:
        if _ITEM.match(line) or not items:
            items.append([line.strip()])
        else:
            items[-1].append(line.strip())
    return [" ".join(item) for item in items]


def claims_of(article: Article, snippets: dict[str, Snippet]) -> list[Claim]:
    """``snippets``: the included snippets by id, in the language the article shows them."""
    claims: list[Claim] = []

    def add(section: str, text: str, cited: tuple[Cited, ...], snippet: str | None) -> None:
        claims.append(Claim(len(claims) + 1, section, text, cited, snippet))

    add("summary", " ".join(article.summary.split()), article.cited, None)
    section = ""
    for paragraph in _PARAGRAPH_BREAK.split(article.written_body.strip()):
        include = INCLUDE.fullmatch(paragraph.strip())
        if include is not None:
            snippet = snippets[include["id"]]
            for part in _PARAGRAPH_BREAK.split(snippet.body):
                for item in _items(part):
                    add(section, item, snippet.sources, snippet.id)
            continue
        lines = paragraph.strip().splitlines()
        while lines and (heading := _HEADING.match(lines[0].strip())) is not None:
            section = heading["title"].strip()
            lines = lines[1:]
        if lines:
            for item in _items("\n".join(lines)):
                add(section, item, article.cited, None)
    return claims
