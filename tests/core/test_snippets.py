"""Shared snippets: included, expanded, checked; a restated or outdated instruction fails."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.library import Level, Library
from tests.core.content_fixtures import CPR_EN, CPR_VI, article, content_tree, tips

TODAY = date(2026, 12, 1)


def errors(library: Library) -> list[str]:
    return [str(p) for p in library.check(TODAY, languages=("vi",)) if p.level is Level.ERROR]


def test_an_include_is_expanded_and_brings_the_snippet_sources(tmp_path: Path) -> None:
    text = article(sources="[new-decree]")
    library = Library.load(content_tree(tmp_path, {"first-aid.vi.md": text}))
    found = library.article("first-aid", "vi", TODAY)
    assert found is not None
    served = found.article
    assert (
        served.body == "Gọi 115.\n\nÉp tim ngay: mạnh và nhanh vào giữa ngực, 100–120 lần mỗi phút."
    )
    assert "{{snippet: cpr}}" in served.written_body and served.includes == ("cpr",)
    assert [c.source.id for c in served.sources] == ["new-decree", "erc-2021"]
    assert errors(library) == []


def test_a_missing_snippet_is_an_error(tmp_path: Path) -> None:
    text = article(body="Gọi 115.\n\n{{snippet: recovery}}")
    library = Library.load(content_tree(tmp_path, {"first-aid.vi.md": text}))
    assert any("missing snippet recovery" in e for e in errors(library))
    assert library.article("first-aid", "vi", TODAY) is None


def test_an_include_inside_a_sentence_is_an_error(tmp_path: Path) -> None:
    text = article(body="Gọi 115, rồi {{snippet: cpr}} ngay.")
    library = Library.load(content_tree(tmp_path, {"first-aid.vi.md": text}))
    assert any("on a line of its own" in e for e in errors(library))


def test_a_snippet_missing_in_the_language_falls_back_with_a_warning(tmp_path: Path) -> None:
    vi = article()
    en = article(lang="en", body="Call 115.\n\n{{snippet: cpr}}", summary="Call 115.")
    library = Library.load(content_tree(tmp_path, {"first-aid.vi.md": vi, "first-aid.en.md": en}))
    warnings = [p.message for p in library.problems if p.level is Level.WARNING]
    assert "snippet cpr has no 'en' version: the 'vi' one is shown" in warnings
    assert "Ép tim ngay" in library.articles[("first-aid", "en")].body


def test_two_articles_stating_the_same_instruction_differently_fail(tmp_path: Path) -> None:
    """One article includes the CPR snippet; another restates CPR in its own words."""
    includes = article()
    restates = article(
        "burns", topic="burns", body="Nếu trẻ ngừng thở, ép tim 60 lần mỗi phút.", summary="Bỏng."
    )
    library = Library.load(
        content_tree(tmp_path, {"first-aid.vi.md": includes, "burns.vi.md": restates})
    )
    (problem,) = [e for e in errors(library) if "speaks of" in e]
    assert "burns.vi.md" in problem and "'ép tim'" in problem and "{{snippet: cpr}}" in problem


def test_a_summary_that_names_the_subject_needs_the_snippet_in_the_body(tmp_path: Path) -> None:
    text = article("burns", topic="burns", body="Xả nước mát.", summary="Làm hồi sức tim phổi.")
    library = Library.load(content_tree(tmp_path, {"burns.vi.md": text}))
    assert any("speaks of 'hồi sức tim phổi'" in e for e in errors(library))


def test_outdated_wording_fails_anywhere_even_in_a_tip(tmp_path: Path) -> None:
    tip = tips("Trẻ không thở: làm hồi sức tim phổi nếu bạn đã được học.")
    library = Library.load(
        content_tree(tmp_path, {"first-aid.vi.md": article()}, tip_files={"injury.vi.yaml": tip})
    )
    (problem,) = [e for e in errors(library) if "outdated" in e]
    assert "injury.vi.yaml" in problem and "snippet cpr" in problem


def test_a_snippet_translation_goes_stale_and_is_stamped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = content_tree(
        tmp_path,
        {"first-aid.vi.md": article()},
        snippets={"cpr.vi.md": CPR_VI, "cpr.en.md": CPR_EN},
    )
    assert any("cpr.en.md" in w and "stale" in w for w in _warnings(root))
    monkeypatch.setenv("CONTENT_DIR", str(root))
    monkeypatch.chdir(tmp_path)
    assert main(["content", "stamp", "cpr", "en"]) == 0
    assert not any("stale" in w for w in _warnings(root))


def _warnings(root: Path) -> list[str]:
    return [str(p) for p in Library.load(root).check(TODAY, ("vi",)) if p.level is Level.WARNING]


def test_the_shipped_library_gives_cpr_from_one_snippet() -> None:
    from tests.conftest import ROOT

    library = Library.load(ROOT / "content")
    for lang in ("vi", "en"):
        cpr = library.snippets[("cpr", lang)].body
        for article_id in ("first-aid", "drowning-prevention", "choking", "poisoning"):
            served = library.articles[(article_id, lang)]
            assert "cpr" in served.includes and cpr in served.body, (article_id, lang)
    english = library.snippets[("cpr", "en")].body
    assert "if you have learned it" not in english and "115 operator" in english
