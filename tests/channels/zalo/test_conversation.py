"""A whole conversation over Zalo: buttons while Zalo takes them, numbered menus once it does not."""

from __future__ import annotations

import re

from tests.channels.zalo.conftest import StartZalo, Zalo
from tests.fakes import zalo_events as ev
from tests.fakes.zalo_api import BUTTONS_REFUSED

PARENT = "7001234567890123456"


def numbered_lines(text: str) -> dict[int, str]:
    return {int(n): label for n, label in re.findall(r"^(\d+)\. (.+)$", text, re.M)}


async def test_follow_onboard_ask_and_browse_with_buttons(zalo: Zalo) -> None:
    sent = await zalo.push(ev.follow(PARENT))
    assert len(sent) == 1 and "Măng Non" in sent[0].text  # the greeting, in Vietnamese first
    assert {"#lang:vi", "#lang:en"} <= set(sent[0].choices())
    assert {b["type"] for b in sent[0].buttons} == {"oa.query.show"}

    await zalo.press(PARENT, "lang:en")
    await zalo.press(PARENT, "role:parent")
    await zalo.press(PARENT, "commune:")
    sent = await zalo.press(PARENT, "consent:self")
    thanks = next(c for c in sent if "Thank you!" in c.text)
    # the main menu's hotline is a call button (on the "⋯" follow-up past Zalo's 5 buttons)
    assert ["111"] in [c.phones() for c in sent[sent.index(thanks) :]]

    sent = await zalo.say(PARENT, "how do I keep my child safe near water?")
    article = sent[0]
    assert "Sources:" in article.text and "**" not in article.text  # plain text, no Markdown
    assert len(article.buttons) == 5  # Zalo's limit; the rest follow on a "⋯" message
    assert any(c.text == "⋯" and c.buttons for c in sent[1:])

    sent = await zalo.press(PARENT, "more:")  # the whole article, split where Zalo needs it
    assert all(len(c.text) <= 2000 for c in sent)


async def test_refused_buttons_become_a_numbered_menu_answered_with_a_digit(zalo: Zalo) -> None:
    await zalo.onboard(PARENT)
    zalo.fake.refuse_buttons = True

    sent = await zalo.say(PARENT, "/topics")
    refused = [c for c in zalo.fake.calls[zalo.mark :] if c.error]
    assert [c.error for c in refused] == [BUTTONS_REFUSED]  # once: numbered from then on
    (menu,) = sent
    assert menu.buttons == []
    pillars = numbered_lines(menu.text)
    assert len(pillars) >= 3

    number = next(n for n, label in pillars.items() if "njur" in label)  # "Injury prevention"
    sent = await zalo.say(PARENT, str(number))
    assert all(not c.error for c in zalo.fake.calls[zalo.mark :])  # no more refusals
    (menu,) = sent  # more choices than Zalo's 5 buttons: one menu all the same
    topics = numbered_lines(menu.text)
    assert sorted(topics) == list(range(1, len(topics) + 1)) and len(topics) > 5
    assert menu.buttons == []

    number = next(n for n, label in topics.items() if "rown" in label)  # drowning
    sent = await zalo.say(PARENT, f"{number}.")
    assert "Sources:" in sent[0].text  # the article: the digit picked the button
    assert "☎️" not in sent[0].text  # an article's menu has no phone numbers
    assert numbered_lines(sent[-1].text)  # …and its own numbered menu


async def test_buttons_off_numbers_every_menu_from_the_start(start_zalo: StartZalo) -> None:
    harness = await start_zalo(buttons="off")
    (greeting,) = await harness.push(ev.follow(PARENT))
    choices = numbered_lines(greeting.text)
    assert greeting.buttons == [] and "English (Tiếng Anh)" in choices.values()
    english = next(n for n, label in choices.items() if label.startswith("English"))
    sent = await harness.say(PARENT, str(english))
    assert "Who are you?" in sent[0].text
