"""Content status for editors: every article version with its review state and due date."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.library import Library

EXPIRING_DAYS = 60


@dataclass(frozen=True)
class ArticleStatus:
    id: str
    lang: str
    topic: str
    title: str
    status: str  # the review level it earns: draft, internal, expert, retired
    review_due: date | None
    servable: bool
    expiring: bool  # reviewed (internal or expert), and due within EXPIRING_DAYS (or overdue)


def content_status(library: Library, today: date) -> list[ArticleStatus]:
    soon = today + timedelta(days=EXPIRING_DAYS)
    rows = []
    for article in library.articles.values():
        due = article.review.next_review
        reviewed = article.level.value in ("internal", "expert")
        rows.append(
            ArticleStatus(
                id=article.id,
                lang=article.lang,
                topic=article.topic,
                title=article.title,
                status=article.level.value,
                review_due=due,
                servable=article.servable(today),
                expiring=reviewed and due is not None and due <= soon,
            )
        )
    return sorted(rows, key=lambda r: (r.topic, r.id, r.lang))


def expiring(rows: list[ArticleStatus]) -> list[ArticleStatus]:
    """Soonest first: the editors' to-do list."""
    return sorted((r for r in rows if r.expiring), key=lambda r: (r.review_due or date.min, r.id))


def topic_lookup(library: Library) -> Callable[[str], str | None]:
    """Article id → its topic (for reports that count answers by topic)."""
    topics = {article.id: article.topic for article in library.articles.values()}
    return topics.get
