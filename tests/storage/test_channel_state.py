"""What channels keep in the database: webhook events already taken, and rotating tokens."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import seen as seen_module
from bot.storage.credentials import SqlCredentialStore
from bot.storage.database import Database
from bot.storage.seen import SqlSeenEvents

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=[0.0, 0.05], ids=["workers", "one-process"])
def delay(request: pytest.FixtureRequest) -> float:
    """Recorded before handling (several workers), or remembered and written in batches."""
    return float(request.param)


async def test_an_event_is_first_once_also_after_a_restart(
    database: Database, delay: float
) -> None:
    seen = SqlSeenEvents(database.engine, delay)
    assert await seen.first("zalo", "k1", NOW) is True
    assert await seen.first("zalo", "k1", NOW) is False
    assert await seen.first("telegram", "k1", NOW) is True  # keys are per channel
    await seen.close()  # a restart: what was waiting is written
    assert await SqlSeenEvents(database.engine, delay).first("zalo", "k1", NOW) is False


async def test_concurrent_events_and_a_duplicate_among_them(
    database: Database, delay: float
) -> None:
    seen = SqlSeenEvents(database.engine, delay)
    keys = [f"k{n}" for n in range(40)] + ["k7", "k7"]
    answers = await asyncio.gather(*(seen.first("zalo", key, NOW) for key in keys))
    firsts = {key for key, first in zip(keys, answers, strict=True) if first}
    assert firsts == {f"k{n}" for n in range(40)}
    assert sum(answers) == 40  # "k7" was first exactly once of its three
    await seen.close()


async def test_one_process_writes_its_records_in_batches(database: Database) -> None:
    seen = SqlSeenEvents(database.engine, delay=0.05)
    for n in range(5):
        assert await seen.first("zalo", f"k{n}", NOW)
    other = SqlSeenEvents(database.engine)  # another process reading the table
    await asyncio.sleep(0.2)  # the batch is written a moment later
    assert not await other.first("zalo", "k3", NOW)
    await seen.close()


async def test_one_process_looks_up_what_it_cannot_remember(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = SqlSeenEvents(database.engine)  # another worker wrote these
    for n in range(5):
        await writer.first("zalo", f"k{n}", NOW + timedelta(seconds=n))
    monkeypatch.setattr(seen_module, "REMEMBERED", 3)
    seen = SqlSeenEvents(database.engine, delay=0.05)
    assert await seen.first("zalo", "k4", NOW) is False  # remembered from the table
    assert await seen.first("zalo", "k0", NOW) is False  # forgotten here, found there
    assert await seen.first("zalo", "k9", NOW) is True
    await seen.close()


async def test_purge_forgets_old_events(database: Database) -> None:
    seen = SqlSeenEvents(database.engine)
    await seen.first("zalo", "old", NOW - timedelta(days=3))
    await seen.first("zalo", "new", NOW)
    assert await seen.purge(NOW - timedelta(days=2)) == 1
    assert await seen.first("zalo", "old", NOW) is True
    assert await seen.first("zalo", "new", NOW) is False


async def test_credentials_are_replaced_together(database: Database) -> None:
    store = SqlCredentialStore(database.engine)
    assert await store.load("zalo") is None
    async with store.exclusive("zalo") as slot:
        assert slot.current is None
        await slot.replace("a1", "r1", NOW, "seed")
    async with store.exclusive("zalo") as slot:
        assert slot.current is not None and slot.current.refresh == "r1"
        await slot.replace("a2", "r2", NOW + timedelta(hours=25), "seed")
    stored = await store.load("zalo")
    assert stored is not None and (stored.access, stored.refresh) == ("a2", "r2")
    assert stored.expires_at == NOW + timedelta(hours=25)


async def test_a_failed_hold_changes_nothing(database: Database) -> None:
    store = SqlCredentialStore(database.engine)
    async with store.exclusive("zalo") as slot:
        await slot.replace("a1", "r1", None, "seed")
    with pytest.raises(RuntimeError):
        async with store.exclusive("zalo") as slot:
            await slot.replace("a2", "r2", None, "seed")
            raise RuntimeError("the refresh answer could not be used")
    stored = await store.load("zalo")
    assert stored is not None and stored.access == "a1"


async def _increment(store: SqlCredentialStore) -> None:
    async with store.exclusive("zalo") as slot:
        count = int(slot.current.access) if slot.current else 0
        await asyncio.sleep(0.05)  # a slow refresh: the other holder must wait, not read
        await slot.replace(str(count + 1), "r", None, "seed")


async def test_holders_take_turns_in_one_process(database: Database) -> None:
    store = SqlCredentialStore(database.engine)
    await asyncio.gather(*(_increment(store) for _ in range(3)))
    stored = await store.load("zalo")
    assert stored is not None and stored.access == "3"


async def test_holders_take_turns_across_connections_pools(database_url: str) -> None:
    """Two workers (each with its own engine) on PostgreSQL: the advisory lock serialises them."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process")
    first, second = Database.from_url(database_url), Database.from_url(database_url)
    try:
        stores = [SqlCredentialStore(first.engine), SqlCredentialStore(second.engine)]
        await asyncio.gather(*(_increment(store) for store in stores * 2))
        stored = await stores[0].load("zalo")
        assert stored is not None and stored.access == "4"
    finally:
        await first.close()
        await second.close()
