"""The content library: schema errors, staleness, expiry, fallback and the real library's health."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.library import Level, Library
from bot.core.library.schema import source_hash
from tests.conftest import ROOT

TODAY = date(2026, 12, 1)
TOPICS = """
pillars:
  - id: injury
    name: {vi: "Thương tích", en: "Injuries"}
    topics:
      - id: burns
        name: {vi: "Bỏng", en: "Burns"}
        expert_roles: [medical]
"""
SOURCES = """
sources:
  - id: who-burns
    title: "WHO Burns"
    publisher: "WHO"
    url: "https://www.who.int/news-room/fact-sheets/detail/burns"
"""


def article(
    article_id: str = "burns",
    lang: str = "vi",
    *,
    level: str = "internal",
    due: str = "2027-12-01",
    extra: str = "",
    summary: str = "Làm mát vết bỏng bằng nước sạch.",
    body: str = "Xả nước mát 20 phút.",
    sources: str = "[who-burns]",
) -> str:
    lines = [
        "---",
        f"id: {article_id}",
        f"lang: {lang}",
        "topic: burns",
        "audiences: [parents]",
        "age_bands: [all]",
        f'title: "Bỏng {lang}"',
        f'summary: "{summary}"',
        'questions: ["bé bị bỏng phải làm sao"]',
        "keywords: [bỏng]",
        f"sources: {sources}",
        f'review: {{level: {level}, reviewer: "Nhóm biên tập Măng Non", '
        f"reviewed_on: 2026-11-29, next_review: {due}}}",
        extra,
        "---",
        body,
        "",
    ]
    return "\n".join(lines)


def write(root: Path, files: dict[str, str]) -> Path:
    (root / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    for name, text in files.items():
        path = root / "articles" / "burns" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def messages(library: Library, level: Level) -> list[str]:
    return [p.message for p in library.check(TODAY, languages=("vi", "en")) if p.level is level]


def test_a_valid_article_is_served(tmp_path: Path) -> None:
    library = Library.load(write(tmp_path, {"burns.vi.md": article()}))
    found = library.article("burns", "vi", TODAY)
    assert found is not None and not found.fallback
    assert messages(library, Level.ERROR) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (article(sources="[]"), "sources"),
        (article(sources="[who-burns, no-such-source]"), "unknown source id no-such-source"),
        (article(level="published"), "review.level"),
        (article(summary="Một. Hai. Ba. Bốn."), "at most 3 sentences"),
        (article(lang="en"), "must match the file name"),
        ("---\nid: [unclosed\n---\nbody", "invalid YAML"),
        (article(extra="colour: green"), "colour"),
        (article(body=""), "no body"),
    ],
)
def test_schema_errors_name_file_and_problem_and_skip_only_that_file(
    tmp_path: Path, text: str, expected: str
) -> None:
    library = Library.load(write(tmp_path, {"burns.vi.md": text, "other.vi.md": article("other")}))
    errors = [p for p in library.check(TODAY) if p.level is Level.ERROR]
    assert any(expected in p.message and p.path.name == "burns.vi.md" for p in errors), errors
    assert all(p.line >= 1 for p in errors)
    assert library.article("other", "vi", TODAY) is not None  # the rest still serves
    assert library.article("burns", "vi", TODAY) is None


def test_error_line_points_at_the_bad_key(tmp_path: Path) -> None:
    library = Library.load(write(tmp_path, {"burns.vi.md": article(level="published")}))
    (problem,) = [p for p in library.problems if "review" in p.message]
    lines = (tmp_path / "articles/burns/burns.vi.md").read_text().splitlines()
    assert lines[problem.line - 1].startswith("review:")


def test_unknown_topic_duplicate_and_dangling_related_are_errors(tmp_path: Path) -> None:
    files = {
        "burns.vi.md": article(
            extra="related: [nowhere]\nmedia: [{type: audio, file: media/vi/x.ogg}]"
        ),
        "copy.vi.md": article("burns").replace("topic: burns", "topic: burns"),
        "bad-topic.vi.md": article("bad-topic").replace("topic: burns", "topic: volcanoes"),
    }
    library = Library.load(write(tmp_path, files))
    errors = " | ".join(messages(library, Level.ERROR))
    assert "related id nowhere does not exist" in errors
    assert "media file media/vi/x.ogg does not exist" in errors
    assert "must match the file name" in errors  # copy.vi.md says id: burns
    assert "unknown topic volcanoes" in errors


def test_expired_and_draft_articles_are_not_served(tmp_path: Path) -> None:
    files = {
        "burns.vi.md": article(due="2026-11-30"),
        "draft.vi.md": article("draft", level="draft"),
    }
    library = Library.load(write(tmp_path, files))
    assert library.article("burns", "vi", TODAY) is None
    assert library.article("burns", "vi", date(2026, 11, 30)) is not None
    assert library.article("draft", "vi", TODAY) is None
    assert any("review expired" in m for m in messages(library, Level.WARNING))


def test_translation_goes_stale_when_the_source_changes(tmp_path: Path) -> None:
    source = article()
    current = source_hash("Bỏng vi", "Làm mát vết bỏng bằng nước sạch.", "Xả nước mát 20 phút.")
    translation = article(lang="en", extra=f'translation_of: {{lang: vi, hash: "{current}"}}')
    root = write(tmp_path, {"burns.vi.md": source, "burns.en.md": translation})
    assert not any("stale" in m for m in messages(Library.load(root), Level.WARNING))

    write(
        tmp_path,
        {"burns.vi.md": article(body="Xả nước mát ít nhất 20 phút, không bôi kem đánh răng.")},
    )
    stale = [m for m in messages(Library.load(root), Level.WARNING) if "stale" in m]
    assert stale and "mangnon content stamp burns en" in stale[0]


def test_missing_translation_is_a_warning_and_falls_back_to_vietnamese(tmp_path: Path) -> None:
    library = Library.load(write(tmp_path, {"burns.vi.md": article()}))
    assert any("missing translation 'en'" in m for m in messages(library, Level.WARNING))
    found = library.article("burns", "en", TODAY)
    assert found is not None and found.fallback and found.article.lang == "vi"


def test_content_stamp_refreshes_the_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write(
        tmp_path,
        {
            "burns.vi.md": article(),
            "burns.en.md": article(lang="en", extra='translation_of: {lang: vi, hash: ""}'),
        },
    )
    monkeypatch.setenv("CONTENT_DIR", str(root))
    monkeypatch.chdir(tmp_path)
    assert any("stale" in m for m in messages(Library.load(root), Level.WARNING))
    assert main(["content", "stamp", "burns", "en"]) == 0
    assert not any("stale" in m for m in messages(Library.load(root), Level.WARNING))


def test_content_check_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write(tmp_path, {"burns.vi.md": article(sources="[]")})
    monkeypatch.setenv("CONTENT_DIR", str(root))
    monkeypatch.chdir(tmp_path)
    assert main(["content", "check"]) == 1
    out = capsys.readouterr().out
    assert "burns.vi.md:" in out and "error" in out


def test_the_real_library_has_every_topic_in_vi_and_en() -> None:
    library = Library.load(ROOT / "content")
    assert [p for p in library.check(date.today()) if p.level is Level.ERROR] == []
    for topic in library.topics:
        for lang in ("vi", "en"):
            assert library.for_topic(topic, lang, date.today()), (
                f"{topic} has no approved {lang} article"
            )
            assert not library.for_topic(topic, lang, date.today())[0].fallback, (
                f"{topic}: {lang} falls back"
            )
    assert len({t.id for t in library.tips}) >= 60
    for article_ in library.articles.values():
        assert article_.sources, article_.path
