"""/start onboarding: language → role → age band (students) → consent; stored in the database."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.messages import ButtonKind
from bot.storage.database import Database
from bot.storage.models import EventRow, UserRow
from tests.conftest import Chat


async def _user(database: Database) -> UserRow:
    async with database.session() as session:
        return (await session.execute(select(UserRow))).scalar_one()


async def test_parent_onboarding_stores_choices_and_consent(chat: Chat, database: Database) -> None:
    await chat.send("/start")
    assert chat.button("lang:vi") and chat.button("lang:en")
    await chat.press("lang:en")
    await chat.press("role:parent")
    await chat.press("commune:none")
    assert "consent:parent" not in [b.value for r in chat.last for row in r.buttons for b in row]
    await chat.press("consent:self")
    assert chat.button("menu:topics")

    user = await _user(database)
    assert (user.locale, user.role, user.age_band) == ("en", "parent", None)
    assert user.consent_by == "self" and user.consent_at is not None
    assert user.consent_scope == "minimal-profile-v2"
    assert user.state == "ready"


async def test_student_is_asked_age_and_told_a_parent_should_agree(
    chat: Chat, database: Database
) -> None:
    await chat.send("/start")
    await chat.press("lang:en")
    await chat.press("role:child")
    await chat.press("age:11-15")
    await chat.press("commune:none")
    assert "parent" in chat.texts().lower() and "16" in chat.texts()
    await chat.press("consent:parent")
    user = await _user(database)
    assert (user.role, user.age_band, user.consent_by) == ("child", "11-15", "self+parent")


async def test_a_child_cannot_use_the_adult_consent_button(chat: Chat, database: Database) -> None:
    await chat.send("/start")
    await chat.press("lang:en")
    await chat.press("role:child")
    await chat.press("age:6-10")
    await chat.press("commune:none")
    await chat.tap("consent:self")  # forged: a child's screen never shows this button
    assert "expired" in chat.texts().lower()
    assert (await _user(database)).consent_at is None


async def test_declining_consent_keeps_no_choices(chat: Chat, database: Database) -> None:
    await chat.send("/start")
    await chat.press("lang:en")
    await chat.press("role:teacher")
    await chat.press("commune:none")
    await chat.press("consent:no")
    user = await _user(database)
    assert user.consent_at is None and user.role is None and user.state == "ready"
    assert chat.button("menu:topics")


async def test_typing_during_onboarding_repeats_the_question(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("lang:en")
    await chat.send("hello?")
    assert chat.button("role:parent")


async def test_buttons_from_a_finished_step_are_expired(chat: Chat, database: Database) -> None:
    await chat.send("/start")
    await chat.press("lang:en")
    await chat.press("role:parent")
    await chat.press("commune:none")
    await chat.press("consent:self")
    await chat.tap("role:child")  # an old message's button
    assert "expired" in chat.texts().lower()
    assert (await _user(database)).role == "parent"


async def test_unknown_and_malformed_buttons_change_nothing(chat: Chat, database: Database) -> None:
    await chat.send("/start")
    for data in ("nope:1", "lang:xx", "x" * 200, "lang:vi:evil:more", "", "fb:abuse-signs:7"):
        await chat.tap(data)
        assert "expired" in chat.texts().lower() or "hết hạn" in chat.texts().lower()
    assert (await _user(database)).locale is None


async def test_help_lists_commands_and_the_hotline(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("lang:en")
    await chat.send("/help")
    text = chat.texts()
    for command in ("/topics", "/tip", "/language", "/stop", "/forget", "111"):
        assert command in text
    phones = [
        b.value for r in chat.last for row in r.buttons for b in row if b.kind is ButtonKind.PHONE
    ]
    assert "111" in phones


async def test_language_can_be_changed_later(chat: Chat, database: Database) -> None:
    await chat.send("/start")
    await chat.press("lang:en")
    await chat.press("role:parent")
    await chat.press("commune:none")
    await chat.press("consent:self")
    await chat.send("/language")
    await chat.press("lang:vi")
    assert (await _user(database)).locale == "vi"


async def test_events_are_anonymous(chat: Chat, database: Database) -> None:
    await chat.send("/start")
    await chat.press("lang:en")
    await chat.send("my phone is 0912345678")
    async with database.session() as session:
        events = (await session.execute(select(EventRow))).scalars().all()
    assert events
    for event in events:
        dumped = repr((event.kind, event.subject, event.data, event.channel))
        assert "0912345678" not in dumped and "42" not in dumped
