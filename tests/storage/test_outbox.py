"""The outbox table and its dispatcher, on SQLite and PostgreSQL: claims, order, retries, dead
letters, leases, and several dispatchers at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.core.dispatcher import Dispatcher, DispatchOptions, backoff
from bot.core.messages import Button, Reply, UserRef
from bot.core.outbox import Delivery, Envelope, Outgoing, Priority, Result, Status
from bot.storage.database import Database
from bot.storage.models import OutboxRow
from bot.storage.outbox import SqlOutboxQueue
from tests.conftest import FakeClock

ANNA = UserRef("test", "anna")
BINH = UserRef("test", "binh")


class Channel:
    """A push channel that answers from a script, then SENT; records what it got."""

    def __init__(self, script: list[Delivery] | None = None, delay: float = 0.0) -> None:
        self.script = list(script or [])
        self.delay = delay
        self.got: list[tuple[UserRef, str]] = []

    async def deliver(self, envelope: Envelope) -> Delivery:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.script:
            return self.script.pop(0)
        self.got.extend((envelope.to, reply.text) for reply in envelope.replies)
        return Delivery.sent()


async def enqueue(database: Database, clock: FakeClock, *messages: Outgoing) -> None:
    async with database.store() as store:
        for message in messages:
            await store.outbox.enqueue(message, clock.now())
        await store.commit()


def text(to: UserRef, body: str, **kwargs: object) -> Outgoing:
    return Outgoing(to, (Reply(body),), **kwargs)  # type: ignore[arg-type]


async def rows(database: Database) -> list[OutboxRow]:
    async with database.session() as session:
        return list((await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars())


def dispatcher(
    database: Database, clock: FakeClock, channel: Channel, **options: object
) -> Dispatcher:
    return Dispatcher(
        SqlOutboxQueue(database.engine),
        {"test": channel},
        clock,
        "w1",
        DispatchOptions(**options),  # type: ignore[arg-type]
    )


async def test_a_message_round_trips_with_its_buttons(database: Database, clock: FakeClock) -> None:
    reply = Reply("hi", buttons=((Button.phone("111", "111"),),), markdown=True)
    await enqueue(database, clock, Outgoing(ANNA, (reply,)))
    queue = SqlOutboxQueue(database.engine)
    (envelope,) = await queue.claim(["test"], 10, "w1", clock.now(), timedelta(seconds=30))
    assert envelope.replies == (reply,) and envelope.to == ANNA and envelope.attempts == 1
    assert await queue.claim(["test"], 10, "w2", clock.now(), timedelta(seconds=30)) == []


async def test_sent_rows_keep_no_text(database: Database, clock: FakeClock) -> None:
    channel = Channel()
    await enqueue(database, clock, text(ANNA, "một điều riêng tư"))
    assert await dispatcher(database, clock, channel).drain_once() == 1
    (row,) = await rows(database)
    assert (row.status, row.payload, row.sent_at) == ("sent", None, clock.now())
    assert channel.got == [(ANNA, "một điều riêng tư")]


async def test_each_recipient_keeps_order_and_cases_never_wait_behind_broadcasts(
    database: Database, clock: FakeClock
) -> None:
    await enqueue(
        database,
        clock,
        text(ANNA, "a1"),
        text(BINH, "b1", priority=Priority.BROADCAST),
        text(ANNA, "a2"),
        text(ANNA, "a3", priority=Priority.BROADCAST),
        text(BINH, "b-case", priority=Priority.CASE),
    )
    queue = SqlOutboxQueue(database.engine)
    first = await queue.claim(["test"], 10, "w1", clock.now(), timedelta(seconds=30))
    # Anna's second waits for her first, her broadcast for both; Binh's case message does not
    # wait for the broadcast queued before it
    assert [e.replies[0].text for e in first] == ["a1", "b1", "b-case"]
    await queue.settle([(e, Status.SENT, "") for e in first], clock.now())
    channel = Channel()
    d = dispatcher(database, clock, channel, batch=1)
    while await d.drain_once():
        pass
    assert [t for _, t in channel.got] == ["a2", "a3"]


async def test_failures_back_off_then_become_dead_letters(
    database: Database, clock: FakeClock
) -> None:
    retry = Delivery(Result.RETRY, error="timeout")
    channel = Channel([retry, retry, retry])
    d = dispatcher(database, clock, channel, max_attempts=3, backoff_base=10.0)
    await enqueue(database, clock, text(ANNA, "hello"))
    assert await d.drain_once() == 1
    (row,) = await rows(database)
    assert row.status == "pending" and row.last_error == "timeout"
    assert timedelta(seconds=5) <= row.available_at - clock.now() <= timedelta(seconds=10)
    assert await d.drain_once() == 0  # not due yet
    clock.advance(seconds=11)
    await d.drain_once()
    clock.advance(seconds=21)
    await d.drain_once()
    (row,) = await rows(database)
    assert (row.status, row.attempts) == ("dead", 3)
    assert row.payload is not None  # a dead letter keeps its message, for an operator
    assert channel.got == []


async def test_retry_after_is_honoured(database: Database, clock: FakeClock) -> None:
    channel = Channel([Delivery(Result.RETRY, retry_after=42.0, error="429")])
    d = dispatcher(database, clock, channel)
    await enqueue(database, clock, text(ANNA, "hello"))
    await d.drain_once()
    (row,) = await rows(database)
    assert row.available_at - clock.now() == timedelta(seconds=42)


@pytest.mark.parametrize(
    ("result", "status"),
    [
        (Result.UNREACHABLE, "unreachable"),
        (Result.OUTSIDE_WINDOW, "outside-window"),
        (Result.REJECTED, "dead"),
    ],
)
async def test_final_answers_are_never_retried(
    database: Database, clock: FakeClock, result: Result, status: str
) -> None:
    channel = Channel([Delivery(result, error="x")])
    d = dispatcher(database, clock, channel)
    await enqueue(database, clock, text(ANNA, "hello"))
    await d.drain_once()
    clock.advance(hours=1)
    assert await d.drain_once() == 0
    assert [r.status for r in await rows(database)] == [status]


async def test_a_claim_whose_lease_ran_out_is_claimed_again(
    database: Database, clock: FakeClock
) -> None:
    await enqueue(database, clock, text(ANNA, "hello"))
    queue = SqlOutboxQueue(database.engine)
    lease = timedelta(seconds=30)
    assert len(await queue.claim(["test"], 10, "dead-worker", clock.now(), lease)) == 1
    assert await queue.claim(["test"], 10, "w2", clock.now(), lease) == []
    clock.advance(seconds=31)
    (again,) = await queue.claim(["test"], 10, "w2", clock.now(), lease)
    assert again.attempts == 2


async def test_a_dedupe_key_is_queued_once(database: Database, clock: FakeClock) -> None:
    await enqueue(database, clock, text(ANNA, "tip", dedupe_key="tip:1:anna"))
    await enqueue(database, clock, text(ANNA, "tip", dedupe_key="tip:1:anna"))
    assert len(await rows(database)) == 1


async def test_pull_channels_take_their_rows_in_order(database: Database, clock: FakeClock) -> None:
    web = UserRef("web", "session-0123456789")
    await enqueue(database, clock, text(web, "one"), text(ANNA, "other"), text(web, "two"))
    queue = SqlOutboxQueue(database.engine)
    taken = await queue.claim_for(web, 10, "w1", clock.now(), timedelta(seconds=30))
    assert [e.replies[0].text for e in taken] == ["one", "two"]
    assert await queue.depth() == {"test": 1, "web": 2}
    await queue.settle([(e, Status.SENT, "") for e in taken], clock.now())
    assert await queue.depth() == {"test": 1}


async def test_two_dispatchers_share_the_work_and_send_each_message_once(
    database: Database, clock: FakeClock
) -> None:
    users = [UserRef("test", f"u{i}") for i in range(60)]
    await enqueue(database, clock, *(text(u, f"hello {u.external_id}") for u in users))
    first, second = Channel(delay=0.001), Channel(delay=0.001)
    d1 = dispatcher(database, clock, first, batch=7)
    d2 = dispatcher(database, clock, second, batch=7)

    async def drain(d: Dispatcher) -> None:
        while await d.drain_once():
            pass

    await asyncio.gather(drain(d1), drain(d2))
    sent = [t for _, t in first.got + second.got]
    assert sorted(sent) == sorted(f"hello u{i}" for i in range(60))  # each exactly once
    assert all(r.status == "sent" for r in await rows(database))


async def test_recover_releases_claims_on_sqlite_only(database: Database, clock: FakeClock) -> None:
    await enqueue(database, clock, text(ANNA, "hello"))
    queue = SqlOutboxQueue(database.engine)
    await queue.claim(["test"], 10, "w1", clock.now(), timedelta(minutes=5))
    released = await queue.recover(clock.now())
    expected = 1 if database.engine.dialect.name == "sqlite" else 0
    assert released == expected


def test_backoff_grows_and_is_capped() -> None:
    options = DispatchOptions(backoff_base=2.0, backoff_max=60.0)
    waits = [backoff(n, options) for n in range(1, 10)]
    assert 1.0 <= waits[0] <= 2.0 and all(30.0 <= w <= 60.0 for w in waits[6:])
    assert backoff(3, options, retry_after=5.0) == 5.0


async def test_a_recipient_who_opted_out_is_skipped_at_send_time(
    database: Database, clock: FakeClock
) -> None:
    await enqueue(
        database,
        clock,
        text(ANNA, "campaign", priority=Priority.BROADCAST),
        text(BINH, "campaign", priority=Priority.BROADCAST),
    )
    queue = SqlOutboxQueue(database.engine)
    channel = Channel()
    d = Dispatcher(queue, {"test": channel}, clock, "w1", DispatchOptions())
    # she wrote "dừng": the /stop turn cancels her rows in the database and tells the
    # dispatchers, which skip any of hers they claim or already hold (this row was not cancelled
    # in the database here: it stands for one claimed a moment before)
    d.withdraw([ANNA])
    assert await d.drain_once() == 2
    assert channel.got == [(BINH, "campaign")]
    assert [(r.status, r.last_error) for r in await rows(database)] == [
        ("cancelled", "opted-out"),
        ("sent", None),
    ]
