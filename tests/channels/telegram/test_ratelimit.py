"""The flood limiter with a fake clock: bursts, sustained rates, groups, pauses."""

from __future__ import annotations

from pathlib import Path

from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.ratelimit import Bucket, RateLimiter

TELEGRAM = TelegramConfig(token="1:x", content_dir=Path("content"))  # Telegram's own numbers


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def limiter(config: TelegramConfig = TELEGRAM) -> tuple[RateLimiter, Clock]:
    clock = Clock()
    return RateLimiter(config, clock=clock, sleep=clock.sleep), clock


async def test_one_message_a_second_per_chat_after_a_burst_of_three() -> None:
    rate, clock = limiter()
    for _ in range(5):
        await rate.wait(1001)
    assert clock.slept == [1.0, 1.0]


async def test_other_chats_do_not_wait_for_a_busy_one() -> None:
    rate, clock = limiter()
    for _ in range(3):
        await rate.wait(1001)
    await rate.wait(1002)
    assert clock.slept == []


async def test_groups_get_twenty_a_minute() -> None:
    rate, clock = limiter()
    for _ in range(4):
        await rate.wait(-100500)
    assert clock.slept == [3.0]


async def test_thirty_a_second_overall() -> None:
    rate, clock = limiter()
    for chat in range(31):
        await rate.wait(chat + 1)
    assert clock.slept == [round(1 / 30, 3)]


async def test_pause_after_retry_after() -> None:
    rate, clock = limiter()
    await rate.wait(1001)
    rate.pause(1001, 7)
    await rate.wait(1001)
    assert clock.slept == [7.0]


def test_an_idle_bucket_is_as_good_as_new() -> None:
    bucket = Bucket(rate=1.0, burst=3)
    assert [bucket.reserve(0.0) for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    assert not bucket.idle(3.9) and bucket.idle(4.0)
    assert [bucket.reserve(10.0) for _ in range(3)] == [0.0, 0.0, 0.0]


async def test_idle_chats_are_forgotten() -> None:
    rate, clock = limiter()
    for chat in range(2000):
        await rate.wait(chat + 1)
        clock.now += 5
    assert len(rate.chats) < 1024
