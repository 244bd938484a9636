"""``/topics`` → pillars → topics → article (summary, read more, related, sources, feedback); ``/tip``."""

from __future__ import annotations

from datetime import date

from bot.core.buttons import (
    ArticleButton,
    Feedback,
    Menu,
    MenuChoice,
    NextTip,
    PillarButton,
    ReadMore,
    Subscribe,
    TopicButton,
)
from bot.core.dialog.review_footer import review_line
from bot.core.i18n import _
from bot.core.library import Found, Library
from bot.core.library.model import Article
from bot.core.library.text import first_paragraphs
from bot.core.menus import hotline_row, main_menu, topics_button
from bot.core.messages import Button, Media, MediaKind, Reply
from bot.core.profile import Profile, Role
from bot.core.services import Services
from bot.core.turn import Turn

READ_MORE_CHARS = 3000

AUDIENCE = {
    Role.PARENT: "parents",
    Role.CHILD: "children",
    Role.TEACHER: "teachers",
    Role.OTHER: "parents",
}


def audience_of(profile: Profile) -> str | None:
    return AUDIENCE.get(profile.role) if profile.role else None


def _today(turn: Turn) -> date:
    return turn.now.date()


def show_pillars(turn: Turn, services: Services) -> None:
    library = services.content.library
    rows = tuple(
        (PillarButton(p.id).button(f"{p.icon} {p.name(turn.locale)}".strip()),)
        for p in library.pillars
        if any(library.topic_has_content(t, turn.locale, _today(turn)) for t in p.topics)
    )
    turn.record("topics")
    if not rows:
        turn.say(
            Reply(
                _("The library is being updated. Please try again later."), buttons=(hotline_row(),)
            )
        )
        return
    turn.say(Reply(_("Choose a subject:"), buttons=rows))


def on_pillar(turn: Turn, services: Services, pillar_id: str) -> bool:
    library = services.content.library
    pillar = next((p for p in library.pillars if p.id == pillar_id), None)
    if pillar is None:
        return False
    rows = [
        (TopicButton(t).button(library.topics[t].name(turn.locale)),)
        for t in pillar.topics
        if library.topic_has_content(t, turn.locale, _today(turn))
    ]
    rows.append((Menu(MenuChoice.TOPICS).button(_("⬅️ All subjects")),))
    turn.say(Reply(f"{pillar.icon} {pillar.name(turn.locale)}".strip(), buttons=tuple(rows)))
    return True


def on_topic(turn: Turn, services: Services, topic_id: str) -> bool:
    library = services.content.library
    if topic_id not in library.topics:
        return False
    found = library.for_topic(topic_id, turn.locale, _today(turn), audience_of(turn.profile))
    if not found:
        turn.say(Reply(_("There is no approved article on this topic yet."), buttons=main_menu()))
        return True
    turn.record("topic", subject=topic_id)
    audience = audience_of(turn.profile)
    if len(found) == 1 or (audience is not None and audience in found[0].article.audiences):
        show_article(turn, services, found[0])
        if len(found) > 1:
            rows = tuple((ArticleButton(f.article.id).button(f.article.title),) for f in found[1:])
            turn.say(Reply(_("More on this topic:"), buttons=rows))
        return True
    rows = tuple((ArticleButton(f.article.id).button(f.article.title),) for f in found)
    turn.say(Reply(library.topics[topic_id].name(turn.locale), buttons=rows))
    return True


def _source_line(article: Article) -> str:
    titles = "; ".join(source.title for source in article.sources)
    return _("Sources: {sources}").format(sources=titles) + "\n" + review_line(article)


def _fallback_note() -> str:
    return (
        _("This article is not yet available in your language, so here it is in Vietnamese.")
        + "\n\n"
    )


def _media(article: Article, lang: str) -> tuple[Media, ...]:
    """Recordings in the user's language first: many readers of minority languages listen instead."""
    chosen = [m for m in article.media if m.lang in (None, lang)]
    chosen.sort(key=lambda m: (m.type != "audio", m.lang != lang))
    return tuple(Media(MediaKind(m.type), m.file, m.caption) for m in chosen)


