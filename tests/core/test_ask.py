"""Free text in chat: a vetted answer with alternatives, or an honest 'no answer' — and bad input."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from bot.core.pipeline import Pipeline
from bot.core.ports import StoreFactory
from bot.core.search import SearchHit, SearchResult
from bot.core.services import Content, Services
from bot.storage.database import Database
from bot.storage.models import UnansweredRow
from tests.conftest import Chat, FakeClock


async def test_a_question_gets_the_best_article_and_other_matches(chat: Chat) -> None:
    await chat.onboard("vi")
    await chat.send("lam sao de con khong bi duoi nuoc khi di tam ao")
    assert chat.button("more:drowning-prevention")
    assert chat.button("fb:drowning-prevention:1")


async def test_no_answer_is_honest_offers_topics_and_111_and_is_recorded(
    chat: Chat, database: Database
) -> None:
    await chat.onboard("vi")
    await chat.send("giá vàng hôm nay bao nhiêu, email tôi lan@example.com")
    buttons = [b.value for r in chat.last for row in r.buttons for b in row]
    assert "menu:topics" in buttons and "111" in buttons
    async with database.session() as session:
        row = (await session.execute(select(UnansweredRow))).scalar_one()
    assert "<email>" in row.text and "lan@example.com" not in row.text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀😀😀",
        "\x00\x01\x02\x1b[31m",
        "đuối nước " * 1000,
        "ضصث 你好 đuối nước",
        "\u200b\u200b",
    ],
)
async def test_bad_input_gets_a_kind_reply_and_no_crash(chat: Chat, text: str) -> None:
    await chat.onboard("vi")
    replies = await chat.send(text)
    assert replies, "every message gets an answer"
    assert "wrong" not in chat.texts().lower() and "lỗi" not in chat.texts().lower()


async def test_over_long_input_is_truncated_before_search(chat: Chat) -> None:
    await chat.onboard("vi")
    await chat.send("cách phòng tránh bỏng cho trẻ nhỏ trong bếp " + "x" * 20_000)
    assert chat.button("more:burns")


async def test_an_emergency_gets_115_and_the_matching_first_aid_article(chat: Chat) -> None:
    await chat.onboard("vi")
    await chat.send("bé nhà tôi vừa bị bỏng nước sôi ở tay, phải làm sao")
    buttons = [b.value for r in chat.last for row in r.buttons for b in row]
    assert buttons[0] == "115"
    assert "art:burns" in buttons


class TooCloseToCall:
    """A search that always finds two topics too close to call."""

    def search(self, query: str, lang: str, limit: int = 5) -> list[SearchHit]:
        return list(self.lookup(query, lang, limit).hits)

    def lookup(self, query: str, lang: str, limit: int = 5) -> SearchResult:
        hits = (
            SearchHit("drowning-prevention", "drowning-prevention", "Drowning", lang, 0.45),
            SearchHit("traffic-safety", "traffic-safety", "Roads", lang, 0.4),
        )
        return SearchResult(hits, 0.45, ("drowning-prevention", "traffic-safety"))


async def test_two_close_topics_are_asked_about_with_one_button_each(
    services: Services, stores: StoreFactory, clock: FakeClock
) -> None:
    content = Content(services.content.library, TooCloseToCall())
    chat = Chat(Pipeline(replace(services, content=content), stores, clock=clock))
    await chat.onboard("en")
    await chat.send("teach my kid to swim near the road")
    assert "Did you mean: Preventing drowning · Road safety?" in chat.texts()
    buttons = [b.value for r in chat.last for row in r.buttons for b in row]
    assert buttons == ["topic:drowning-prevention", "topic:traffic-safety"]
    await chat.press("topic:drowning-prevention")
    assert chat.button("art:drowning-prevention")
