"""Limits shared by every worker in Redis; per worker, with one warning, while Redis is down."""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from bot.core.flood import FloodGate
from bot.core.messages import UserRef
from bot.storage.redis_counter import RedisCounter
from bot.storage.redis_locks import RedisLocks

REDIS_URL = os.environ.get("TEST_REDIS_URL")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once the socket is closed


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (CI sets it)")
async def test_two_workers_share_one_flood_limit() -> None:
    assert REDIS_URL is not None
    first, second = RedisCounter.from_url(REDIS_URL), RedisCounter.from_url(REDIS_URL)
    try:
        gates = [FloodGate(limit=10, counter=first), FloodGate(limit=10, counter=second)]
        user = UserRef("web", f"flood-{uuid4()}")
        results = [await gates[n % 2].check(user, NOW) for n in range(16)]
        assert [allowed for allowed, _ in results].count(True) == 10  # not 10 per worker
        assert [first for _, first in results].count(True) == 1  # one notice in all
        later = await gates[0].check(user, NOW + timedelta(minutes=1))
        assert later == (True, False)  # the next window starts afresh
        assert not first.degraded and not second.degraded
    finally:
        await first.close()
        await second.close()


async def test_redis_down_limits_per_worker_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    counter = RedisCounter.from_url(f"redis://127.0.0.1:{_closed_port()}/0")
    gate = FloodGate(limit=3, counter=counter)
    user = UserRef("web", "flood-while-redis-is-down")
    with caplog.at_level(logging.WARNING):
        results = [await gate.check(user, NOW) for _ in range(6)]
    assert [allowed for allowed, _ in results] == [True, True, True, False, False, False]
    assert counter.degraded
    warnings = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(warnings) == 1
    await counter.close()


async def test_redis_down_a_turn_still_gets_its_lock(caplog: pytest.LogCaptureFixture) -> None:
    locks = RedisLocks.from_url(f"redis://127.0.0.1:{_closed_port()}/0")
    user = UserRef("web", "lock-while-redis-is-down")
    entered = 0
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            async with locks.hold(user):
                entered += 1
    assert entered == 3
    assert len([r for r in caplog.records if "Redis unavailable" in r.getMessage()]) == 1
    await locks.close()
