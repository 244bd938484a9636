"""Sessions are free to make up: someone new is stored only once there is something to keep."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.core.messages import UserRef
from bot.storage.database import Database
from bot.storage.models import UserRow
from tests.conftest import Chat


async def _users(database: Database) -> int:
    async with database.session() as session:
        return int((await session.execute(select(func.count()).select_from(UserRow))).scalar_one())


async def test_a_question_from_someone_new_writes_no_user(chat: Chat, database: Database) -> None:
    for n in range(5):
        chat.user = UserRef("web", f"made-up-session-{n:04d}")
        replies = await chat.send("trẻ bị bỏng phải làm gì")
        assert replies  # answered all the same
    assert await _users(database) == 0


async def test_someone_who_starts_onboarding_is_kept(chat: Chat, database: Database) -> None:
    chat.user = UserRef("web", "a-real-new-session")
    await chat.send("/start")
    await chat.press("lang:vi")
    assert await _users(database) == 1
    profile = await chat.pipeline.profile(chat.user)
    assert profile is not None and profile.locale == "vi"


async def test_a_disclosure_from_someone_new_keeps_what_the_case_needs(
    chat: Chat, database: Database
) -> None:
    chat.user = UserRef("web", "a-child-in-danger-0")
    replies = await chat.send("bố em ngày nào cũng đánh em bằng roi")
    assert "111" in [b.value for r in replies for row in r.buttons for b in row]
