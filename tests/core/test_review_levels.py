"""Review levels: draft → internal → expert; MIN_REVIEW_LEVEL decides what is served, and a
high-stakes topic reaches expert only with a reviewer of the right role."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.core.library import Level, Library
from bot.core.library.schema import ReviewLevel
from tests.core.content_fixtures import INTERNAL, article, content_tree, tips

TODAY = date(2026, 12, 1)
EXPERT_MEDICAL = (
    'review: {level: expert, reviewer: "BS. Lê Văn An", role: medical, '
    'organisation: "Bệnh viện Nhi", reviewed_on: 2026-11-30, next_review: 2027-11-30}'
)
EXPERT_LEGAL = EXPERT_MEDICAL.replace("role: medical", "role: legal")
DRAFT = "review: {level: draft}"


def _library(tmp_path: Path, minimum: ReviewLevel) -> Library:
    files = {
        "first-aid.vi.md": article(review=EXPERT_MEDICAL),
        "burns.vi.md": article("burns", topic="burns", review=INTERNAL),
        "burns-kids.vi.md": article("burns-kids", topic="burns", review=DRAFT),
        "wrong-role.vi.md": article("wrong-role", review=EXPERT_LEGAL),
    }
    return Library.load(content_tree(tmp_path, files), min_level=minimum)


@pytest.mark.parametrize(
    ("minimum", "served"),
    [
        (ReviewLevel.DRAFT, {"first-aid", "burns", "burns-kids", "wrong-role"}),
        (ReviewLevel.INTERNAL, {"first-aid", "burns", "wrong-role"}),
        (ReviewLevel.EXPERT, {"first-aid"}),
    ],
)
def test_min_review_level_decides_what_is_served(
    tmp_path: Path, minimum: ReviewLevel, served: set[str]
) -> None:
    library = _library(tmp_path, minimum)
    assert {a.id for a in library.servable(TODAY)} == served
    for article_id in ("first-aid", "burns", "burns-kids", "wrong-role"):
        found = library.article(article_id, "vi", TODAY)
        assert (found is not None) == (article_id in served)


def test_an_expert_review_by_the_wrong_role_counts_as_internal_and_fails_the_check(
    tmp_path: Path,
) -> None:
    library = _library(tmp_path, ReviewLevel.INTERNAL)
    assert library.articles[("wrong-role", "vi")].level is ReviewLevel.INTERNAL
    assert library.articles[("first-aid", "vi")].level is ReviewLevel.EXPERT
    errors = [str(p) for p in library.check(TODAY, ("vi",)) if p.level is Level.ERROR]
    assert any("wrong-role.vi.md" in e and "role is medical, not legal" in e for e in errors)


def test_an_expert_review_on_an_ordinary_topic_may_come_from_any_role(tmp_path: Path) -> None:
    text = article("burns", topic="burns", review=EXPERT_LEGAL)
    library = Library.load(content_tree(tmp_path, {"burns.vi.md": text}))
    assert library.articles[("burns", "vi")].level is ReviewLevel.EXPERT


@pytest.mark.parametrize(
    ("review", "message"),
    [
        ("review: {level: internal}", "needs reviewer, reviewed_on and next_review"),
        (EXPERT_MEDICAL.replace('organisation: "Bệnh viện Nhi", ', ""), "organisation"),
        (EXPERT_MEDICAL.replace("role: medical", "role: doctor"), "review.role"),
    ],
)
def test_a_review_must_name_its_reviewer(tmp_path: Path, review: str, message: str) -> None:
    library = Library.load(content_tree(tmp_path, {"first-aid.vi.md": article(review=review)}))
    assert any(message in p.message for p in library.problems if p.level is Level.ERROR)


def test_expired_reviews_are_not_served_at_any_level(tmp_path: Path) -> None:
    library = _library(tmp_path, ReviewLevel.INTERNAL)
    assert library.article("first-aid", "vi", date(2027, 12, 1)) is None


def test_the_setting_defaults_to_internal_and_refuses_retired() -> None:
    assert Settings(_env_file=None).min_review_level is ReviewLevel.INTERNAL  # type: ignore[call-arg]
    assert (
        Settings(_env_file=None, min_review_level="expert").min_review_level is ReviewLevel.EXPERT
    )  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Settings(_env_file=None, min_review_level="retired")  # type: ignore[call-arg]


def test_the_shipped_library_is_honestly_internal() -> None:
    from tests.conftest import ROOT

    library = Library.load(ROOT / "content")
    assert {a.level for a in library.articles.values()} == {ReviewLevel.INTERNAL}
    assert {t.review.level for t in library.tips} == {ReviewLevel.INTERNAL}
    high_stakes = {t for t, topic in library.topics.items() if topic.expert_roles}
    assert len(high_stakes) == 16 and {"first-aid", "reporting-abuse"} <= high_stakes


def test_a_tip_file_reviewed_by_the_wrong_role_is_not_served_as_expert(tmp_path: Path) -> None:
    tip_file = tips("Gọi 115.").replace(INTERNAL, EXPERT_LEGAL)
    root = content_tree(tmp_path, {}, tip_files={"injury.vi.yaml": tip_file})
    assert Library.load(root).tips_for("vi", TODAY, None, None) != []
    expert_only = Library.load(root, min_level=ReviewLevel.EXPERT)
    assert expert_only.tips_for("vi", TODAY, None, None) == []
    errors = [p.message for p in expert_only.check(TODAY, ("vi",)) if p.level is Level.ERROR]
    assert any("tip tip-01: an expert review of first-aid needs" in e for e in errors)
