"""Per-user order, cross-user concurrency, back-pressure and shutdown of the update queue."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.channels.ordering import OrderedTasks


async def test_in_order_per_key_and_concurrent_across_keys() -> None:
    tasks = OrderedTasks()
    log: list[str] = []
    gate = asyncio.Event()

    def job(name: str, wait: bool = False) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            log.append(f"{name}>")
            if wait:
                await gate.wait()
            await asyncio.sleep(0)
            log.append(f"<{name}")

        return run

    await tasks.submit("a", job("a1", wait=True))
    await tasks.submit("a", job("a2"))
    await tasks.submit("b", job("b1"))
    await asyncio.sleep(0.01)
    assert log == ["a1>", "b1>", "<b1"]  # b ran while a1 waited; a2 waited for a1
    gate.set()
    await tasks.join()
    assert log[3:] == ["<a1", "a2>", "<a2"]


async def test_a_failing_job_does_not_stop_the_queue() -> None:
    tasks = OrderedTasks()
    done: list[int] = []

    async def boom() -> None:
        raise RuntimeError("x")

    async def ok() -> None:
        done.append(1)

    await tasks.submit("a", boom)
    await tasks.submit("a", ok)
    await tasks.join()
    assert done == [1] and tasks.busy == 0


async def test_submit_waits_when_too_much_is_pending() -> None:
    tasks = OrderedTasks(max_pending=2)
    gate = asyncio.Event()

    async def slow() -> None:
        await gate.wait()

    await tasks.submit("a", slow)
    await tasks.submit("b", slow)
    third = asyncio.create_task(tasks.submit("c", slow))
    await asyncio.sleep(0.01)
    assert not third.done()
    gate.set()
    await third
    await tasks.join()


async def test_close_cancels_what_does_not_finish_in_time() -> None:
    tasks = OrderedTasks()

    async def forever() -> None:
        await asyncio.Event().wait()

    await tasks.submit("a", forever)
    tasks.spawn(forever())
    await tasks.close(grace=0.01)
    assert tasks.busy == 0
