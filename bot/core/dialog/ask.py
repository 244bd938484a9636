"""Free-text questions: answer from the vetted library, or say honestly that there is no answer."""

from __future__ import annotations

from bot.core.buttons import ArticleButton, TopicButton
from bot.core.dialog.browse import audience_of, show_article
from bot.core.i18n import _
from bot.core.menus import hotline_row, main_menu, topics_button
from bot.core.messages import Reply
from bot.core.ports import UnansweredQuestion
from bot.core.scrub import scrub
from bot.core.search import SearchResult
from bot.core.services import Services
from bot.core.textnorm import words
from bot.core.turn import Turn

OTHER_MATCHES = 2


def prompt(turn: Turn) -> None:
    turn.say(
        Reply(
            _(
                "Type your question in your own words, for example: “how do I keep my child safe near water?”"
            )
        )
    )


async def answer(turn: Turn, services: Services) -> None:
    if not words(turn.text) and turn.inbound.attachments:
        turn.record("attachment", subject=turn.inbound.attachments[0].kind)
        turn.say(
            Reply(
                _("Thank you. I can only read text, so please type your question in words.")
                + "\n"
                + _("If a child is in danger, call 111 at any time: it is free, day and night."),
                buttons=(hotline_row(),),
            )
        )
        return
    if not words(turn.text):
        turn.say(
            Reply(
                _(
                    "I did not find a question in that message. Type a few words, or choose from the menu."
                ),
                buttons=main_menu(),
            )
        )
        return
    index = services.content.index
    result = index.lookup(turn.text, turn.locale, OTHER_MATCHES + 1) if index else SearchResult()
    library = services.content.library
    if result.clarify and all(t in library.topics for t in result.clarify):
        clarify(turn, services, result.clarify)
        return
    hits = result.hits
    found = [f for f in (library.article(h.id, turn.locale, turn.now.date()) for h in hits) if f]
    if not found:
        await turn.store.unanswered.add(
            UnansweredQuestion(at=turn.now, lang=turn.locale, text=scrub(turn.text))
        )
        turn.record("unanswered")
        turn.say(
            Reply(
                _(
                    "I am sorry, I do not have a vetted answer to that yet. I have passed the question to our editors."
                )
                + "\n"
                + _(
                    "You can browse the topics, or call 111 (free, 24/7) to talk to a child-protection counsellor."
                ),
                buttons=((topics_button(),), hotline_row()),
            )
        )
        return
    best = found[0]
    audience = audience_of(turn.profile)
    if audience is not None and audience not in best.article.audiences:
        # the same topic written for this reader (a parent, a child) beats the other version
        versions = library.for_topic(best.article.topic, turn.locale, turn.now.date(), audience)
        if versions and audience in versions[0].article.audiences:
            best = versions[0]
    others = [f for f in found if f.article.id != best.article.id][:OTHER_MATCHES]
    turn.record("answer", subject=best.article.id)
    show_article(turn, services, best)
    if others:
        rows = tuple((ArticleButton(f.article.id).button(f.article.title),) for f in others)
        turn.say(Reply(_("Other articles that may help:"), buttons=rows))


def clarify(turn: Turn, services: Services, topics: tuple[str, ...]) -> None:
    """Two topics are too close to call: ask, one button per topic."""
    names = [services.content.library.topics[t].name(turn.locale) for t in topics]
    turn.record("clarify", subject=" ".join(topics))
    turn.say(
        Reply(
            _("Did you mean: {topics}?").format(topics=" · ".join(names)),
            buttons=tuple(
                (TopicButton(t).button(name),) for t, name in zip(topics, names, strict=True)
            ),
        )
    )
