"""The expert review round trip: export a topic's claims → mark them in the sheet → import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import frontmatter
import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.core.library import Library
from bot.core.library.schema import ReviewLevel
from bot.tools.editorial.review_pack import COLUMNS, SHEET
from tests.core.content_fixtures import article, content_tree

BODY = "## Khi trẻ ngừng thở\n\nGọi 115.\n\n{{snippet: cpr}}\n\n- Ở bên trẻ.\n- Theo dõi nhịp thở."


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = content_tree(tmp_path / "content", {"first-aid.vi.md": article(body=BODY)})
    monkeypatch.setenv("CONTENT_DIR", str(root))
    monkeypatch.chdir(tmp_path)
    return root


def export(tmp_path: Path) -> Path:
    out = tmp_path / "pack.xlsx"
    assert main(["content", "review-pack", "--topic", "first-aid", "--out", str(out)]) == 0
    return out


def mark(pack: Path, verdicts: dict[int, tuple[str, str]], default: str = "agree") -> None:
    """Mark claims as a reviewer would in Excel: claim number → (verdict, comment)."""
    book = load_workbook(pack)
    sheet = book[SHEET]
    names = [name for name, _w in COLUMNS]
    for row in sheet.iter_rows(min_row=2):
        claim = int(row[names.index("claim")].value)  # type: ignore[arg-type]
        verdict, comment = verdicts.get(claim, (default, ""))
        row[names.index("verdict")].value = verdict
        row[names.index("comment")].value = comment or None
    book.save(pack)


def review_of(content: Path) -> dict[str, object]:
    post = frontmatter.load(content / "articles" / "first-aid" / "first-aid.vi.md")
    review = post["review"]
    assert isinstance(review, dict)
    return review


def test_the_pack_has_every_claim_with_its_sources(content: Path, tmp_path: Path) -> None:
    rows = list(load_workbook(export(tmp_path))[SHEET].iter_rows(values_only=True))
    assert rows[0][: len(COLUMNS)] == tuple(name for name, _w in COLUMNS)
    claims = [(r[3], r[4]) for r in rows[1:]]
    assert claims == [
        ("summary", "Gọi 115 và sơ cứu."),
        ("Khi trẻ ngừng thở", "Gọi 115."),
        (
            "Khi trẻ ngừng thở · shared snippet cpr",
            "Ép tim ngay: mạnh và nhanh vào giữa ngực, 100–120 lần mỗi phút.",
        ),
        ("Khi trẻ ngừng thở", "- Ở bên trẻ."),
        ("Khi trẻ ngừng thở", "- Theo dõi nhịp thở."),
    ]
    assert all(
        "ERC Guidelines 2021 — European Resuscitation Council" in str(r[5]) for r in rows[1:]
    )


def test_every_claim_agreed_by_a_medical_expert_raises_the_article_to_expert(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = export(tmp_path)
    mark(pack, {})
    args = ["--reviewer", "BS. Lê Văn An", "--role", "medical", "--organisation", "Bệnh viện Nhi"]
    assert main(["content", "review-import", str(pack), *args, "--date", "2026-12-02"]) == 0
    assert "expert: " in capsys.readouterr().out
    assert review_of(content) == {
        "level": "expert",
        "reviewer": "BS. Lê Văn An",
        "role": "medical",
        "organisation": "Bệnh viện Nhi",
        "reviewed_on": date(2026, 12, 2),
        "next_review": date(2027, 12, 2),
    }
    library = Library.load(content, min_level=ReviewLevel.EXPERT)
    assert library.article("first-aid", "vi", date(2026, 12, 3)) is not None
    assert "{{snippet: cpr}}" in library.articles[("first-aid", "vi")].written_body  # body intact


def test_requested_changes_are_listed_and_the_level_stays(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = export(tmp_path)
    mark(pack, {3: ("change", "Trẻ dưới 1 tuổi: ép bằng hai ngón tay."), 5: ("", "")})
    args = ["--reviewer", "BS. An", "--role", "medical", "--organisation", "Bệnh viện Nhi"]
    assert main(["content", "review-import", str(pack), *args]) == 0
    out = capsys.readouterr().out
    assert (
        "level unchanged: first-aid (vi): of 5 claims, 1 with requested changes, 1 not marked"
        in out
    )
    assert "first-aid (vi) claim 3 [change]: Ép tim ngay" in out
    assert "— Trẻ dưới 1 tuổi: ép bằng hai ngón tay." in out
    assert review_of(content)["level"] == "internal"


def test_a_reviewer_of_the_wrong_role_cannot_sign_off_a_high_stakes_topic(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = export(tmp_path)
    mark(pack, {})
    args = ["--reviewer", "LS. Trần Bình", "--role", "legal", "--organisation", "Đoàn Luật sư"]
    assert main(["content", "review-import", str(pack), *args]) == 0
    assert "signed off by a medical reviewer, not legal" in capsys.readouterr().out
    assert review_of(content)["level"] == "internal"


def test_an_article_changed_after_the_export_is_not_signed(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = export(tmp_path)
    mark(pack, {})
    snippet = content / "snippets" / "cpr.vi.md"  # a shared snippet changes every article with it
    snippet.write_text(snippet.read_text().replace("100–120", "80"), encoding="utf-8")
    args = ["--reviewer", "BS. An", "--role", "medical", "--organisation", "Bệnh viện Nhi"]
    assert main(["content", "review-import", str(pack), *args]) == 0
    assert "changed since the pack was made" in capsys.readouterr().out
    assert review_of(content)["level"] == "internal"
