"""Per-user locks in a real Redis: two workers never handle one user's messages at once."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest

from bot.core.messages import UserRef
from bot.storage.redis_locks import RedisLocks

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (CI sets it)")


@pytest.fixture
async def workers() -> AsyncIterator[tuple[RedisLocks, RedisLocks]]:
    assert REDIS_URL is not None
    first, second = RedisLocks.from_url(REDIS_URL), RedisLocks.from_url(REDIS_URL)
    yield first, second
    await first.close()
    await second.close()


async def test_one_user_is_handled_by_one_worker_at_a_time(
    workers: tuple[RedisLocks, RedisLocks],
) -> None:
    user = UserRef("telegram", f"lock-test-{os.getpid()}")
    inside = 0
    most = 0

    async def handle(locks: RedisLocks) -> None:
        nonlocal inside, most
        async with locks.hold(user):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.02)
            inside -= 1

    await asyncio.gather(*(handle(workers[i % 2]) for i in range(6)))
    assert most == 1


async def test_different_users_do_not_wait_for_each_other(
    workers: tuple[RedisLocks, RedisLocks],
) -> None:
    first, second = workers
    async with first.hold(UserRef("telegram", "a-lock")):
        await asyncio.wait_for(_enter(second, UserRef("telegram", "b-lock")), timeout=2)


async def _enter(locks: RedisLocks, user: UserRef) -> None:
    async with locks.hold(user):
        pass
