"""The OA's rate limiter: within the rate at once; when full, the most urgent waiter first."""

from __future__ import annotations

import asyncio

from bot.channels.zalo.limiter import REPLY, PriorityLimiter
from bot.core.outbox import Priority


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_a_burst_goes_at_once_then_the_rate_holds() -> None:
    clock = Clock()
    limiter = PriorityLimiter(rate=2.0, burst=2, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(5):
        await limiter.wait(Priority.CASE)
        times.append(clock.now)
    assert times == [100.0, 100.0, 100.5, 101.0, 101.5]


async def test_a_reply_waits_less_than_a_campaign_queued_before_it() -> None:
    clock = Clock()
    limiter = PriorityLimiter(rate=1.0, burst=1, clock=clock, sleep=clock.sleep)
    await limiter.wait(Priority.CASE)  # the bucket is now full
    order: list[str] = []

    async def send(name: str, priority: int) -> None:
        await limiter.wait(priority)
        order.append(name)

    campaign = [asyncio.create_task(send(f"c{n}", Priority.BROADCAST)) for n in range(3)]
    await asyncio.sleep(0)
    case = asyncio.create_task(send("case", Priority.CASE))
    reply = asyncio.create_task(send("reply", REPLY))
    await asyncio.gather(*campaign, case, reply)
    assert order == ["reply", "case", "c0", "c1", "c2"]


async def test_a_pause_holds_everybody_back() -> None:
    clock = Clock()
    limiter = PriorityLimiter(rate=10.0, burst=1, clock=clock, sleep=clock.sleep)
    limiter.pause(30)
    await limiter.wait(REPLY)
    assert clock.now >= 130.0


async def test_a_waiter_that_gives_up_takes_no_slot() -> None:
    clock = Clock()
    limiter = PriorityLimiter(rate=1.0, burst=1, clock=clock, sleep=clock.sleep)
    await limiter.wait(Priority.CASE)
    gone = asyncio.create_task(limiter.wait(REPLY))
    await asyncio.sleep(0)
    gone.cancel()
    await limiter.wait(Priority.BROADCAST)
    assert clock.now == 101.0 and limiter.waiting == 0
