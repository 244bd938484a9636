"""Every screen's text passes through gettext: in the pseudo-locale, each reply line and button
label is either a catalog string (wrapped in ⟦…⟧) or text from the content library."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from bot.core.library import Library
from bot.core.messages import ButtonKind, Inbound, Reply
from bot.core.services import Services
from bot.tools.translation.pseudo import PSEUDO_CODE, outside_brackets
from tests.i18n.conftest import ChatFactory, add_pseudo, build_services, copy_locales


def content_texts(library: Library) -> list[str]:
    """Every piece of text the content library can put on screen, longest first."""
    texts: set[str] = set()
    for article in library.articles.values():
        texts.update((article.title, article.summary, *(s.title for s in article.sources)))
        texts.update(line.strip() for line in article.body.splitlines())
    for tip in library.tips:
        texts.update((tip.text, *(s.title for s in tip.sources)))
    for pillar in library.pillars:
        texts.update(pillar.names.values())
    for topic in library.topics.values():
        texts.update(topic.names.values())
    return sorted((t for t in texts if t), key=len, reverse=True)


class Screens:
    """Checks that nothing on screen bypassed the catalog."""

    def __init__(self, services: Services) -> None:
        self.content = content_texts(services.content.library)
        self.languages = {lang.label for lang in services.languages}
        self.checked = 0

    def leftover(self, text: str) -> str:
        rest = outside_brackets(text)
        for piece in self.content:
            if piece in rest:
                rest = rest.replace(piece, "")
        return rest

    def check(self, replies: Iterable[Reply]) -> None:
        for reply in replies:
            for line in reply.text.split("\n"):
                self._assert_catalog(line, reply)
            for row in reply.buttons:
                for button in row:
                    if button.kind is ButtonKind.CALLBACK and button.value.startswith("lang:"):
                        assert outside_brackets(button.label) in self.languages
                        continue
                    self._assert_catalog(button.label, reply)

    def _assert_catalog(self, text: str, reply: Reply) -> None:
        self.checked += 1
        rest = self.leftover(text)
        assert not any(ch.isalpha() for ch in rest), (
            f"text that did not pass through gettext: {text!r} (left over: {rest.strip()!r})\n"
            f"in the reply {reply.text[:200]!r}: wrap it in _() and run `mangnon i18n extract`"
        )


@pytest.fixture
def pseudo_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Services:
    locales = copy_locales(tmp_path / "locales")
    add_pseudo(locales)
    services = build_services(locales)
    # the pseudo-locale is never offered to users; here the picker must accept it
    offered = [PSEUDO_CODE, *services.offered_languages()]
    monkeypatch.setattr(services, "offered_languages", lambda: offered)
    return services


async def test_a_childs_screens_all_come_from_the_catalog(
    pseudo_services: Services, make_chat: ChatFactory
) -> None:
    chat = make_chat(pseudo_services)
    chat.locale_hint = PSEUDO_CODE
    screens = Screens(pseudo_services)
    await chat.onboard(PSEUDO_CODE, "child", "11-15")
    await chat.send("hello")  # typed instead of a question
    await chat.send("/help")
    await chat.send("/topics")
    await chat.press("pillar:injury")
    await chat.press("topic:drowning-prevention")
    await chat.press("more:")
    await chat.press("fb:")
    await chat.send("/tip")
    await chat.press("tip")
    await chat.send("what about drowning-prevention and burns")  # a free-text question
    await chat.send("a question nobody has answered")
    await chat.send("!abuse")  # a disclosure: the crisis screen
    await chat.press("case:no")
    await chat.send("!self-harm")
    await chat.press("case:yes")
    await chat.tap("nope:1")  # an expired button
    await chat.send("/nonsense")
    screens.check(chat.seen)
    assert any("⟦" in r.text for r in chat.seen)
    assert screens.checked > 60


async def test_a_parents_screens_all_come_from_the_catalog(
    pseudo_services: Services, make_chat: ChatFactory
) -> None:
    chat = make_chat(pseudo_services)
    chat.locale_hint = PSEUDO_CODE
    screens = Screens(pseudo_services)
    await chat.send("before /start")
    await chat.onboard(PSEUDO_CODE, "parent")
    await chat.send("/start")  # welcome back
    await chat.send("/language")
    await chat.press(f"lang:{PSEUDO_CODE}")
    await chat.tap("menu:ask")
    await chat.send("😀")
    await chat.tap("topic:burns")
    await chat.send("!emergency")
    await chat.send("/stop")
    await chat.send("/forget")
    await chat.press("forget:0")
    await chat.send("/forget")
    await chat.press("forget:1")
    screens.check(chat.seen)


async def test_declining_consent_and_flooding_come_from_the_catalog(
    pseudo_services: Services, make_chat: ChatFactory
) -> None:
    chat = make_chat(pseudo_services)
    chat.locale_hint = PSEUDO_CODE
    screens = Screens(pseudo_services)
    await chat.send("/start")
    await chat.press(f"lang:{PSEUDO_CODE}")
    await chat.press("role:teacher")
    await chat.press("consent:no")
    for n in range(25):  # faster than anyone types: the flood notice
        inbound = Inbound(chat.user, text=f"hi {n}", locale_hint=chat.locale_hint)
        chat.seen.extend(await chat.pipeline.handle(inbound))
    assert any("very fast" in r.text for r in chat.seen)
    screens.check(chat.seen)


def test_the_checker_catches_hard_coded_text(pseudo_services: Services) -> None:
    screens = Screens(pseudo_services)
    with pytest.raises(AssertionError, match="did not pass through gettext"):
        screens.check([Reply("⟦Sources: {sources}⟧\nPlease wait")])
    with pytest.raises(AssertionError, match="did not pass through gettext"):
        screens.check([Reply("Vui lòng chờ")])
    screens.check([Reply("💡 ⟦Another tip⟧ 111")])
