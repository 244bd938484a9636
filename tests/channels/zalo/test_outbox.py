"""Outbox messages to Zalo users: every priority delivers; Zalo's windows give "outside window"
(recorded, never retried, not "unreachable"); Zalo's error codes end each row as they should;
and a reply to someone who just wrote goes ahead of a campaign."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.core.messages import Inbound, Media, MediaKind, Reply, UserRef
from bot.core.outbox import Outgoing, Priority, Status
from bot.storage.cached import CachedStores
from bot.storage.models import OutboxRow, UserRow
from tests.channels.zalo.conftest import StartZalo, Zalo
from tests.fakes import zalo_events as ev

USER = "4401234567890123456"


async def queue(zalo: Zalo, priority: Priority, text: str = "hello", user: str = USER) -> None:
    assert zalo.app is not None
    async with zalo.app.database.store() as store:
        message = Outgoing(UserRef("zalo", user), (Reply(text),), priority, kind="test")
        await store.outbox.enqueue(message, zalo.app.pipeline.clock.now())
        await store.commit()


async def rows(zalo: Zalo) -> list[tuple[str, str | None]]:
    assert zalo.app is not None
    async with zalo.app.database.session() as session:
        found = await session.execute(
            select(OutboxRow.status, OutboxRow.last_error).order_by(OutboxRow.id)
        )
        return [(status, error) for status, error in found.all()]


async def silent_for(zalo: Zalo, user: str, days: float) -> None:
    """The user last wrote ``days`` ago."""
    assert zalo.app is not None
    await zalo.app.flush()
    async with zalo.app.database.session() as session:
        then = zalo.app.pipeline.clock.now() - timedelta(days=days)
        await session.execute(
            update(UserRow).where(UserRow.external_id == user).values(last_seen_at=then)
        )
        await session.commit()
    if isinstance(zalo.app.stores, CachedStores):
        zalo.app.stores.cache.drop(UserRef("zalo", user))


async def test_each_priority_is_delivered(zalo: Zalo) -> None:
    await zalo.push(ev.follow(USER))
    for priority in Priority:
        await queue(zalo, priority, f"p{priority.value}")
    await zalo.settle()
    assert [c.text for c in zalo.fake.sent(USER)[-3:]] == ["p0", "p5", "p9"]
    assert await rows(zalo) == [(Status.SENT, None)] * 3


@pytest.mark.parametrize("code", [-230, -232])
async def test_zalos_window_refusal_is_outside_window_not_unreachable(
    zalo: Zalo, code: int
) -> None:
    await zalo.push(ev.follow(USER))
    zalo.fake.fail(code, USER)
    await queue(zalo, Priority.BROADCAST)
    await zalo.settle()
    assert await rows(zalo) == [(Status.OUTSIDE_WINDOW, str(code))]
    assert len([c for c in zalo.fake.calls if c.error == code]) == 1  # never retried
    assert await zalo.say(USER, "xin chào")  # still reachable when they write


async def test_campaigns_wait_for_the_free_reply_window_cases_do_not(zalo: Zalo) -> None:
    await zalo.push(ev.follow(USER))
    await silent_for(zalo, USER, days=3)  # past the 48 hours of free replies
    await queue(zalo, Priority.BROADCAST, "campaign")
    await queue(zalo, Priority.CASE, "counsellor")
    await zalo.settle()
    assert await rows(zalo) == [(Status.OUTSIDE_WINDOW, "reply-window"), (Status.SENT, None)]
    assert [c.text for c in zalo.fake.sent(USER)][-1] == "counsellor"

    await silent_for(zalo, USER, days=8)  # past Zalo's 7 days: nothing is even tried
    zalo.mark = len(zalo.fake.calls)
    await queue(zalo, Priority.CASE, "too late")
    await zalo.settle()
    assert (await rows(zalo))[-1] == (Status.OUTSIDE_WINDOW, "interaction-window")
    assert zalo.fake.calls[zalo.mark :] == []


async def test_not_a_follower_is_unreachable(zalo: Zalo) -> None:
    await zalo.push(ev.follow(USER))
    zalo.fake.unfollowed.add(USER)  # Zalo knows before we do
    await queue(zalo, Priority.NOTICE)
    await zalo.settle()
    assert await rows(zalo) == [(Status.UNREACHABLE, "-213")]
    assert zalo.app is not None
    async with zalo.app.database.session() as session:
        blocked = await session.execute(select(UserRow.blocked).where(UserRow.external_id == USER))
        assert blocked.scalar_one() is True


@pytest.mark.parametrize(("code", "wait"), [(-32, 30), (-211, 3600)])
async def test_rate_and_quota_errors_are_retried_later(zalo: Zalo, code: int, wait: int) -> None:
    await zalo.push(ev.follow(USER))
    zalo.fake.fail(code, USER)
    await queue(zalo, Priority.BROADCAST)
    await zalo.settle()
    assert zalo.app is not None
    async with zalo.app.database.session() as session:
        row = (await session.execute(select(OutboxRow))).scalar_one()
    assert (row.status, row.last_error) == (Status.PENDING, str(code))
    waited = row.available_at - zalo.app.pipeline.clock.now()
    assert timedelta(seconds=wait - 5) < waited <= timedelta(seconds=wait)


async def test_another_refusal_is_a_dead_letter_logged_by_code(zalo: Zalo) -> None:
    await zalo.push(ev.follow(USER))
    zalo.fake.fail(-201, USER)
    await queue(zalo, Priority.NOTICE, "a message Zalo will not take")
    await zalo.settle()
    assert await rows(zalo) == [(Status.DEAD, "-201")]


async def test_a_reply_goes_ahead_of_a_campaign(start_zalo: StartZalo) -> None:
    zalo = await start_zalo(rate=10.0)  # a campaign of 30 takes two seconds after its burst
    assert zalo.app is not None
    campaign = [f"77012345678901{n:05d}" for n in range(30)]
    for user in [*campaign, USER]:  # users who wrote to us (their answers are not sent here)
        await zalo.app.pipeline.handle(Inbound(UserRef("zalo", user), text="/start"))
    for user in campaign:
        await queue(zalo, Priority.BROADCAST, "campaign", user)
    draining = asyncio.create_task(zalo.app.dispatcher.drain_once())
    await zalo.fake.wait_until(lambda: len(zalo.fake.sent()) >= 3)  # the campaign is under way
    assert await zalo.post(ev.text(USER, "xin chào")) == 200
    await draining
    await zalo.settle()
    order = [c.user_id for c in zalo.fake.sent()]
    answered = order.index(USER)
    assert order[answered + 1 :].count(USER) == len(zalo.fake.sent(USER)) - 1
    assert len(order[answered:]) > 10  # the answer did not wait behind the campaign


async def test_an_image_is_uploaded_once_and_sent_by_its_attachment_id(
    zalo: Zalo, tmp_path: Path
) -> None:
    await zalo.push(ev.follow(USER))
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.png").write_bytes(b"\x89PNG fake")
    zalo.channel.sender.content_dir = tmp_path
    picture = Reply("Bài viết", media=(Media(MediaKind.IMAGE, "media/a.png", "Hình"),))
    for _ in range(2):
        await zalo.channel.sender.send(UserRef("zalo", USER), [picture])
    image, text, again, _ = zalo.fake.sent(USER)[-4:]
    assert image.image == again.image == "img-1" and zalo.fake.uploads == 1
    assert image.text == "Hình" and text.text == "Bài viết"
