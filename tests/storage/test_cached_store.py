"""The cached unit of work: routine writes wait and land in batches; safety writes never wait;
a database outage loses nothing; a late batch never undoes a newer save or a /forget."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from bot.app import store_factory
from bot.core.messages import ButtonKind, UserRef
from bot.core.pipeline import Pipeline
from bot.core.services import Services
from bot.storage.cached import UNANSWERED, CachedStores
from bot.storage.database import Database
from bot.storage.models import CaseRow, EventRow, UserRow
from bot.storage.repositories import profile_values
from bot.storage.writebehind import BufferFull, ProfileWrite, RowInsert
from tests.conftest import Chat, FakeClock, settings_for
from tests.core.test_cases import DISCLOSURE, desk_services

USER = UserRef("test", "42")


@pytest.fixture
async def cached(database: Database) -> AsyncIterator[CachedStores]:
    stores = CachedStores(database, delay=3600)  # the flusher never fires by itself here
    yield stores
    await stores.close()


@pytest.fixture
def quiet(services: Services, cached: CachedStores, clock: FakeClock) -> Chat:
    """A chat whose batched writes are flushed only when a test says so."""
    pipeline = Pipeline(desk_services(services), cached, clock=clock)
    return Chat(pipeline, user=USER, locale_hint="en", flush=False)


async def _user(database: Database, ref: UserRef = USER) -> UserRow | None:
    async with database.session() as session:
        return (
            await session.execute(
                select(UserRow).where(
                    UserRow.channel == ref.channel, UserRow.external_id == ref.external_id
                )
            )
        ).scalar_one_or_none()


async def _count(database: Database, table: type[EventRow] | type[CaseRow]) -> int:
    async with database.session() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_routine_writes_wait_then_land_in_one_batch(
    quiet: Chat, cached: CachedStores, database: Database
) -> None:
    await quiet.onboard("vi", "parent")
    await cached.flush()
    onboarded = await _user(database)
    events = await _count(database, EventRow)
    assert onboarded is not None
    for command in ("/help", "/topics", "/tip"):
        await quiet.send(command)
    row = await _user(database)
    assert row is not None and row.version == onboarded.version  # not yet saved
    assert await _count(database, EventRow) == events
    assert cached.writer.pending > 0

    written = await cached.flush()
    row = await _user(database)
    assert row is not None and row.version == onboarded.version + 3  # a save per turn, once
    assert written == 1 + await _count(database, EventRow) - events
    assert cached.writer.pending == 0


async def test_what_the_bot_confirms_is_on_disk_before_the_reply(
    quiet: Chat, cached: CachedStores, database: Database
) -> None:
    """Issue #18 defect 6: consent (and language, role, subscriptions, /stop) acknowledged to
    the user once waited in the batch, lost on kill -9. Nothing is flushed here: what the
    database holds after each reply is what a crash right then would leave."""
    await quiet.send("/start")
    await quiet.press("lang:vi")
    row = await _user(database)
    assert row is not None and row.locale == "vi"
    await quiet.press("role:parent")
    if any(b.value == "commune:none" for r in quiet.last for line in r.buttons for b in line):
        await quiet.press("commune:none")
    await quiet.press("consent:")
    row = await _user(database)
    assert row is not None and (row.role, row.consent_by) == ("parent", "self")
    assert row.consent_at is not None
    await quiet.send("/stop")
    row = await _user(database)
    assert row is not None and row.opted_out


async def test_the_cache_answers_while_writes_wait(quiet: Chat, cached: CachedStores) -> None:
    await quiet.onboard("en", "parent")
    await quiet.send("/help")  # an onboarded user: nothing asks for language or role again
    assert "language" not in quiet.texts().lower() or "/language" in quiet.texts()
    profile = await cached.load(USER)
    assert profile is not None and profile.onboarded and profile.locale == "en"


async def test_a_late_batch_never_undoes_a_newer_save(
    cached: CachedStores, database: Database, clock: FakeClock
) -> None:
    profile = await cached.get_or_create(USER, clock.now())
    newer = {**profile_values(profile), "state": "ready", "version": 3}
    older = {**profile_values(profile), "state": "ask-role", "version": 2}
    await cached.writer.submit([ProfileWrite(USER, newer)], [])
    await cached.flush()
    await cached.writer.submit([ProfileWrite(USER, older)], [])
    await cached.flush()
    row = await _user(database)
    assert row is not None and (row.state, row.version) == ("ready", 3)


async def test_forget_is_immediate_and_no_queued_write_brings_the_user_back(
    quiet: Chat, cached: CachedStores, database: Database
) -> None:
    await quiet.onboard("en", "parent")
    assert cached.writer.pending > 0
    await quiet.send("/forget")
    await quiet.press("forget:1")
    assert await _user(database) is None  # deleted before the reply, not a moment later
    await cached.flush()
    assert await _user(database) is None
    assert await cached.load(USER) is None


async def test_a_safety_case_is_on_disk_before_the_reply(
    services: Services, cached: CachedStores, database: Database, clock: FakeClock
) -> None:
    chat = Chat(Pipeline(desk_services(services), cached, clock=clock), flush=False)
    await chat.onboard("vi", "child", "11-15")
    await chat.send(DISCLOSURE)
    await chat.press("case:yes")
    assert await _count(database, CaseRow) == 1  # no flush: the case turn is durable
    row = await _user(database, chat.user)
    assert row is not None and row.state_data.get("case") is True  # and so is its profile


async def test_blocked_after_a_queued_save_stays_blocked(
    quiet: Chat, cached: CachedStores, database: Database, services: Services
) -> None:
    await quiet.send("/start")  # a save waits in the queue
    await quiet.pipeline.mark_reachable(USER, False)
    await cached.flush()
    row = await _user(database)
    assert row is not None and row.blocked


async def _break(database: Database, table: str) -> None:
    async with database.engine.begin() as conn:
        await conn.execute(text(f"ALTER TABLE {table} RENAME TO {table}_away"))


async def _mend(database: Database, table: str) -> None:
    async with database.engine.begin() as conn:
        await conn.execute(text(f"ALTER TABLE {table}_away RENAME TO {table}"))


async def test_an_outage_keeps_every_write_for_later(
    quiet: Chat, cached: CachedStores, database: Database
) -> None:
    await quiet.onboard("en", "parent")
    queued = cached.writer.pending
    await _break(database, "events")
    with pytest.raises(Exception):  # noqa: B017 - each backend raises its own error
        await cached.flush()
    assert cached.writer.pending == queued
    await quiet.send("/help")  # the bot still answers known users meanwhile
    assert quiet.last and "wrong" not in quiet.texts()
    await _mend(database, "events")
    await cached.flush()
    assert cached.writer.pending == 0
    assert await _count(database, EventRow) >= 4
    row = await _user(database)
    assert row is not None and row.state == "ready"


async def test_a_full_queue_with_the_database_down_fails_the_turn_with_the_hotline(
    services: Services, database: Database, clock: FakeClock
) -> None:
    stores = CachedStores(database, delay=3600, max_pending=6)
    chat = Chat(Pipeline(services, stores, clock=clock), locale_hint="en", flush=False)
    try:
        await chat.onboard("en", "parent")
        await _break(database, "events")
        for _ in range(6):
            await chat.send("/help")
            if "wrong" in chat.texts():
                break
        assert "wrong" in chat.texts()
        assert "111" in [
            b.value
            for r in chat.last
            for row in r.buttons
            for b in row
            if b.kind is ButtonKind.PHONE
        ]
        kept = stores.writer.pending
        assert kept > 0
        with pytest.raises(BufferFull):
            await stores.writer.submit([], [RowInsert(UNANSWERED, {})] * 10)
        assert stores.writer.pending == kept  # the refused turn queued nothing, lost nothing
        await _mend(database, "events")
        await stores.flush()
        assert await _count(database, EventRow) >= 4
    finally:
        await stores.close()


async def _routine_writes_waiting(quiet: Chat, cached: CachedStores, database: Database) -> int:
    """An onboarded user's routine turns waiting in the batch: the events there will be once
    it lands (a profile save and some events wait)."""
    await quiet.onboard("en", "parent")
    await cached.flush()
    await quiet.send("/help")
    await quiet.send("/topics")
    assert cached.writer.pending > 1
    return await _count(database, EventRow) + cached.writer.pending - 1  # one profile save


async def test_a_write_the_database_refuses_is_dropped_alone(
    quiet: Chat, cached: CachedStores, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    events = await _routine_writes_waiting(quiet, cached, database)
    bad = RowInsert(UNANSWERED, {"at": datetime.now(UTC), "lang": None, "text": "x"})  # NOT NULL
    await cached.writer.submit([], [bad])
    with caplog.at_level(logging.ERROR):
        await cached.flush()
    assert cached.writer.dropped == 1
    assert await _count(database, EventRow) == events
    assert "unanswered" in [getattr(r, "kind", None) for r in caplog.records]
    assert "x" not in caplog.text.split()  # never the content


@pytest.mark.parametrize("bad_text", ["\ud800 lone", "nul \x00 byte"])
async def test_a_write_the_driver_cannot_encode_is_set_aside_alone(
    quiet: Chat,
    cached: CachedStores,
    database: Database,
    caplog: pytest.LogCaptureFixture,
    bad_text: str,
) -> None:
    """A value no driver takes (a lone surrogate; a NUL, which PostgreSQL refuses) once held
    the whole batch back for ever, retried as if the database were down."""
    events = await _routine_writes_waiting(quiet, cached, database)
    bad = RowInsert(UNANSWERED, {"at": datetime.now(UTC), "lang": "vi", "text": bad_text})
    await cached.writer.submit([], [bad])
    with caplog.at_level(logging.ERROR):
        await cached.flush()  # does not raise: the rest lands
    assert cached.writer.pending == 0
    assert await _count(database, EventRow) == events
    row = await _user(database)
    assert row is not None and row.consent_at is not None
    if cached.writer.dropped:  # SQLite stores a NUL; nothing else may be refused
        assert cached.writer.dropped == 1
        assert "unanswered" in [getattr(r, "kind", None) for r in caplog.records]
    assert "lone" not in caplog.text and "byte" not in caplog.text  # never the content


async def test_a_lone_surrogate_from_a_user_loses_nothing_for_anyone(
    quiet: Chat, cached: CachedStores, database: Database, services: Services, clock: FakeClock
) -> None:
    """Defect 1 of issue #18, end to end: the text is cleaned where it enters the core, so the
    unanswered question lands, the writer stays healthy and /forget works for everyone."""
    other = Chat(quiet.pipeline, user=UserRef("web", "b" * 16), locale_hint="en", flush=False)
    await quiet.onboard("en", "parent")
    await other.onboard("vi", "parent")
    await quiet.send("\ud800 zzqx wibble frobnicate \udfff")
    assert quiet.last
    await cached.flush()
    assert cached.writer.pending == 0 and cached.writer.dropped == 0
    async with database.session() as session:
        texts = (await session.execute(select(UNANSWERED.c.text))).scalars().all()
    assert any("zzqx" in t and "\ud800" not in t for t in texts)
    row = await _user(database, other.user)
    assert row is not None and row.locale == "vi"
    await quiet.send("/forget")
    await quiet.press("forget:1")
    assert await _user(database) is None


async def test_a_turn_that_fails_leaves_the_cached_profile_as_it_was(
    quiet: Chat, cached: CachedStores, monkeypatch: pytest.MonkeyPatch
) -> None:
    await quiet.onboard("en", "parent")

    async def broken(turn: object) -> None:
        turn.profile.locale = "vi"  # type: ignore[attr-defined]
        raise RuntimeError("a bug half-way through a turn")

    monkeypatch.setattr(quiet.pipeline.dialog, "handle", broken)
    await quiet.send("hello")
    assert "wrong" in quiet.texts()
    profile = await cached.load(USER)
    assert profile is not None and profile.locale == "en"


async def test_an_evicted_profile_with_a_queued_save_is_read_back_current(
    services: Services, database: Database, clock: FakeClock
) -> None:
    stores = CachedStores(database, delay=3600, cache_size=1)
    pipeline = Pipeline(services, stores, clock=clock)
    first, second = Chat(pipeline, flush=False), Chat(pipeline, UserRef("test", "43"), flush=False)
    try:
        await first.onboard("en", "parent")
        await second.send("/start")  # evicts the first user while their saves wait
        profile = await stores.load(first.user)
        assert profile is not None and profile.onboarded and profile.locale == "en"
    finally:
        await stores.close()


async def test_close_writes_what_is_left(
    services: Services, database: Database, clock: FakeClock
) -> None:
    stores = CachedStores(database, delay=3600)
    chat = Chat(Pipeline(services, stores, clock=clock), flush=False)
    await chat.onboard("en", "parent")
    await stores.close()
    row = await _user(database)
    assert row is not None and row.state == "ready"


async def test_the_flusher_writes_by_itself(
    services: Services, database: Database, clock: FakeClock
) -> None:
    stores = CachedStores(database, delay=0.01)
    chat = Chat(Pipeline(services, stores, clock=clock), flush=False)
    try:
        await chat.onboard("en", "parent")
        for _ in range(200):
            row = await _user(database)
            if row is not None and row.state == "ready":
                break
            await asyncio.sleep(0.01)
        assert row is not None and row.state == "ready"
    finally:
        await stores.close()


def test_one_process_caches_and_several_workers_do_not(database: Database) -> None:
    assert isinstance(store_factory(settings_for(), database), CachedStores)
    assert not isinstance(
        store_factory(settings_for(redis_url="redis://127.0.0.1:6379/15"), database),
        CachedStores,
    )
    assert not isinstance(store_factory(settings_for(write_behind_ms=0), database), CachedStores)


async def test_a_user_another_process_created_meanwhile_is_read_back(
    database: Database, database_url: str
) -> None:
    """First sight lost a race (SELECT found nobody, then the INSERT hit the unique key)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the other process is staged with a second SQLite connection")
    path = database_url.split(":///", 1)[1]
    ref = UserRef("test", "race")

    def other_process_first(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO users"):
            other = sqlite3.connect(path)
            with other:  # committed on leaving
                other.execute(
                    "INSERT INTO users (channel, external_id, created_at, last_seen_at, state,"
                    " state_data, subscribed, opted_out, blocked, version)"
                    " VALUES (?, ?, ?, ?, 'new', '{}', 0, 0, 0, 3)",
                    (
                        ref.channel,
                        ref.external_id,
                        "2026-12-01 08:00:00.000000",
                        "2026-12-01 08:00:00.000000",
                    ),
                )
            other.close()

    stores = CachedStores(database, delay=3600)
    event.listen(database.engine.sync_engine, "before_cursor_execute", other_process_first)
    try:
        profile = await stores.get_or_create(ref, datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", other_process_first)
        await stores.close()
    assert profile.version == 3 and profile.id is not None  # the other process's row
    assert not stores.had_no_open_case(ref)  # not known from this lookup: the core will look
    async with database.session() as session:
        rows = (await session.execute(select(func.count()).select_from(UserRow))).scalar_one()
    assert rows == 1
