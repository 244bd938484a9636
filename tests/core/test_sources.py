"""content/sources.yaml: cited by id; unknown ids fail, superseded and expired sources warn."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.core.library import Level, Library
from tests.core.content_fixtures import article, content_tree, tips

TODAY = date(2026, 12, 1)


def problems(library: Library, level: Level) -> list[str]:
    return [str(p) for p in library.check(TODAY, languages=("vi",)) if p.level is level]


def test_a_citation_resolves_to_the_source_in_the_article_language(tmp_path: Path) -> None:
    text = article(sources='[erc-2021, {id: new-decree, at: "Điều 5"}]')
    library = Library.load(content_tree(tmp_path, {"first-aid.vi.md": text}))
    cited = library.articles[("first-aid", "vi")].cited
    assert [c.title for c in cited] == ["ERC Guidelines 2021", "Nghị định mới, Điều 5"]
    assert cited[1].publisher == "Chính phủ" and cited[1].reference == "Nghị định số 2/2024/NĐ-CP"
    assert problems(library, Level.ERROR) == []


def test_an_unknown_source_id_is_an_error_and_the_text_is_not_served(tmp_path: Path) -> None:
    library = Library.load(
        content_tree(
            tmp_path,
            {"first-aid.vi.md": article(sources="[erc-2021, who-nowhere]")},
            tip_files={"injury.vi.yaml": tips("Gọi 115.", sources="[nowhere-else]")},
        )
    )
    errors = problems(library, Level.ERROR)
    assert any("first-aid.vi.md" in e and "unknown source id who-nowhere" in e for e in errors)
    assert any("injury.vi.yaml" in e and "unknown source id nowhere-else" in e for e in errors)
    assert library.article("first-aid", "vi", TODAY) is None
    assert library.tips == []


def test_a_superseded_or_expired_source_is_a_warning(tmp_path: Path) -> None:
    library = Library.load(
        content_tree(
            tmp_path,
            {"first-aid.vi.md": article(sources="[old-decree]")},
            tip_files={"injury.vi.yaml": tips("Gọi 115.", sources="[ended-programme]")},
        )
    )
    warnings = problems(library, Level.WARNING)
    assert any(
        "first-aid.vi.md" in w and "cites old-decree, superseded by new-decree" in w
        for w in warnings
    )
    assert any(
        "injury.vi.yaml" in w
        and "ended-programme, which expired on 2025-12-31 (the period ended)" in w
        for w in warnings
    )
    assert problems(library, Level.ERROR) == []
    # still served: a warning asks the editor to update the text, it does not hide it
    assert library.article("first-aid", "vi", TODAY) is not None


def test_sources_yaml_rejects_duplicates_and_unknown_successors(tmp_path: Path) -> None:
    root = content_tree(tmp_path, {"first-aid.vi.md": article()})
    text = (root / "sources.yaml").read_text(encoding="utf-8")
    text = text.replace("superseded_by: new-decree", "superseded_by: newer-decree")
    text += (
        '  - {id: erc-2021, title: "Again", publisher: "ERC", url: "https://cprguidelines.eu"}\n'
    )
    (root / "sources.yaml").write_text(text, encoding="utf-8")
    errors = problems(Library.load(root), Level.ERROR)
    assert any("duplicate source erc-2021" in e for e in errors)
    assert any("superseded_by newer-decree is not a source" in e for e in errors)


def test_the_shipped_sources_have_no_stale_citation() -> None:
    from tests.conftest import ROOT

    library = Library.load(ROOT / "content")
    stale = [
        str(p)
        for p in library.check(date.today())
        if "superseded" in p.message or "expired on" in p.message
    ]
    assert stale == []
    assert {"decree-168-2024", "law-personal-data-2025", "ilcor-costr-2020"} <= set(library.sources)
    assert library.sources["decree-100-2019"].superseded_by == "decree-168-2024"
