"""``mangnon content review-pack``: every claim of a topic's articles, with its sources, in a sheet
an outside expert marks agree / change / remove, with a comment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bot.core.library import Article, Library
from bot.core.library.model import Snippet
from bot.tools.editorial.claims import Claim, claims_of

SHEET = "Claims"
VERDICTS = ("agree", "change", "remove")
# the columns of the claims sheet; review-import reads them by these names
COLUMNS = (
    ("article", 22),
    ("lang", 6),
    ("claim", 7),
    ("section", 24),
    ("text", 80),
    ("sources", 50),
    ("verdict", 10),
    ("comment", 50),
    ("article hash", 14),
    ("claim key", 14),
)
INSTRUCTIONS = """\
Măng Non — expert review of the topic "{topic}" ({articles} article versions, {claims} claims).

For each claim, choose a verdict in the "verdict" column:
  agree   the claim is correct and safe as written
  change  it needs changing: say how in "comment"
  remove  it should go: say why in "comment"
Claims from a shared snippet say so in "section": the same text appears in every article that
includes it, so a change there changes them all.
Do not edit the claims, the hash or the key columns. Return the file to the Măng Non editors; an
article reaches the "expert" level only when you agree with every one of its claims.
"""


@dataclass(frozen=True)
class Pack:
    path: Path
    articles: int
    claims: int


def topic_articles(library: Library, topic: str, lang: str | None) -> list[Article]:
    return sorted(
        (
            a
            for a in library.articles.values()
            if a.topic == topic and (lang is None or a.lang == lang)
        ),
        key=lambda a: (a.id, a.lang),
    )


def included_snippets(library: Library, article: Article) -> dict[str, Snippet]:
    """The snippets as this article shows them: in its language, else its fallback."""
    found: dict[str, Snippet] = {}
    for snippet_id in article.includes:
        for lang in library.fallbacks(article.lang):
            snippet = library.snippets.get((snippet_id, lang))
            if snippet is not None:
                found[snippet_id] = snippet
                break
    return found


def article_claims(library: Library, article: Article) -> list[Claim]:
    return claims_of(article, included_snippets(library, article))


def _sources(claim: Claim) -> str:
    return "\n".join(
        f"{c.title} — {c.publisher}" + (f" — {c.reference}" if c.reference else "")
        for c in claim.sources
    )


def export_pack(library: Library, topic: str, lang: str | None, out: Path) -> Pack:
    articles = topic_articles(library, topic, lang)
    if not articles:
        raise ValueError(f"no articles on topic {topic!r}" + (f" in {lang!r}" if lang else ""))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([name for name, _width in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for article in articles:
        for claim in article_claims(library, article):
            section = claim.section or "—"
            if claim.snippet is not None:
                section = f"{section} · shared snippet {claim.snippet}"
            sheet.append(
                [
                    article.id,
                    article.lang,
                    claim.number,
                    section,
                    claim.text,
                    _sources(claim),
                    None,
                    None,
                    article.hash,
                    claim.key,
                ]
            )
            count += 1
    for index, (_name, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    verdicts = DataValidation(type="list", formula1=f'"{",".join(VERDICTS)}"', allow_blank=True)
    verdict_column = get_column_letter(column("verdict"))
    verdicts.add(f"{verdict_column}2:{verdict_column}{count + 1}")
    sheet.add_data_validation(verdicts)
    for hidden in ("article hash", "claim key"):
        sheet.column_dimensions[get_column_letter(column(hidden))].hidden = True
    sheet.freeze_panes = "A2"
    about = book.create_sheet("About")
    name = library.topics[topic].name("en") if topic in library.topics else topic
    text = INSTRUCTIONS.format(topic=name, articles=len(articles), claims=count)
    for line in text.splitlines():
        about.append([line])
    about.column_dimensions["A"].width = 100
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return Pack(out, len(articles), count)


def column(name: str) -> int:
    """The 1-based index of a column of the claims sheet."""
    return next(i for i, (n, _w) in enumerate(COLUMNS, start=1) if n == name)
