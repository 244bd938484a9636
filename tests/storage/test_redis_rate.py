"""A send rate held across processes in Redis (GCRA), and per process while Redis is down."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from uuid import uuid4

import pytest

from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.ratelimit import RateLimiter
from bot.storage.redis_rate import RedisRates
from tests.conftest import ROOT

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (CI sets it)")
async def test_two_processes_together_keep_to_one_rate() -> None:
    assert REDIS_URL is not None
    first, second = RedisRates.from_url(REDIS_URL), RedisRates.from_url(REDIS_URL)
    key = f"test:{uuid4()}"
    try:
        delays = await asyncio.gather(
            *(rates.reserve(key, 10.0) for _ in range(15) for rates in (first, second))
        )
    finally:
        await first.close()
        await second.close()
    # 30 sends at 10 a second: the slots are 0.1 s apart whichever process asked
    spaced = sorted(delays)
    assert spaced[0] < 0.05
    for k, delay in enumerate(spaced):
        assert delay >= k * 0.1 - 0.05, (k, delay)
    assert spaced[-1] >= 2.8  # not 1.4 s, as two separate limits would give


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_redis_down_the_process_limit_alone_applies(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rates = RedisRates.from_url(f"redis://127.0.0.1:{_closed_port()}/0")
    with caplog.at_level(logging.WARNING):
        delays = [await rates.reserve("telegram:1:all", 30.0) for _ in range(5)]
    assert delays == [0.0] * 5 and rates.degraded
    assert len([r for r in caplog.records if "Redis unavailable" in r.getMessage()]) == 1
    await rates.close()


class Recorded:
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.asked: list[tuple[str, float]] = []

    async def reserve(self, key: str, rate: float) -> float:
        self.asked.append((key, rate))
        return self.delay


async def test_the_telegram_limiter_waits_for_the_shared_slot() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    shared = Recorded(0.25)
    config = TelegramConfig(token="123:abc", content_dir=ROOT / "content", global_rate=30.0)
    limiter = RateLimiter(config, clock=lambda: 100.0, sleep=sleep, shared=shared)
    await limiter.wait(42)
    assert shared.asked == [("telegram:123:all", 30.0)]
    assert slept == [0.25]
