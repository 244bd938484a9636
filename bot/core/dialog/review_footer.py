"""The article footer that says who reviewed it, when, and when it is reviewed again."""

from __future__ import annotations

from bot.core.formatting import format_date
from bot.core.i18n import _
from bot.core.library.model import Article
from bot.core.library.schema import ReviewerRole, ReviewLevel


def _role(role: ReviewerRole) -> str:
    labels = {
        ReviewerRole.MEDICAL: _("medical expert"),
        ReviewerRole.LEGAL: _("legal expert"),
        ReviewerRole.CHILD_PROTECTION: _("child-protection expert"),
        ReviewerRole.LANGUAGE: _("language reviewer"),
    }
    return labels[role]


def review_line(article: Article) -> str:
    """“Reviewed by … on …, next review …”, in the user's language; an internal review says so."""
    review = article.review
    if review.reviewer is None or review.reviewed_on is None or review.next_review is None:
        return _("Draft: not reviewed yet.")
    dates = {"date": format_date(review.reviewed_on), "next": format_date(review.next_review)}
    if article.level is ReviewLevel.EXPERT and review.role is not None:
        who = f"{review.reviewer} ({_role(review.role)}, {review.organisation})"
        return _("Reviewed by {who} on {date}, next review {next}.").format(who=who, **dates)
    return _(
        "Checked by {who} (an internal review, not yet by an outside expert) on {date}, next review {next}."
    ).format(who=review.reviewer, **dates)
