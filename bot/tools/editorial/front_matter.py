"""Rewrite the ``review:`` block of an article's front matter, leaving the rest of the file as
the editor wrote it."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.core.library.schema import Review

_REVIEW = re.compile(r"^review:[^\n]*\n(?:[ \t]+[^\n]*\n)*", re.MULTILINE)


def review_block(review: Review) -> str:
    fields = review.model_dump(mode="python", exclude_none=True)
    fields["level"] = review.level.value
    if review.role is not None:
        fields["role"] = review.role.value
    return yaml.safe_dump({"review": fields}, allow_unicode=True, sort_keys=False, width=100)


def set_review(path: Path, review: Review) -> None:
    text = path.read_text(encoding="utf-8")
    end = text.find("\n---", 3)  # the front matter ends at the second "---"
    updated, count = _REVIEW.subn(lambda _m: review_block(review), text[: end + 1], count=1)
    if not count:
        raise ValueError(f"{path}: no review block in the front matter")
    path.write_text(updated + text[end + 1 :], encoding="utf-8")
