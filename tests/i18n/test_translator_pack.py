"""The translator workflow: export a pack, a translator fills it, import it back as draft.

The 'translator' here writes marked copies of the Vietnamese, never text in the language itself."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import frontmatter
import pytest
from babel.messages.catalog import Catalog

from bot.cli import main
from bot.core.i18n import Catalogs, read_catalog
from bot.core.library import Level, Library
from bot.tools.translation.catalogs import po_path, write_catalog
from bot.tools.translation.keys import parse
from tests.i18n.conftest import CONTENT, copy_locales, marked

ARTICLE = "drowning-prevention"
TODAY = date.today()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    locales = copy_locales(tmp_path / "locales", langs=("vi", "en", "bru"))
    shutil.copytree(CONTENT, tmp_path / "content")
    monkeypatch.setenv("LOCALES_DIR", str(locales))
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path / "content"))
    return tmp_path


def _export(workspace: Path) -> tuple[Catalog, Catalog]:
    out = workspace / "pack"
    assert main(["i18n", "export", "--lang", "bru", "--out", str(out)]) == 0
    assert (out / "README.txt").is_file()
    return read_catalog(out / "bru-interface.po"), read_catalog(out / "bru-content.po")


def _fill(catalog: Catalog, keep: object = lambda message: True) -> None:
    for message in catalog:
        if message.id and keep(message):  # type: ignore[operator]
            message.string = marked("bru", str(message.id))
            message.flags.discard("fuzzy")


def test_the_interface_file_shows_the_vietnamese_beside_each_string(workspace: Path) -> None:
    interface, _content = _export(workspace)
    topics = interface["📚 Topics"]
    assert "Tiếng Việt: 📚 Chủ đề" in topics.auto_comments
    assert interface.locale_identifier == "bru"
    assert sum(1 for m in interface if m.id) == len(Catalogs.load(workspace / "locales").template)


def test_the_content_file_has_titles_summaries_paragraphs_tips_and_source_hashes(
    workspace: Path,
) -> None:
    _interface, content = _export(workspace)
    library = Library.load(workspace / "content")
    source = library.articles[(ARTICLE, "vi")]
    title = next(m for m in content if m.context == f"article|{ARTICLE}|title|{source.hash}")
    assert title.id == source.title
    assert f"English: {library.articles[(ARTICLE, 'en')].title}" in title.auto_comments
    kinds = {key.kind for m in content if (key := parse(m.context))}
    assert kinds == {"article", "tip", "topic", "pillar"}
    body = [m for m in content if (m.context or "").startswith(f"article|{ARTICLE}|body.")]
    written = [p.strip() for p in source.written_body.split("\n\n") if p.strip()]
    # a {{snippet: cpr}} line is not for translators: the snippet is translated once, on its own
    assert "{{snippet: cpr}}" in written
    assert [str(m.id) for m in body] == [p for p in written if not p.startswith("{{snippet:")]


def test_import_writes_drafts_stamped_with_the_source_hash(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _interface, content = _export(workspace)
    _fill(
        content,
        lambda m: (m.context or "").startswith(
            (f"article|{ARTICLE}|", "tip|injury|tip-injury-01", "topic|")
        ),
    )
    path = workspace / "pack" / "bru-content.po"
    write_catalog(path, content)
    assert main(["i18n", "import", str(path)]) == 0
    out = capsys.readouterr().out

    written = workspace / "content" / "articles" / ARTICLE / f"{ARTICLE}.bru.md"
    post = frontmatter.load(written)
    library = Library.load(workspace / "content")
    source = library.articles[(ARTICLE, "vi")]
    assert post["review"] == {"level": "draft"}
    assert post["translation_of"] == {"lang": "vi", "hash": source.hash}
    assert post["title"] == marked("bru", source.title)
    assert library.articles[(ARTICLE, "bru")].body.startswith("«bru:")
    assert "{{snippet: cpr}}" in library.articles[(ARTICLE, "bru")].written_body  # kept in place
    found = library.article(ARTICLE, "bru", TODAY)
    assert (
        found is not None and found.article.lang == "vi" and found.fallback
    )  # drafts are never served
    assert not [p for p in library.check(TODAY) if p.level is Level.ERROR and "bru" in p.path.name]

    tips = workspace / "content" / "tips" / "injury.bru.yaml"
    assert "level: draft" in tips.read_text(encoding="utf-8")
    assert [t.id for t in library.tips if t.lang == "bru"] == ["tip-injury-01"]
    assert "topics.yaml" in out and "«bru:" in out  # topic names are printed for an editor

    assert main(["i18n", "import", str(path)]) == 0  # a second import changes nothing
    assert "0 files written" in capsys.readouterr().out


def test_an_incomplete_article_is_not_written(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _interface, content = _export(workspace)
    _fill(content, lambda m: m.context and m.context.startswith(f"article|{ARTICLE}|title"))
    path = workspace / "pack" / "bru-content.po"
    write_catalog(path, content)
    assert main(["i18n", "import", str(path)]) == 0
    assert not (workspace / "content" / "articles" / ARTICLE / f"{ARTICLE}.bru.md").exists()
    assert f"skipped, incomplete: {ARTICLE}" in capsys.readouterr().out


def test_a_changed_source_makes_the_next_pack_show_the_old_translation_as_fuzzy(
    workspace: Path,
) -> None:
    _interface, content = _export(workspace)
    _fill(content, lambda m: (m.context or "").startswith(f"article|{ARTICLE}|"))
    path = workspace / "pack" / "bru-content.po"
    write_catalog(path, content)
    assert main(["i18n", "import", str(path)]) == 0
    source = workspace / "content" / "articles" / ARTICLE / f"{ARTICLE}.vi.md"
    source.write_text(source.read_text(encoding="utf-8") + "\nMột đoạn mới.\n", encoding="utf-8")
    _interface, again = _export(workspace)
    title = next(m for m in again if (m.context or "").startswith(f"article|{ARTICLE}|title|"))
    assert str(title.string).startswith("«bru:") and title.fuzzy


def test_interface_import_merges_finished_strings_and_refuses_broken_placeholders(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    interface, _content = _export(workspace)
    interface["📚 Topics"].string = marked("bru", "📚 Topics")
    interface["ℹ️ Help"].string = marked("bru", "ℹ️ Help")
    interface["ℹ️ Help"].flags.add("fuzzy")  # not finished: not merged
    interface["Sources: {sources}"].string = "«bru:Sources: {source}»"
    path = workspace / "pack" / "bru-interface.po"
    write_catalog(path, interface)
    assert main(["i18n", "import", str(path)]) == 1  # the broken one is reported
    out = capsys.readouterr().out
    assert "1 new" in out and "rejected" in out and "Sources: {sources}" in out
    merged = read_catalog(po_path(workspace / "locales", "bru"))
    assert merged["📚 Topics"].string == marked("bru", "📚 Topics")
    assert merged["ℹ️ Help"].string == "" and merged["Sources: {sources}"].string == ""
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in po_path(
        workspace / "locales", "bru"
    ).read_text(encoding="utf-8")


def test_status_reports_interface_and_content_coverage(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _interface, content = _export(workspace)
    _fill(content, lambda m: (m.context or "").startswith(f"article|{ARTICLE}|"))
    write_catalog(workspace / "pack" / "c.po", content)
    assert main(["i18n", "import", str(workspace / "pack" / "c.po")]) == 0
    capsys.readouterr()
    assert main(["i18n", "status", "--json"]) == 0
    rows = {row["code"]: row for row in json.loads(capsys.readouterr().out)}
    assert (
        rows["vi"]["interface"] == 1.0
        and rows["vi"]["content"] == 1.0
        and rows["vi"]["picker"] == "offered"
    )
    assert rows["bru"]["interface"] == 0.0 and rows["bru"]["picker"] == "hidden"
    assert rows["bru"]["articles_draft"] == 1 and rows["bru"]["articles_served"] == 0
    assert "qps" not in rows
    assert main(["i18n", "status"]) == 0
    assert "bru" in capsys.readouterr().out


def test_export_refuses_unknown_and_source_languages(workspace: Path) -> None:
    assert main(["i18n", "export", "--lang", "xx"]) == 1
    assert main(["i18n", "export", "--lang", "vi"]) == 1
