"""The ``msgctxt`` of each entry in a content pack: what the text is and which source it came from.

``article|<id>|<field>|<source hash>`` (field: ``title``, ``summary`` or ``body.<n>``, the n-th
paragraph), ``tip|<group>|<id>``, ``topic|<id>``, ``pillar|<id>``. Translation tools keep
``msgctxt`` untouched, so the import knows where each translation goes and which version of the
Vietnamese it translates (stamped as ``translation_of.hash``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BODY = re.compile(r"^body\.(\d+)$")


@dataclass(frozen=True)
class ContentKey:
    kind: str  # article | tip | topic | pillar
    id: str
    field: str = ""  # article: title | summary | body.<n>; tip: its group (file stem)
    hash: str = ""

    @property
    def context(self) -> str:
        if self.kind == "article":
            return f"article|{self.id}|{self.field}|{self.hash}"
        if self.kind == "tip":
            return f"tip|{self.field}|{self.id}"
        return f"{self.kind}|{self.id}"

    @property
    def paragraph(self) -> int | None:
        match = _BODY.match(self.field) if self.kind == "article" else None
        return int(match.group(1)) if match else None


def article_key(article_id: str, field: str, source_hash: str) -> ContentKey:
    return ContentKey("article", article_id, field, source_hash)


def tip_key(group: str, tip_id: str) -> ContentKey:
    return ContentKey("tip", tip_id, group)


def parse(context: str | None) -> ContentKey | None:
    parts = (context or "").split("|")
    if parts[0] == "article" and len(parts) == 4:
        field = parts[2]
        if field in ("title", "summary") or _BODY.match(field):
            return ContentKey("article", parts[1], field, parts[3])
    if parts[0] == "tip" and len(parts) == 3:
        return ContentKey("tip", parts[2], parts[1])
    if parts[0] in ("topic", "pillar") and len(parts) == 2:
        return ContentKey(parts[0], parts[1])
    return None
