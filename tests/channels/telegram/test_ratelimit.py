"""The flood limiter with a fake clock: bursts, sustained rates, groups, pauses."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.channels.telegram.config import TelegramConfig
from bot.channels.telegram.ratelimit import Bucket, RateLimiter
from bot.core.outbox import Priority

TELEGRAM = TelegramConfig(token="1:x", content_dir=Path("content"))  # Telegram's own numbers
# per-chat limits alone: the bot-wide window wide open (its spacing is then too small to see)
PER_CHAT = TelegramConfig(token="1:x", content_dir=Path("content"), global_rate=100_000.0)


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


def waits(clock: Clock) -> list[float]:
    return [s for s in clock.slept if s > 0]


async def test_one_message_a_second_per_chat_after_a_burst_of_three() -> None:
    rate, clock = limiter(PER_CHAT)
    for _ in range(5):
        await rate.wait(1001)
    assert waits(clock) == [1.0, 1.0]


async def test_other_chats_do_not_wait_for_a_busy_one() -> None:
    rate, clock = limiter(PER_CHAT)
    for _ in range(3):
        await rate.wait(1001)
    await rate.wait(1002)
    assert waits(clock) == []


async def test_groups_get_twenty_a_minute() -> None:
    rate, clock = limiter(PER_CHAT)
    for _ in range(4):
        await rate.wait(-100500)
    assert waits(clock) == [3.0]


async def test_no_second_holds_more_than_thirty_overall() -> None:
    rate, clock = limiter()
    times = []
    for chat in range(95):
        await rate.wait(chat + 1)
        times.append(clock.now)
    # a sliding window: any 31 consecutive messages span more than a second
    assert all(times[i + 30] - times[i] > 1.0 for i in range(len(times) - 30))
    assert times[-1] - times[0] < 3.2  # and it keeps up the rate: 95 in a little over 3 s


async def test_a_reply_goes_ahead_of_broadcasts_already_waiting() -> None:
    config = TelegramConfig(token="1:x", content_dir=Path("content"), global_rate=2.0)
    rate = RateLimiter(config)  # real time: the broadcasts queue in the window
    order: list[str] = []

    async def send(name: str, chat: int, priority: Priority) -> None:
        await rate.wait(chat, priority)
        order.append(name)

    broadcasts = [asyncio.create_task(send(f"b{i}", 100 + i, Priority.BROADCAST)) for i in range(4)]
    await asyncio.sleep(0.05)  # one went at once, three wait their turn
    reply = asyncio.create_task(send("reply", 7, Priority.CASE))
    await asyncio.gather(reply, *broadcasts)
    assert order[:2] == ["b0", "reply"]


async def test_after_429s_broadcasts_step_back_and_replies_do_not() -> None:
    rate, clock = limiter()
    await rate.wait(1001, Priority.BROADCAST)
    rate.pause(1001, 5)  # one: only that chat waits
    await rate.wait(1004, Priority.BROADCAST)
    assert clock.now < 100.5
    rate.pause(1004, 5)  # a second soon after: the bot goes too fast
    started = clock.now
    await rate.wait(1002, Priority.CASE)
    assert clock.now - started < 0.1  # a reply to someone else goes at once (evenly spaced)
    await rate.wait(1003, Priority.BROADCAST)
    assert clock.now - started >= 5.0


async def test_paid_broadcasts_have_their_own_window() -> None:
    config = TelegramConfig(
        token="1:x", content_dir=Path("content"), global_rate=1.0, paid_broadcast=True
    )
    rate, clock = limiter(config)
    for chat in range(50):
        await rate.wait(chat + 1, Priority.BROADCAST)
    assert sum(clock.slept) < 0.1 and rate.paid_for(Priority.BROADCAST)  # 1,000 a second
    await rate.wait(999, Priority.CASE)
    await rate.wait(998, Priority.CASE)  # replies keep the free window's limit: 1 a second
    assert max(clock.slept) >= 1.0 and not rate.paid_for(Priority.CASE)


async def test_pause_after_retry_after() -> None:
    rate, clock = limiter(PER_CHAT)
    await rate.wait(1001)
    rate.pause(1001, 7)
    await rate.wait(1001)
    assert waits(clock) == [7.0]


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
