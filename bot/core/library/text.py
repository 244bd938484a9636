"""Small text helpers for content: sentence counting and splitting long bodies."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)")


def sentence_count(text: str) -> int:
    ends = len(_SENTENCE_END.findall(text.strip()))
    return max(1, ends) if text.strip() else 0


def first_paragraphs(body: str, max_chars: int) -> tuple[str, str]:
    """Split a Markdown body at a paragraph boundary: (head ≤ max_chars, rest)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
    head: list[str] = []
    size = 0
    for index, paragraph in enumerate(paragraphs):
        if head and size + len(paragraph) > max_chars:
            return "\n\n".join(head), "\n\n".join(paragraphs[index:])
        head.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(head), ""
