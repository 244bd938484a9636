"""What a campaign looks like to one recipient: their language (else the default, said so), the
library's Markdown, its media, "read more" buttons to articles, and how to stop."""

from __future__ import annotations

from datetime import date

from bot.core.buttons import CampaignArticle, Unsubscribe
from bot.core.campaigns.model import ArticleLink, Campaign, Message
from bot.core.i18n import _, use_locale
from bot.core.messages import Media, MediaKind, Reply
from bot.core.services import Services


def language_for(campaign: Campaign, locale: str, services: Services) -> str:
    """The campaign's language a reader of ``locale`` gets: theirs, else along its fallbacks."""
    default = services.options.default_locale
    for lang in (*services.languages.fallbacks(locale), default):
        if lang in campaign.messages:
            return lang
    return default


def replies_for(
    campaign: Campaign, locale: str | None, services: Services, today: date
) -> tuple[Reply, ...]:
    """The message for a recipient whose language is ``locale`` (None: never chose one)."""
    locale = locale or services.options.default_locale
    lang = language_for(campaign, locale, services)
    message = campaign.messages[lang]
    with use_locale(services.catalogs, locale):
        parts = []
        if lang != locale:
            parts.append(
                _(
                    "This message is not yet available in your language, so here it is in Vietnamese."
                )
            )
        parts.append(message.text.strip())
        parts.append("_" + _("To stop these messages, send /stop.") + "_")
        rows = [
            (CampaignArticle(campaign.id, link.article).button("📖 " + label),)
            for link, label in _labels(message, locale, services, today)
        ]
        rows.append((Unsubscribe().button(_("🔕 Stop these messages")),))
    media = tuple(
        Media(kind, path)
        for kind, path in ((MediaKind.IMAGE, message.image), (MediaKind.AUDIO, message.audio))
        if path
    )
    return (Reply("\n\n".join(parts), buttons=tuple(rows), media=media, markdown=True),)


def _labels(
    message: Message, locale: str, services: Services, today: date
) -> list[tuple[ArticleLink, str]]:
    library = services.content.library
    labels: list[tuple[ArticleLink, str]] = []
    for link in message.buttons:
        if link.label and message.lang == locale:
            labels.append((link, link.label))
            continue
        found = library.article(link.article, locale, today)
        labels.append((link, found.article.title if found else link.label or link.article))
    return labels
