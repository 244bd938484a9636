"""Safety cases end to end in the core: disclosure → offer → case → desk → relay → close."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

import pytest
from sqlalchemy import select

from bot.core.hours import parse_hours
from bot.core.i18n import _, use_locale
from bot.core.messages import Inbound, Reply, UserRef
from bot.core.pipeline import Pipeline
from bot.core.ports import StoreFactory
from bot.core.services import DeskOptions, Services
from bot.storage.database import Database
from bot.storage.models import CaseAuditRow, CaseMessageRow, CaseRow, UserRow
from tests.conftest import Chat, FakeClock

DESK = UserRef("telegram", "-1001")
WORKER = UserRef("telegram", "501")
WORKER_2 = UserRef("telegram", "502")
STRANGER = UserRef("telegram", "999")
DISCLOSURE = "chú hàng xóm bắt em cởi đồ rồi sờ vào người em"


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[UserRef, Reply]] = []

    async def send(self, to: UserRef, replies: Sequence[Reply]) -> None:
        self.sent.extend((to, r) for r in replies)

    def to(self, user: UserRef) -> list[str]:
        return [r.text for t, r in self.sent if t == user]


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


def desk_services(services: Services, hours: str = "00:00-24:00") -> Services:
    desk = DeskOptions(
        chat=DESK, workers=frozenset({WORKER, WORKER_2}), ack_minutes=5, hours=parse_hours(hours)
    )
    return dataclasses.replace(services, desk=desk)


@pytest.fixture
def desk_pipeline(
    services: Services, stores: StoreFactory, clock: FakeClock, outbox: Outbox
) -> Pipeline:
    return Pipeline(desk_services(services), stores, clock=clock, outbox=outbox)


@pytest.fixture
def child(desk_pipeline: Pipeline) -> Chat:
    return Chat(desk_pipeline, user=UserRef("telegram", "77"))


async def _desk(
    pipeline: Pipeline,
    worker: UserRef,
    text: str = "",
    callback: str | None = None,
    quoted: str | None = None,
) -> list[Reply]:
    return await pipeline.handle(
        Inbound(worker, text=text, callback=callback, chat=DESK.external_id, quoted=quoted)
    )


async def _open_case(child: Chat, database: Database) -> CaseRow:
    """A child onboards, discloses, and accepts a counsellor: the case as stored."""
    await child.onboard("vi", "child", "11-15")
    await child.send(DISCLOSURE)
    await child.press("case:yes")
    return await _case(database)


async def _case(database: Database) -> CaseRow:
    async with database.session() as session:
        return (await session.execute(select(CaseRow))).scalar_one()


async def _audit(database: Database) -> list[str]:
    async with database.session() as session:
        return [
            f"{r.actor}:{r.action}"
            for r in (
                await session.execute(select(CaseAuditRow).order_by(CaseAuditRow.id))
            ).scalars()
        ]


async def test_disclosure_gets_help_first_then_a_case_reaches_the_desk(
    child: Chat, outbox: Outbox, database: Database
) -> None:
    await child.onboard("vi", "child", "11-15")
    await child.send(DISCLOSURE)
    assert "111" in [b.value for r in child.last for row in r.buttons for b in row]
    assert child.button("case:yes")
    await child.press("case:yes")

    case = await _case(database)
    assert (case.category, case.status, case.user_external_id) == ("sexual-abuse", "new", "77")
    alert = outbox.to(DESK)[-1]
    assert f"#{case.id}" in alert and case.pseudonym in alert and DISCLOSURE in alert
    assert "77" not in alert.split("\n")[0]  # the desk sees a pseudonym, not the account
    async with database.session() as session:
        kept = [m.text for m in (await session.execute(select(CaseMessageRow))).scalars()]
    assert kept == [DISCLOSURE]
    assert await _audit(database) == ["user:opened", "system:shown-to-desk"]


async def test_worker_acknowledges_and_replies_and_the_user_gets_it(
    child: Chat, outbox: Outbox, database: Database, desk_pipeline: Pipeline
) -> None:
    case = await _open_case(child, database)

    await _desk(desk_pipeline, WORKER, callback=f"ack:{case.id}")
    assert (await _case(database)).status == "acknowledged"
    assert outbox.to(child.user), "the user is told a counsellor has read it"

    await _desk(
        desk_pipeline, WORKER, text="Em đang ở đâu? Em có an toàn không?", quoted=outbox.to(DESK)[0]
    )
    assert "Em đang ở đâu? Em có an toàn không?" in outbox.to(child.user)[-1]

    # while the case is open the bot's own answers pause: the user's words go to the desk
    sent_before = len(outbox.to(DESK))
    replies = await child.send("em đang ở nhà bạn")
    assert "em đang ở nhà bạn" in outbox.to(DESK)[-1] and len(outbox.to(DESK)) == sent_before + 1
    assert not any("Sources" in r.text or "Nguồn" in r.text for r in replies)

    await _desk(desk_pipeline, WORKER, callback=f"close:{case.id}")
    assert (await _case(database)).status == "closed"
    assert "111" in outbox.to(child.user)[-1]
    assert [a.split(":")[1] for a in await _audit(database)][-3:] == [
        "acknowledged",
        "replied",
        "closed",
    ]


async def test_two_workers_acknowledging_at_once_one_wins(
    child: Chat, outbox: Outbox, database: Database, desk_pipeline: Pipeline
) -> None:
    case = await _open_case(child, database)
    await asyncio.gather(
        _desk(desk_pipeline, WORKER, callback=f"ack:{case.id}"),
        _desk(desk_pipeline, WORKER_2, callback=f"ack:{case.id}"),
    )
    winners = [a for a in await _audit(database) if a.endswith(":acknowledged")]
    assert len(winners) == 1
    winner = winners[0].split(":")[0]
    answers = outbox.to(DESK)[1:]  # after the case alert: one answer to each worker
    assert len(answers) == 2 and all(winner in text for text in answers)
    assert (await _case(database)).assignee == winner


async def test_strangers_in_the_staff_group_are_ignored(
    child: Chat, outbox: Outbox, database: Database, desk_pipeline: Pipeline
) -> None:
    case = await _open_case(child, database)
    before = list(outbox.sent)
    assert await _desk(desk_pipeline, STRANGER, callback=f"ack:{case.id}") == []
    assert await _desk(desk_pipeline, STRANGER, text="hello", quoted=f"#{case.id}") == []
    assert outbox.sent == before and (await _case(database)).status == "new"


async def test_unacknowledged_case_realerts_desk_and_tells_user_to_call_111(
    child: Chat, outbox: Outbox, database: Database, desk_pipeline: Pipeline, clock: FakeClock
) -> None:
    await _open_case(child, database)
    await desk_pipeline.tick()
    assert len(outbox.to(DESK)) == 1  # not yet overdue
    clock.advance(minutes=6)
    await desk_pipeline.tick()
    assert "⏰" in outbox.to(DESK)[-1]
    assert "111" in outbox.to(child.user)[-1]
    await desk_pipeline.tick()  # not again at once
    assert sum("⏰" in t for t in outbox.to(DESK)) == 1
    clock.advance(minutes=6)
    await desk_pipeline.tick()
    assert sum("⏰" in t for t in outbox.to(DESK)) == 2
    assert sum("111" in t for t in outbox.to(child.user)) == 1  # the user is told once


async def test_outside_staffed_hours_the_user_is_told_at_once(
    services: Services, database: Database, clock: FakeClock, outbox: Outbox
) -> None:
    pipeline = Pipeline(
        desk_services(services, hours="23:00-23:30"), database.store, clock=clock, outbox=outbox
    )
    chat = Chat(pipeline, user=UserRef("telegram", "78"))
    await chat.onboard("vi", "child", "11-15")
    await chat.send(DISCLOSURE)
    await chat.press("case:yes")
    assert "111" in chat.texts()
    assert outbox.to(DESK), "the case is still posted for when they are back"


async def test_declining_the_offer_keeps_nothing(child: Chat, database: Database) -> None:
    await child.onboard("vi", "child", "11-15")
    await child.send(DISCLOSURE)
    await child.press("case:no")
    async with database.session() as session:
        user = (await session.execute(select(UserRow))).scalar_one()
        assert (await session.execute(select(CaseRow))).first() is None
    assert "crisis" not in user.state_data and DISCLOSURE not in str(user.state_data)


async def test_forget_with_an_open_case_keeps_the_case_and_says_so(
    child: Chat, database: Database
) -> None:
    await _open_case(child, database)
    await child.send("/forget")
    await child.press("forget:yes")
    async with database.session() as session:
        assert (await session.execute(select(UserRow))).first() is None
    assert (await _case(database)).status == "new"
    assert "law" in child.texts().lower() or "luật" in child.texts().lower()


async def test_safety_check_runs_during_onboarding_and_on_edits(
    child: Chat, desk_pipeline: Pipeline
) -> None:
    await child.send("/start")  # mid-onboarding: the language question is pending
    await child.send("tôi không muốn sống nữa, tôi muốn tự tử")
    assert child.button("case:yes")
    edited = await desk_pipeline.handle(
        Inbound(child.user, text="bạn tôi bị đuối nước không thở", edited=True)
    )
    assert "115" in [b.value for r in edited for row in r.buttons for b in row]
    quiet = await desk_pipeline.handle(Inbound(child.user, text="cảm ơn", edited=True))
    assert quiet == []  # an ordinary edit is never answered twice


async def test_flooding_gets_one_notice_but_disclosures_still_get_help(child: Chat) -> None:
    await child.onboard("vi", "child", "11-15")
    with use_locale(child.pipeline.services.catalogs, "vi"):
        notice = _("You are sending messages very fast. I will answer again in a minute.")
    answers = [[r.text for r in await child.send(f"xin chào {n}")] for n in range(30)]
    assert answers.count([notice]) == 1
    first = answers.index([notice])
    assert all(a and a != [notice] for a in answers[:first])  # answered until the flood
    assert all(a == [] for a in answers[first + 1 :])  # then silence, not a notice per message
    await child.send(DISCLOSURE)
    assert child.button("case:yes")


async def test_a_database_failure_still_gives_the_numbers(services: Services) -> None:
    class Broken:
        def __call__(self) -> object:
            raise ConnectionError("database down")

    pipeline = Pipeline(services, Broken())  # type: ignore[arg-type]
    replies = await pipeline.handle(
        Inbound(UserRef("web", "x" * 16), text="bố em ngày nào cũng đánh em bằng roi")
    )
    buttons = [b.value for r in replies for row in r.buttons for b in row]
    assert "111" in buttons and "113" in buttons
    assert not any(
        b.startswith("case:") for b in buttons
    )  # no case can be opened without a database


async def test_two_workers_ticking_at_once_alert_once(
    child: Chat, outbox: Outbox, database: Database, services: Services, clock: FakeClock
) -> None:
    first = Pipeline(desk_services(services), database.store, clock=clock, outbox=outbox)
    second = Pipeline(desk_services(services), database.store, clock=clock, outbox=outbox)
    await _open_case(Chat(first, user=UserRef("telegram", "79")), database)
    clock.advance(minutes=6)
    await asyncio.gather(first.tick(), second.tick())
    assert sum("⏰" in t for t in outbox.to(DESK)) == 1


async def test_after_forget_an_open_case_still_reaches_the_desk(
    child: Chat, outbox: Outbox, database: Database
) -> None:
    await _open_case(child, database)
    await child.send("/forget")
    await child.press("forget:yes")
    await child.send("em vẫn sợ lắm")  # a new, empty profile: the open case is still found
    assert "em vẫn sợ lắm" in outbox.to(DESK)[-1]


async def test_after_the_case_closes_the_bot_answers_again(
    child: Chat, outbox: Outbox, database: Database, desk_pipeline: Pipeline
) -> None:
    case = await _open_case(child, database)
    await _desk(desk_pipeline, WORKER, callback=f"close:{case.id}")
    sent = len(outbox.to(DESK))
    await child.send("/topics")
    await child.send("làm sao phòng đuối nước cho trẻ")
    assert len(outbox.to(DESK)) == sent  # nothing more relayed
    assert child.button("more:drowning-prevention")
    async with database.session() as session:
        user = (await session.execute(select(UserRow))).scalar_one()
    assert "case" not in user.state_data  # the hint is cleared once no case is open
