"""The token keeper's corners: a renewal the database could not store is kept, and stored later."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from bot.channels.zalo.api import ZaloApi
from bot.channels.zalo.tokens import TokenKeeper, Tokens
from bot.storage.credentials import StoredCredentials
from tests.fakes.zalo_api import APP_ID, APP_SECRET, FakeZalo


class Held:
    def __init__(self, current: StoredCredentials | None) -> None:
        self.current = current

    async def replace(
        self, access: str, refresh: str, expires_at: datetime | None, seed: str
    ) -> None:
        self.current = StoredCredentials(access, refresh, expires_at, seed)


class FlakyStore:
    """Credentials in memory; ``down`` makes every hold fail when it would be written."""

    def __init__(self) -> None:
        self.value: StoredCredentials | None = None
        self.down = False

    async def load(self, name: str) -> StoredCredentials | None:
        return self.value

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[Held]:
        held = Held(self.value)
        yield held
        if self.down:
            raise ConnectionError("the database went away")
        self.value = held.current


async def test_a_renewal_the_database_missed_is_used_and_stored_later(fake_zalo: FakeZalo) -> None:
    store = FlakyStore()
    api = ZaloApi(fake_zalo.url, fake_zalo.url, APP_ID, APP_SECRET)
    keeper = TokenKeeper(
        api,
        store,
        Tokens.given("access-0", "refresh-0"),
        clock=lambda: datetime.now(UTC),
        margin=timedelta(hours=1),
    )
    try:
        await keeper.load()
        store.down = True
        assert await keeper.refresh() is True  # Zalo spent refresh-0: the new pair is all we have
        assert keeper.access == fake_zalo.access and keeper.problem is None
        assert store.value is not None and store.value.refresh == "refresh-0"

        await keeper.keep()  # still down: kept for later
        store.down = False
        await keeper.keep()
        assert store.value is not None and store.value.refresh == fake_zalo.refresh
        assert fake_zalo.refreshes == 1  # and nothing was spent twice
    finally:
        await api.close()
