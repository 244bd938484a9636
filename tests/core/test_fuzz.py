"""A property-based fuzz of the pipeline (issue #18): whatever a user types or whatever button
data a channel hands in — lone surrogates, control characters, NULs, huge or empty text, forged
buttons — every message is answered without an unhandled exception, and the batched writer never
gets stuck (everything it holds lands; nothing is refused).

Bounded and derandomized so that ``make test`` stays quick and repeatable; ``FUZZ_SCALE=50``
hunts longer (tests/conftest.py ``fuzz``)."""

from __future__ import annotations

import logging
from itertools import count

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.messages import Inbound, UserRef
from bot.core.pipeline import Pipeline
from bot.storage.cached import CachedStores
from tests.conftest import fuzz
from tests.core.test_cases import DISCLOSURE

WORDS = [
    "/start", "/forget", "/stop", "/topics", "/tip", "/subscribe", "/settings", "/language",
    "/help", "1", "2", "dừng", "làm sao phòng đuối nước", "bé bị bỏng", DISCLOSURE,
    "Nguyễn Văn Bình 0912345678", "\ud800", "\udfff", "\x00", "\r\n", "\u200b", "\ufeff",
    "a\u0301", "🙂", " " * 3,
]  # fmt: skip
BUTTONS = [
    "lang:vi", "lang:en", "lang:bru", "role:parent", "role:child", "age:11-15", "consent:",
    "consent:self", "forget:1", "forget:0", "case:yes", "case:no", "safe:ok", "menu:topics",
    "topic:burns", "art:burns", "more:burns", "fb:burns:1", "tip:", "sub:", "freq:weekly",
    "kidage:0-5", "subt:", "subdone:", "unsub:", "set:language", "commune:none", "desk:ack:1",
    "pillar:", "", ":", "::::", "case:", "lang:" + "x" * 200,
]  # fmt: skip
ANY_CHAR = st.characters(exclude_categories=("Co",))  # surrogates (Cs) and controls included
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.sampled_from(WORDS),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
    st.text(ANY_CHAR, min_size=2000, max_size=2100),
)
BUTTON = st.one_of(
    st.sampled_from(BUTTONS),
    st.tuples(st.sampled_from(BUTTONS), st.text(ANY_CHAR, max_size=12)).map("".join),
)
MESSAGE = st.one_of(
    st.builds(lambda text: ("text", text), TEXT), st.builds(lambda data: ("button", data), BUTTON)
)
HINT = st.one_of(st.none(), st.sampled_from(["vi", "en", "bru", "", "x" * 50]), st.text(max_size=8))

users = count()


@fuzz(40)
@given(messages=st.lists(MESSAGE, min_size=1, max_size=6), hint=HINT)
async def test_any_message_is_answered_and_nothing_gets_stuck(
    pipeline: Pipeline,
    caplog: pytest.LogCaptureFixture,
    messages: list[tuple[str, str]],
    hint: str | None,
) -> None:
    caplog.clear()
    user = UserRef("test", f"fuzz-{next(users)}")
    with caplog.at_level(logging.WARNING):
        for kind, value in messages:
            if kind == "text":
                inbound = Inbound(user, text=value, locale_hint=hint)
            else:
                inbound = Inbound(user, callback=value, locale_hint=hint)
            await pipeline.handle(inbound)
        stores = pipeline.stores
        if isinstance(stores, CachedStores):
            await stores.flush()  # raises if the database refused to take what waits
            assert stores.writer.pending == 0 and stores.writer.dropped == 0
    problems = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert problems == [], [r.getMessage() for r in problems]
