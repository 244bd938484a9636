"""``mangnon content review-import``: apply an expert's marked review pack.

An article version reaches ``expert`` only when the reviewer agreed with every one of its claims,
its text has not changed since the pack was made, and the reviewer's role fits the topic (a
high-stakes topic names the roles that may sign it off in ``topics.yaml``). Anything else leaves
the level as it is and lists what the editor must do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from openpyxl import load_workbook

from bot.core.library import Library
from bot.core.library.schema import Review, ReviewerRole, ReviewLevel
from bot.tools.editorial.front_matter import set_review
from bot.tools.editorial.review_pack import COLUMNS, SHEET, VERDICTS, article_claims

REVIEW_INTERVAL = timedelta(days=365)  # an expert review is due again a year later


@dataclass(frozen=True)
class Reviewer:
    name: str
    role: ReviewerRole
    organisation: str | None = None


@dataclass(frozen=True)
class Mark:
    claim: int
    text: str
    verdict: str  # agree | change | remove | "" (not marked)
    comment: str
    key: str


@dataclass(frozen=True)
class Request:
    """A change the reviewer asked for, for the editor."""

    article: str
    lang: str
    claim: int
    verdict: str
    text: str
    comment: str


@dataclass
class ImportReport:
    signed: list[Path] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    held: dict[str, str] = field(default_factory=dict)  # "id (lang)" → why the level stays


def read_marks(path: Path) -> dict[tuple[str, str, str], list[Mark]]:
    """The marked rows, by (article id, lang, the article's hash when the pack was made)."""
    book = load_workbook(path, read_only=True)
    sheet = book[SHEET]
    rows = sheet.iter_rows(values_only=True)
    header = [str(v) for v in next(rows)]
    missing = [name for name, _w in COLUMNS if name not in header]
    if missing:
        raise ValueError(f"{path}: not a review pack (no column {', '.join(missing)})")
    at = {name: header.index(name) for name, _w in COLUMNS}
    marks: dict[tuple[str, str, str], list[Mark]] = defaultdict(list)
    for row in rows:
        if row[at["article"]] is None:
            continue

        def value(name: str, row: tuple[object, ...] = row) -> str:
            cell = row[at[name]]
            return "" if cell is None else str(cell).strip()

        verdict = value("verdict").lower()
        if verdict and verdict not in VERDICTS:
            raise ValueError(f"{path}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
        key = (value("article"), value("lang"), value("article hash"))
        mark = Mark(
            int(value("claim")), value("text"), verdict, value("comment"), value("claim key")
        )
        marks[key].append(mark)
    book.close()
    return marks


def import_review(library: Library, path: Path, reviewer: Reviewer, today: date) -> ImportReport:
    report = ImportReport()
    for (article_id, lang, pack_hash), marks in read_marks(path).items():
        name = f"{article_id} ({lang})"
        article = library.articles.get((article_id, lang))
        if article is None:
            report.held[name] = "no such article version in the library"
            continue
        report.requests.extend(
            Request(article_id, lang, m.claim, m.verdict, m.text, m.comment)
            for m in marks
            if m.verdict in ("change", "remove")
        )
        claims = {c.key for c in article_claims(library, article)}
        topic = library.topics.get(article.topic)
        roles = topic.expert_roles if topic else frozenset()
        unmarked = sum(1 for m in marks if not m.verdict)
        if article.hash != pack_hash or {m.key for m in marks} != claims:
            report.held[name] = "the article changed since the pack was made: export a new pack"
        elif any(m.verdict != "agree" for m in marks):
            asked = sum(1 for m in marks if m.verdict in ("change", "remove"))
            report.held[name] = (
                f"of {len(marks)} claims, {asked} with requested changes, {unmarked} not marked"
            )
        elif roles and reviewer.role.value not in roles:
            report.held[name] = (
                f"{article.topic} is signed off by a {' or '.join(sorted(roles))} reviewer, "
                f"not {reviewer.role.value}"
            )
        elif not reviewer.organisation:
            report.held[name] = (
                "an expert review names the reviewer's organisation (--organisation)"
            )
        else:
            review = Review(
                level=ReviewLevel.EXPERT,
                reviewer=reviewer.name,
                role=reviewer.role,
                organisation=reviewer.organisation,
                reviewed_on=today,
                next_review=today + REVIEW_INTERVAL,
            )
            set_review(article.path, review)
            report.signed.append(article.path)
    return report
