"""Per-language coverage of the interface and of the content: what ``mangnon i18n status`` shows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from bot.core.i18n import Catalogs
from bot.core.languages import SOURCE_LANG, LanguageRegistry, offered
from bot.core.library import Library
from bot.core.library.schema import ReviewLevel


@dataclass(frozen=True)
class LanguageStatus:
    code: str
    name: str
    has_catalog: bool
    interface_done: int
    interface_total: int
    articles_served: int  # approved versions in this language (stale ones included)
    articles_stale: int  # approved, but translated from an older Vietnamese version
    articles_draft: int  # imported or written, waiting for an editor
    articles_total: int  # approved Vietnamese articles
    tips_served: int
    tips_total: int
    picker: str  # offered | beta | hidden
    to_confirm: tuple[str, ...]

    @property
    def interface(self) -> float:
        return self.interface_done / self.interface_total if self.interface_total else 0.0

    @property
    def content(self) -> float:
        return self.articles_served / self.articles_total if self.articles_total else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "to_confirm": list(self.to_confirm),
            "interface": round(self.interface, 4),
            "content": round(self.content, 4),
        }


def language_status(
    registry: LanguageRegistry,
    catalogs: Catalogs,
    library: Library,
    today: date,
    min_coverage: float,
    beta: bool = False,
    default_locale: str = SOURCE_LANG,
) -> list[LanguageStatus]:
    offers = {
        o.code: o for o in offered(registry, catalogs.coverage, min_coverage, default_locale, beta)
    }
    sources = {a.id: a for a in library.servable(today) if a.lang == SOURCE_LANG}
    source_tips = {
        t.id for t in library.tips if t.lang == SOURCE_LANG and t.servable(today, library.min_level)
    }
    rows = []
    for lang in registry.real:
        versions = [a for a in library.articles.values() if a.lang == lang.code and a.id in sources]
        served = [a for a in versions if library.serves(a, today)]
        stale = [
            a
            for a in served
            if a.translation_of is not None and a.translation_of.hash != sources[a.id].hash
        ]
        tips = {
            t.id
            for t in library.tips
            if t.lang == lang.code and t.servable(today, library.min_level) and t.id in source_tips
        }
        offer = offers.get(lang.code)
        rows.append(
            LanguageStatus(
                code=lang.code,
                name=lang.name_en,
                has_catalog=catalogs.has(lang.code),
                interface_done=len(catalogs.translated(lang.code)),
                interface_total=len(catalogs.template),
                articles_served=len(served),
                articles_stale=len(stale),
                articles_draft=sum(1 for a in versions if a.review.level is ReviewLevel.DRAFT),
                articles_total=len(sources),
                tips_served=len(tips),
                tips_total=len(source_tips),
                picker="hidden" if offer is None else ("beta" if offer.beta else "offered"),
                to_confirm=lang.to_confirm,
            )
        )
    return rows


def table(rows: list[LanguageStatus]) -> str:
    header = ("lang", "name", "interface", "articles", "stale", "draft", "tips", "picker")
    cells = [header]
    for r in rows:
        interface = (
            f"{r.interface_done}/{r.interface_total} {r.interface:.0%}" if r.has_catalog else "none"
        )
        picker = r.picker + (f" (to confirm: {', '.join(r.to_confirm)})" if r.to_confirm else "")
        cells.append(
            (
                r.code,
                r.name,
                interface,
                f"{r.articles_served}/{r.articles_total} {r.content:.0%}",
                str(r.articles_stale),
                str(r.articles_draft),
                f"{r.tips_served}/{r.tips_total}",
                picker,
            )
        )
    widths = [max(len(row[i]) for row in cells) for i in range(len(header) - 1)]
    lines = []
    for row in cells:
        last = len(widths)
        padded = [
            c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]) for i, c in enumerate(row[:last])
        ]
        lines.append("  ".join([*padded, row[-1]]))
    return "\n".join(lines)
