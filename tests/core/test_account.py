"""/stop and /forget: the user stays in control; deleted data is really gone."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.storage.database import Database
from bot.storage.models import FeedbackRow, UserRow
from tests.conftest import Chat


async def _count(database: Database, model: type) -> int:
    async with database.session() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_stop_opts_out_of_all_messages(chat: Chat, database: Database) -> None:
    await chat.onboard()
    await chat.send("/stop")
    async with database.session() as session:
        user = (await session.execute(select(UserRow))).scalar_one()
    assert user.opted_out and not user.subscribed
    assert "/subscribe" in chat.texts()  # the reply says how to come back
    await chat.send("/start")  # coming back lifts the opt-out
    async with database.session() as session:
        assert not (await session.execute(select(UserRow))).scalar_one().opted_out


async def test_forget_deletes_the_user_and_their_feedback(chat: Chat, database: Database) -> None:
    await chat.onboard()
    await chat.send("/topics")
    await chat.press("pillar:injury")
    await chat.press("topic:drowning-prevention")
    await chat.press("fb:")
    assert await _count(database, FeedbackRow) == 1

    await chat.send("/forget")
    assert "law" in chat.texts().lower()  # says what is kept and why
    assert await _count(database, UserRow) == 1  # nothing deleted before confirming
    await chat.press("forget:1")
    assert await _count(database, UserRow) == 0
    assert await _count(database, FeedbackRow) == 0

    await chat.send("/start")  # a new, empty profile
    async with database.session() as session:
        user = (await session.execute(select(UserRow))).scalar_one()
    assert user.role is None and user.consent_at is None


async def test_forget_can_be_cancelled_and_stale_confirmations_do_nothing(
    chat: Chat, database: Database
) -> None:
    await chat.onboard()
    await chat.send("/forget")
    await chat.press("forget:0")
    assert await _count(database, UserRow) == 1
    await chat.tap("forget:1")  # the old confirmation button, pressed later
    assert await _count(database, UserRow) == 1
    assert "expired" in chat.texts().lower()


async def test_each_user_is_separate(chat: Chat, database: Database) -> None:
    await chat.onboard()
    other = Chat(chat.pipeline)
    other.user = type(chat.user)("web", "other-user-session-1")
    await other.send("/start")
    await other.send("/forget")
    await other.press("forget:1")
    assert await _count(database, UserRow) == 1
