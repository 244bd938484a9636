"""Zalo's other events: pictures and stickers, following and unfollowing, and the ones we ignore."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from bot.core.messages import Reply, UserRef
from bot.core.outbox import Outgoing, Priority, Status
from bot.storage.models import OutboxRow, UserRow
from tests.channels.zalo.conftest import Zalo
from tests.fakes import zalo_events as ev

USER = "6601234567890123456"


async def user_row(zalo: Zalo) -> UserRow | None:
    assert zalo.app is not None
    await zalo.app.flush()
    async with zalo.app.database.session() as session:
        found = await session.execute(
            select(UserRow).where(UserRow.channel == "zalo", UserRow.external_id == USER)
        )
        return found.scalar_one_or_none()


@pytest.mark.parametrize("event", [ev.image, ev.sticker, ev.location])
async def test_pictures_stickers_and_places_get_a_kind_answer_and_the_hotline(
    zalo: Zalo, event: object
) -> None:
    await zalo.onboard(USER)
    (sent,) = await zalo.push(event(USER))  # type: ignore[operator]
    assert "only read text" in sent.text and sent.phones() == ["111"]


async def test_a_caption_is_read_like_any_text(zalo: Zalo) -> None:
    await zalo.onboard(USER)
    sent = await zalo.push(ev.image(USER, caption="bố đánh em đau lắm"))
    assert "111" in sent[0].phones()  # the safety check read the caption


async def test_unfollow_stops_every_message_until_the_user_follows_again(zalo: Zalo) -> None:
    await zalo.onboard(USER)
    assert await zalo.push(ev.unfollow(USER)) == []
    row = await user_row(zalo)
    assert row is not None and row.blocked

    assert zalo.app is not None
    async with zalo.app.database.store() as store:  # a campaign message queued for them
        message = Outgoing(UserRef("zalo", USER), (Reply("tip"),), Priority.BROADCAST)
        await store.outbox.enqueue(message, zalo.app.pipeline.clock.now())
        await store.commit()
    await zalo.settle()
    assert zalo.fake.calls[zalo.mark :] == []  # not even tried: Zalo would refuse (-213)
    async with zalo.app.database.session() as session:
        status = (await session.execute(select(OutboxRow.status))).scalar_one()
    assert status == Status.UNREACHABLE

    sent = await zalo.push(ev.follow(USER))  # back: greeted, reachable again
    assert "Welcome back" in sent[0].text
    row = await user_row(zalo)
    assert row is not None and not row.blocked


async def test_chat_now_and_unknown_events_are_logged_by_name_and_ignored(
    zalo: Zalo, caplog: pytest.LogCaptureFixture
) -> None:
    unknown = {**ev.text(USER, "x"), "event_name": "user_reacted_message"}
    with caplog.at_level(logging.INFO):
        assert await zalo.push(ev.chat_now(USER), unknown) == []
    names = [getattr(r, "kind", None) for r in caplog.records if "ignored" in r.getMessage()]
    assert names == ["user_click_chatnow", "user_reacted_message"]
    assert await user_row(zalo) is None
