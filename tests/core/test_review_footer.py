"""The served article says who reviewed it, when, and when it is reviewed next."""

from __future__ import annotations

from pathlib import Path

from bot.core.dialog.review_footer import review_line
from bot.core.i18n import Catalogs, use_locale
from bot.core.library import Library
from tests.conftest import ROOT, Chat
from tests.core.content_fixtures import article, content_tree
from tests.core.test_review_levels import DRAFT, EXPERT_MEDICAL


async def test_the_article_and_its_read_more_end_with_the_review_footer(chat: Chat) -> None:
    await chat.onboard()  # English
    await chat.tap("topic:first-aid")
    footer = (
        "Checked by Nhóm biên tập Măng Non (an internal review, not yet by an outside expert) "
        "on November 29, 2026, next review November 29, 2027."
    )
    assert footer in chat.last[0].text
    await chat.press("more:first-aid")
    assert chat.last[-1].text.endswith(footer)


async def test_the_footer_is_translated(chat: Chat) -> None:
    await chat.onboard(lang="vi")
    await chat.tap("topic:first-aid")
    assert "Kiểm tra bởi Nhóm biên tập Măng Non (rà soát nội bộ" in chat.last[0].text
    assert "lần rà soát tiếp theo: 29 tháng 11, 2027" in chat.last[0].text


def test_an_expert_review_names_the_reviewer_role_and_organisation(tmp_path: Path) -> None:
    files = {
        "first-aid.vi.md": article(review=EXPERT_MEDICAL),
        "burns.vi.md": article("burns", topic="burns", review=DRAFT),
    }
    library = Library.load(content_tree(tmp_path, files))
    catalogs = Catalogs.load(ROOT / "locales")
    with use_locale(catalogs, "en"):
        assert review_line(library.articles[("first-aid", "vi")]) == (
            "Reviewed by BS. Lê Văn An (medical expert, Bệnh viện Nhi) on November 30, 2026, "
            "next review November 30, 2027."
        )
        assert review_line(library.articles[("burns", "vi")]) == "Draft: not reviewed yet."
    with use_locale(catalogs, "vi"):
        assert review_line(library.articles[("first-aid", "vi")]).startswith(
            "Thẩm định bởi BS. Lê Văn An (chuyên gia y tế, Bệnh viện Nhi) ngày 30 tháng 11, 2026"
        )
