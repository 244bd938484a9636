"""Safety cases end to end in the core: disclosure → offer → case → desk → relay → close.

What the desks and the user are sent goes through the real outbox table, drained by a real
dispatcher into a recording channel (``Desks``)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sqlalchemy import select

from bot.core.cases.desk import Acknowledge, Answer, Close, Note, Refer
from bot.core.cases.model import Outcome, Referral
from bot.core.dispatcher import Dispatcher
from bot.core.hours import parse_hours
from bot.core.i18n import _, use_locale
from bot.core.messages import Inbound, Reply, UserRef
from bot.core.outbox import Delivery, Envelope
from bot.core.pipeline import Pipeline
from bot.core.ports import StoreFactory
from bot.core.services import DeskOptions, Services
from bot.storage.database import Database
from bot.storage.models import CaseAuditRow, CaseMessageRow, CaseRow, UserRow
from bot.storage.outbox import SqlOutboxQueue
from tests.conftest import Chat, FakeClock

DESK = UserRef("telegram", "-1001")
WORKER = UserRef("telegram", "501")
WORKER_2 = UserRef("telegram", "502")
STRANGER = UserRef("telegram", "999")
DISCLOSURE = "chú hàng xóm bắt em cởi đồ rồi sờ vào người em"


class Desks:
    """Every push channel at once: records what the dispatcher delivers, by recipient."""

    def __init__(self, database: Database, clock: FakeClock) -> None:
        self.sent: list[tuple[UserRef, Reply]] = []
        queue = SqlOutboxQueue(database.engine)
        senders = {"telegram": self, "web": self, "test": self}
        self.dispatcher = Dispatcher(queue, senders, clock, "test-worker")

    async def deliver(self, envelope: Envelope) -> Delivery:
        self.sent.extend((envelope.to, reply) for reply in envelope.replies)
        return Delivery.sent()

    async def to(self, user: UserRef) -> list[str]:
        """What ``user`` has been sent so far (after draining the outbox)."""
        while await self.dispatcher.drain_once():
            pass
        return [r.text for t, r in self.sent if t == user]


@pytest.fixture
def outbox(database: Database, clock: FakeClock) -> Desks:
    return Desks(database, clock)


def desk_services(services: Services, hours: str = "00:00-24:00") -> Services:
    desk = DeskOptions(feeds=(DESK,), ack_minutes=5, hours=parse_hours(hours))
    return dataclasses.replace(services, desk=desk)


@pytest.fixture
async def desk_pipeline(services: Services, stores: StoreFactory, clock: FakeClock) -> Pipeline:
    pipeline = Pipeline(desk_services(services), stores, clock=clock)
    await pipeline.enrol_staff([WORKER, WORKER_2])
    return pipeline


@pytest.fixture
def child(desk_pipeline: Pipeline) -> Chat:
    return Chat(desk_pipeline, user=UserRef("telegram", "770011223"))


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
    child: Chat, outbox: Desks, database: Database
) -> None:
    await child.onboard("vi", "child", "11-15")
    await child.send(DISCLOSURE)
    assert "111" in [b.value for r in child.last for row in r.buttons for b in row]
    assert child.button("case:yes")
    await child.press("case:yes")

    case = await _case(database)
    assert (case.category, case.status, case.user_external_id) == (
        "sexual-abuse",
        "new",
        "770011223",
    )
    alert = (await outbox.to(DESK))[-1]
    assert f"#{case.id}" in alert and case.pseudonym in alert and DISCLOSURE in alert
    assert "770011223" not in alert.split("\n")[0]  # the desk sees a pseudonym, not the account
    async with database.session() as session:
        kept = [m.text for m in (await session.execute(select(CaseMessageRow))).scalars()]
    assert kept == [DISCLOSURE]
    assert await _audit(database) == ["user:opened", "system:shown-to-desk"]


async def test_worker_acknowledges_and_replies_and_the_user_gets_it(
    child: Chat, outbox: Desks, database: Database, desk_pipeline: Pipeline
) -> None:
    case = await _open_case(child, database)

    await desk_pipeline.desk(WORKER, Acknowledge(case.id))
    assert (await _case(database)).status == "acknowledged"
    assert await outbox.to(child.user), "the user is told a counsellor has read it"

    await desk_pipeline.desk(WORKER, Answer(case.id, "Em đang ở đâu? Em có an toàn không?"))
    assert "Em đang ở đâu? Em có an toàn không?" in (await outbox.to(child.user))[-1]

    # while the case is open the bot's own answers pause: the user's words go to the desk
    sent_before = len(await outbox.to(DESK))
    replies = await child.send("em đang ở nhà bạn")
    relayed = await outbox.to(DESK)
    assert "em đang ở nhà bạn" in relayed[-1] and len(relayed) == sent_before + 1
    assert not any("Sources" in r.text or "Nguồn" in r.text for r in replies)

    await desk_pipeline.desk(WORKER, Close(case.id))
    assert (await _case(database)).status == "closed"
    assert "111" in (await outbox.to(child.user))[-1]
    assert [a.split(":")[1] for a in await _audit(database)][-3:] == [
        "acknowledged",
        "replied",
        "closed",
    ]


async def test_two_workers_acknowledging_at_once_one_wins(
    child: Chat, outbox: Desks, database: Database, desk_pipeline: Pipeline
) -> None:
    case = await _open_case(child, database)
    notices = await asyncio.gather(
        desk_pipeline.desk(WORKER, Acknowledge(case.id)),
        desk_pipeline.desk(WORKER_2, Acknowledge(case.id)),
    )
    winners = [a for a in await _audit(database) if a.endswith(":acknowledged")]
    assert len(winners) == 1
    winner = winners[0].split(":")[0]
    assert all(winner in replies[0].text for replies in notices)  # each worker hears who has it
    assert len(await outbox.to(child.user)) == 1  # the user is told once
    assert (await _case(database)).assignee == winner


async def test_strangers_in_the_staff_group_are_ignored(
    child: Chat, outbox: Desks, database: Database, desk_pipeline: Pipeline
) -> None:
    case = await _open_case(child, database)
    before = await outbox.to(child.user)
    assert await desk_pipeline.desk(STRANGER, Acknowledge(case.id)) == []
    assert await desk_pipeline.desk(STRANGER, Answer(case.id, "hello")) == []
    assert await outbox.to(child.user) == before and (await _case(database)).status == "new"


async def test_unacknowledged_case_realerts_desk_and_tells_user_to_call_111(
    child: Chat, outbox: Desks, database: Database, desk_pipeline: Pipeline, clock: FakeClock
) -> None:
    await _open_case(child, database)
    await desk_pipeline.tick()
    assert len(await outbox.to(DESK)) == 1  # not yet overdue
    clock.advance(minutes=6)
    await desk_pipeline.tick()
    assert "⏰" in (await outbox.to(DESK))[-1]
    assert "111" in (await outbox.to(child.user))[-1]
    await desk_pipeline.tick()  # not again at once
    assert sum("⏰" in t for t in (await outbox.to(DESK))) == 1
    clock.advance(minutes=6)
    await desk_pipeline.tick()
    assert sum("⏰" in t for t in (await outbox.to(DESK))) == 2
    assert sum("111" in t for t in (await outbox.to(child.user))) == 1  # the user is told once


async def test_outside_staffed_hours_no_counsellor_is_offered_and_111_is_given_at_once(
    services: Services, database: Database, clock: FakeClock, outbox: Desks
) -> None:
    pipeline = Pipeline(desk_services(services, hours="23:00-23:30"), database.store, clock=clock)
    chat = Chat(pipeline, user=UserRef("telegram", "78"))
    await chat.onboard("vi", "child", "11-15")
    await chat.send(DISCLOSURE)
    assert "111" in [b.value for r in chat.last for row in r.buttons for b in row]
    with pytest.raises(AssertionError):
        chat.button("case:yes")  # no counsellor is on duty: none is offered
    assert await outbox.to(DESK) == [] and await _count(database, CaseRow) == 0
    await chat.send("/topics")  # and the bot goes on answering
    assert chat.button("pillar:")


async def test_declining_the_offer_keeps_nothing(child: Chat, database: Database) -> None:
    await child.onboard("vi", "child", "11-15")
    await child.send(DISCLOSURE)
    await child.press("case:no")
    async with database.session() as session:
        user = (await session.execute(select(UserRow))).scalar_one()
        assert (await session.execute(select(CaseRow))).first() is None
        assert (await session.execute(select(CaseMessageRow))).first() is None
    assert DISCLOSURE not in str(user.state_data)


async def test_forget_with_an_open_case_keeps_the_case_and_says_so(
    child: Chat, database: Database
) -> None:
    await _open_case(child, database)
    await child.send("/forget")
    await child.press("forget:1")
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


async def _flood(child: Chat) -> None:
    for n in range(30):
        await child.send(f"xin chào {n}")


async def test_the_counsellor_button_after_a_flood_opens_a_case(
    child: Chat, outbox: Desks, database: Database
) -> None:
    await child.onboard("vi", "child", "11-15")
    await _flood(child)
    await child.send(DISCLOSURE)
    assert "111" in [b.value for r in child.last for row in r.buttons for b in row]
    replies = await child.press("case:yes")
    assert replies, "the counsellor button got no reply"
    async with database.session() as session:
        statuses = (await session.execute(select(CaseRow.status))).scalars().all()
    assert statuses == ["new"]
    assert any(DISCLOSURE in text for text in await outbox.to(DESK))


async def test_a_user_with_an_open_case_is_never_rate_limited(
    child: Chat, outbox: Desks, database: Database
) -> None:
    await _open_case(child, database)
    for n in range(30):
        await child.send(f"chú ơi {n}")
        assert child.last, "a message to the counsellor got no answer"
    relayed = await outbox.to(DESK)
    assert all(any(f"chú ơi {n}" in text for text in relayed) for n in range(30))


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
    child: Chat, outbox: Desks, database: Database, services: Services, clock: FakeClock
) -> None:
    first = Pipeline(desk_services(services), database.store, clock=clock)
    second = Pipeline(desk_services(services), database.store, clock=clock)
    await _open_case(Chat(first, user=UserRef("telegram", "79")), database)
    clock.advance(minutes=6)
    await asyncio.gather(first.tick(), second.tick())
    assert sum("⏰" in t for t in (await outbox.to(DESK))) == 1


async def test_after_forget_an_open_case_still_reaches_the_desk(
    child: Chat, outbox: Desks, database: Database
) -> None:
    await _open_case(child, database)
    await child.send("/forget")
    await child.press("forget:1")
    await child.send("em vẫn sợ lắm")  # a new, empty profile: the open case is still found
    assert "em vẫn sợ lắm" in (await outbox.to(DESK))[-1]


async def test_after_the_case_closes_the_bot_answers_again(
    child: Chat, outbox: Desks, database: Database, desk_pipeline: Pipeline
) -> None:
    case = await _open_case(child, database)
    await desk_pipeline.desk(WORKER, Close(case.id))
    sent = len(await outbox.to(DESK))
    await child.send("/topics")
    await child.send("làm sao phòng đuối nước cho trẻ")
    assert len(await outbox.to(DESK)) == sent  # nothing more relayed
    assert child.button("more:drowning-prevention")
    async with database.session() as session:
        user = (await session.execute(select(UserRow))).scalar_one()
    assert "case" not in user.state_data  # the hint is cleared once no case is open


async def _count(database: Database, table: type[object]) -> int:
    async with database.session() as session:
        return len((await session.execute(select(table))).all())


async def test_without_any_desk_a_disclosure_gets_111_and_the_bot_keeps_answering(
    pipeline: Pipeline, database: Database
) -> None:
    """Bug: in the default set-up (web chat only) "Yes, I want to talk to someone" opened a
    case nobody could see, and from then on nothing the child typed got a reply."""
    child = Chat(pipeline, user=UserRef("web", "child-without-a-desk"))
    await child.onboard("vi", "child", "11-15")
    await child.send(DISCLOSURE)
    assert "111" in [b.value for r in child.last for row in r.buttons for b in row]
    assert "111" in child.texts()
    with pytest.raises(AssertionError):
        child.button("case:yes")
    await child.tap("case:yes")  # an old button, or a forged one: still no case, still answered
    assert child.last and await _count(database, CaseRow) == 0
    await child.send("làm sao phòng đuối nước cho trẻ")
    assert child.button("more:drowning-prevention")
    await child.send("/forget")
    await child.press("forget:1")
    assert await _count(database, UserRow) == 0


async def test_an_unanswered_offer_keeps_the_disclosure_out_of_the_profile_and_forgets_it(
    child: Chat, database: Database, clock: FakeClock, desk_pipeline: Pipeline
) -> None:
    """Bug: the disclosure stayed in users.state_data when the user never answered the offer."""
    await child.onboard("vi", "child", "11-15")
    await child.send(DISCLOSURE)
    async with database.session() as session:
        user = (await session.execute(select(UserRow))).scalar_one()
        held = [m.text for m in (await session.execute(select(CaseMessageRow))).scalars()]
    assert DISCLOSURE not in str(user.state_data) and held == [DISCLOSURE]
    assert (await _case(database)).status == "offered"  # held in an offered case only
    await child.send("/topics")  # the child moves on: the words are deleted
    assert await _count(database, CaseRow) == 0 and await _count(database, CaseMessageRow) == 0

    await child.send(DISCLOSURE)  # and if they never write again, the tick deletes them
    clock.advance(minutes=31)
    await desk_pipeline.tick()
    assert await _count(database, CaseMessageRow) == 0
    await child.tap("case:yes")  # a late yes still reaches a counsellor, without the words
    case = await _case(database)
    assert (case.status, case.category) == ("new", "unknown")


async def test_a_second_message_before_the_answer_joins_the_offered_case(
    child: Chat, database: Database, outbox: Desks
) -> None:
    await child.onboard("vi", "child", "11-15")
    await child.send(DISCLOSURE)
    await child.send("bố em ngày nào cũng đánh em bằng roi")
    await child.press("case:yes")
    alert = (await outbox.to(DESK))[-1]
    assert DISCLOSURE in alert and "roi" in alert
    assert await _count(database, CaseRow) == 1


async def test_notes_and_referrals_stay_with_the_desk(
    child: Chat, database: Database, desk_pipeline: Pipeline, outbox: Desks
) -> None:
    case = await _open_case(child, database)
    before = await outbox.to(child.user)
    [notice] = await desk_pipeline.desk(WORKER, Note(case.id, "gọi cho cán bộ xã"))
    assert str(case.id) in notice.text
    await desk_pipeline.desk(WORKER, Refer(case.id, Referral.COMMUNE))
    assert await outbox.to(child.user) == before  # neither is sent to the child
    stored = await _case(database)
    assert (stored.status, stored.referred_to) == ("referred", "commune")
    await desk_pipeline.desk(WORKER, Close(case.id, Outcome.REFERRED))
    assert (await _case(database)).outcome == "referred"
    async with database.session() as session:
        notes = [
            (m.direction, m.author)
            for m in (await session.execute(select(CaseMessageRow))).scalars()
            if m.direction == "note"
        ]
    assert notes == [("note", (await _case(database)).assignee)]
    assert [a.split(":")[1] for a in await _audit(database)][-3:] == ["note", "referred", "closed"]
