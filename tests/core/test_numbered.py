"""Numbered menus: a channel that shows buttons as numbered lines, and the user answers a digit."""

from __future__ import annotations

import pytest

from bot.core.messages import Attachment, ButtonKind, Inbound
from bot.core.numbered import pick
from bot.core.pipeline import Pipeline
from tests.conftest import Chat


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", "a"), (" 2 ", "b"), ("3.", "c"), ("2)", "b"), ("4", None), ("0", None), ("x", None)],
)
def test_a_number_picks_its_choice(text: str, expected: str | None) -> None:
    assert pick(text, ("a", "b", "c")) == expected


def test_long_numbers_are_text_not_choices() -> None:
    assert pick("2026", tuple(str(n) for n in range(3000))) is None


def callbacks(chat: Chat) -> list[str]:
    return [
        b.value
        for r in chat.last
        for row in r.buttons
        for b in row
        if b.kind is ButtonKind.CALLBACK
    ]


async def test_a_digit_answers_the_numbered_menu_once(chat: Chat, pipeline: Pipeline) -> None:
    await chat.send("/start")
    await pipeline.remember_choices(chat.user, tuple(callbacks(chat)))
    choices = callbacks(chat)
    await chat.send(str(choices.index("lang:en") + 1))  # as if the user pressed "English"
    assert "Who are you?" in chat.texts()

    roles = callbacks(chat)
    await pipeline.remember_choices(chat.user, tuple(roles))
    await chat.send("hello")  # not a number: the menu is forgotten
    await chat.send(str(roles.index("role:parent") + 1))  # so a number later is only text
    profile = await pipeline.profile(chat.user)
    assert profile is not None and profile.role is None and profile.memo.choices == ()
    assert "Please choose one of the options below." in chat.texts()


async def test_remembering_choices_never_brings_a_forgotten_user_back(
    chat: Chat, pipeline: Pipeline
) -> None:
    await chat.onboard()
    await chat.send("/forget")
    await chat.press("forget:1")
    await pipeline.remember_choices(chat.user, ("menu:tip",))
    assert await pipeline.profile(chat.user) is None


async def test_a_picture_without_words_gets_a_kind_answer_and_the_hotline(chat: Chat) -> None:
    await chat.onboard()
    replies = await chat._handle(Inbound(chat.user, attachments=(Attachment("image"),)))
    assert "only read text" in replies[0].text
    assert [b.value for row in replies[0].buttons for b in row] == ["111"]
