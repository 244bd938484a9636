"""What a search returns: ranked hits, how sure it is, and whether to ask before answering."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SearchHit:
    id: str
    topic: str
    title: str
    lang: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    """``hits``: best first, one per topic, empty when the library has no answer. ``confidence``:
    the first hit's score (0 when there is none). ``clarify``: the topics of the first two hits
    when they are too close to call, so the dialog asks "Did you mean: A · B?"."""

    hits: tuple[SearchHit, ...] = ()
    confidence: float = 0.0
    clarify: tuple[str, ...] | None = None

    @property
    def answered(self) -> bool:
        return bool(self.hits)