def _article_buttons(
    library: Library, turn: Turn, article: Article, more: bool
) -> tuple[tuple[Button, ...], ...]:
    rows: list[tuple[Button, ...]] = []
    if more:
        rows.append((ReadMore(article.id).button(_("📖 Read more")),))
    for related_id in article.related[:3]:
        related = library.article(related_id, turn.locale, _today(turn))
        if related is not None:
            rows.append((ArticleButton(related_id).button("➡️ " + related.article.title),))
    rows.append(
        (
            Feedback(article.id, True).button(_("👍 Helpful")),
            Feedback(article.id, False).button(_("👎 Not helpful")),
        )
    )
    rows.append((topics_button(),))
    return tuple(rows)


def show_article(turn: Turn, services: Services, found: Found) -> None:
    article = found.article
    note = _fallback_note() if found.fallback else ""
    text = f"{note}**{article.title}**\n\n{article.summary}\n\n{_source_line(article)}"
    library = services.content.library
    turn.record("article", subject=article.id, lang=article.lang)
    turn.say(
        Reply(
            text,
            buttons=_article_buttons(library, turn, article, more=True),
            media=_media(article, turn.locale),
            markdown=True,
        )
    )


def on_article(turn: Turn, services: Services, article_id: str) -> bool:
    found = services.content.library.article(article_id, turn.locale, _today(turn))
    if found is None:
        return False
    show_article(turn, services, found)
    return True


def on_more(turn: Turn, services: Services, article_id: str) -> bool:
    library = services.content.library
    found = library.article(article_id, turn.locale, _today(turn))
    if found is None:
        return False
    article = found.article
    turn.record("read-more", subject=article.id)
    rest = article.body
    while rest:
        head, rest = first_paragraphs(rest, READ_MORE_CHARS)
        if not head:  # one paragraph longer than the limit: the channel adapter splits it
            head, rest = rest, ""
        turn.say(Reply(head, markdown=True))
    last = turn.replies.pop()
    turn.say(
        Reply(
            last.text + "\n\n" + _source_line(article),
            buttons=_article_buttons(library, turn, article, more=False),
            markdown=True,
        )
    )
    return True


async def on_feedback(turn: Turn, services: Services, article_id: str, helpful: bool) -> bool:
    found = services.content.library.article(article_id, turn.locale, _today(turn))
    if found is None:
        return False
    user_id = turn.profile.id if turn.profile.onboarded else None
    await turn.store.feedback.add(article_id, found.article.lang, helpful, turn.now, user_id)
    turn.record("feedback", subject=article_id, helpful="1" if helpful else "0")
    if helpful:
        buttons = main_menu()
        if turn.profile.onboarded and not turn.profile.subscribed:
            buttons = ((Subscribe().button(_("🔔 Get a weekly tip")),), *buttons)
        turn.say(Reply(_("Thank you! I am glad it helped."), buttons=buttons))
    else:
        turn.say(
            Reply(
                _(
                    "Thank you for telling me. Editors will use this to improve the article. You can also type your question in your own words."
                ),
                buttons=main_menu(),
            )
        )
    return True


def show_tip(turn: Turn, services: Services) -> None:
    profile = turn.profile
    age = profile.age_band.value if profile.age_band and profile.is_child else None
    tips = services.content.library.tips_for(turn.locale, _today(turn), audience_of(profile), age)
    if not tips:
        turn.say(Reply(_("There are no tips yet. Please try again later."), buttons=main_menu()))
        return
    tip = tips[profile.memo.tips_shown % len(tips)]
    profile.memo.tips_shown += 1
    turn.record("tip", subject=tip.id)
    sources = "; ".join(source.title for source in tip.sources)
    text = f"💡 {tip.text}\n\n" + _("Sources: {sources}").format(sources=sources)
    buttons = [(NextTip().button(_("💡 Another tip")),)]
    if services.content.library.topic_has_content(tip.topic, turn.locale, _today(turn)):
        buttons.append((TopicButton(tip.topic).button(_("📖 Learn more")),))
    turn.say(Reply(text, buttons=tuple(buttons)))
