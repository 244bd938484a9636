"""/subscribe, /stop and its words, /settings and the commune picker: push a message, read the
replies, look at what was stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.dialog.subscriptions import is_stop_word
from bot.core.messages import Reply, UserRef
from bot.core.outbox import Outgoing, Priority
from bot.storage.database import Database
from bot.storage.models import OutboxRow, UserRow
from tests.conftest import Chat, FakeClock


async def _user(database: Database) -> UserRow:
    async with database.session() as session:
        return (await session.execute(select(UserRow))).scalar_one()


async def test_nobody_is_subscribed_by_onboarding(chat: Chat, database: Database) -> None:
    await chat.onboard()
    assert chat.button("sub")  # offered, never chosen for them
    user = await _user(database)
    assert not user.subscribed and user.frequency is None


async def test_a_parent_subscribes_to_weekly_tips_for_a_child_and_chooses_topics(
    chat: Chat, database: Database
) -> None:
    await chat.onboard()
    await chat.press("sub")
    await chat.press("freq:weekly")
    assert chat.button("kidage:0-5")  # a parent names the child's age band
    await chat.press("kidage:6-10")
    await chat.press("subt:injury")
    assert "✅" in chat.button("subt:injury").label
    await chat.press("subt:abuse")
    await chat.press("subt:abuse")  # and unchooses it
    await chat.press("subdone")
    assert "/stop" in chat.texts()
    user = await _user(database)
    assert (user.subscribed, user.frequency, user.child_age) == (True, "weekly", "6-10")
    assert user.topics == ",injury," and user.subscribed_at is not None


async def test_a_student_gets_tips_for_their_own_age_band(chat: Chat, database: Database) -> None:
    await chat.onboard(role="child", age="11-15")
    await chat.send("/subscribe")
    await chat.press("freq:weekly")
    assert chat.button("subt:")  # no question about a child's age: their own band is known
    await chat.press("subdone")
    user = await _user(database)
    assert user.subscribed and user.child_age is None and user.topics == ""


async def test_subscribing_needs_consent_first(chat: Chat, database: Database) -> None:
    await chat.send("/start")
    await chat.press("lang:en")
    await chat.send("/subscribe")
    assert "/start" in chat.texts()
    await chat.tap("freq:campaigns")  # a forged button
    assert not (await _user(database)).subscribed


@pytest.mark.parametrize("word", ["dừng", "Dừng!", "dung", "hủy", "huỷ", "HUY", "stop", "Stop."])
def test_stop_words(word: str) -> None:
    assert is_stop_word(word)


@pytest.mark.parametrize("text", ["đừng đánh con", "stop bullying", "dùng thuốc gì", "hủy hoại"])
def test_sentences_are_not_stop_words(text: str) -> None:
    assert not is_stop_word(text)


async def test_dung_opts_out_at_once_and_says_how_to_come_back(
    chat: Chat, database: Database, clock: FakeClock
) -> None:
    await chat.onboard(lang="vi")
    await chat.press("sub")
    await chat.press("freq:campaigns")
    await chat.send("dừng")
    user = await _user(database)
    assert user.opted_out and not user.subscribed and user.opted_out_at == clock.now()
    assert "/subscribe" in chat.texts()


async def test_stop_withdraws_unsent_campaign_messages_but_not_case_messages(
    chat: Chat, database: Database, clock: FakeClock
) -> None:
    await chat.onboard()
    other = UserRef("test", "other")
    async with database.store() as store:
        for to, priority, kind in (
            (chat.user, Priority.BROADCAST, "campaign"),
            (chat.user, Priority.NOTICE, "tip"),
            (chat.user, Priority.CASE, "relay"),
            (other, Priority.BROADCAST, "campaign"),
        ):
            await store.outbox.enqueue(
                Outgoing(to, (Reply("x"),), priority=priority, kind=kind), clock.now()
            )
        await store.commit()
    await chat.send("/stop")
    async with database.session() as session:
        rows = (await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars().all()
    assert [(r.kind, r.status, r.last_error) for r in rows] == [
        ("campaign", "cancelled", "opted-out"),
        ("tip", "cancelled", "opted-out"),
        ("relay", "pending", None),
        ("campaign", "pending", None),
    ]


async def test_the_button_under_a_campaign_stops_too(chat: Chat, database: Database) -> None:
    await chat.onboard()
    await chat.tap("unsub")
    assert (await _user(database)).opted_out


async def test_the_commune_is_found_by_part_of_its_name_without_accents(
    chat: Chat, database: Database
) -> None:
    await chat.send("/start")
    await chat.press("lang:vi")
    await chat.press("role:parent")
    await chat.send("gio linh")
    await chat.press("commune:19495")  # Xã Gio Linh
    assert chat.button("consent:self")  # onboarding goes on
    await chat.press("consent:self")
    assert (await _user(database)).commune == "19495"


async def test_an_unknown_commune_is_asked_again_and_can_be_skipped(
    chat: Chat, database: Database
) -> None:
    await chat.send("/start")
    await chat.press("lang:en")
    await chat.press("role:parent")
    await chat.send("Hà Nội")
    assert "could not find" in chat.texts()
    await chat.send("dong")
    labels = [b.label for r in chat.last for row in r.buttons for b in row]
    assert "Phường Đồng Hới" in labels and "Phường Đông Hà" in labels
    await chat.press("commune:none")
    await chat.press("consent:self")
    assert (await _user(database)).commune is None


async def test_settings_show_and_change_the_commune(chat: Chat, database: Database) -> None:
    await chat.onboard()
    await chat.send("/settings")
    assert "Commune" in chat.texts()
    await chat.press("set:commune")
    await chat.send("Cam Lo")
    await chat.press("commune:19597")
    assert "Cam Lộ" in chat.texts()
    assert (await _user(database)).commune == "19597"
    await chat.send("how do I keep my child safe near water?")  # not taken as a commune
    assert (await _user(database)).commune == "19597"


async def test_a_command_ends_the_commune_question(chat: Chat, database: Database) -> None:
    await chat.onboard()
    await chat.send("/settings")
    await chat.press("set:commune")
    await chat.send("/help")
    await chat.send("gio linh")  # a question now, not a commune
    assert not any(
        b.value.startswith("commune:") for r in chat.last for row in r.buttons for b in row
    )


async def test_a_helpful_answer_offers_the_weekly_tip(chat: Chat) -> None:
    await chat.onboard()
    await chat.send("how do I keep my child safe near water?")
    await chat.press("fb:")
    assert chat.button("sub")
