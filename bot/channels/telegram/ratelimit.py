"""Telegram's flood limits as waiting: per chat (groups slower) and for the whole bot.

Per chat: a GCRA bucket (the "virtual scheduling" form of a token bucket): a caller reserves the
next free slot at once, without awaiting, so callers are served in the order they asked, then
sleeps until its slot; ``burst`` messages may go back to back before the sustained rate applies.

For the whole bot: a sliding window, so that no second holds more than ``TELEGRAM_GLOBAL_RATE``
messages (a token bucket would let a full burst and a second's worth of rate share one window),
with the messages evenly spaced (a burst arrives bunched up, and network jitter can then push
one more into a second), shared by replies and broadcasts, with the most urgent waiter served first: a reply to someone
who just wrote, or a case alert, takes the next free slot ahead of every campaign message
already waiting. After a 429 that chat waits ``retry_after``; after a second one within
``FLOOD_SPELL`` the unsolicited traffic (campaigns, tips) steps back for ``retry_after`` too;
replies never wait for it. With ``TELEGRAM_PAID_BROADCAST`` campaign
messages go through their own window of up to 1,000 a second (Telegram's paid broadcasts).

With several processes (``REDIS_URL``) the bot-wide rate is also reserved in Redis
(``SharedRate``) after this process's own window gave the turn: the processes together keep to
it. Priorities hold within a process; across processes slots go in the order they are asked.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections import deque
from collections.abc import Awaitable, Callable

from bot.channels.ports import SharedRate
from bot.channels.telegram.config import TelegramConfig
from bot.core.outbox import UNSOLICITED, Priority

PRUNE_EVERY = 1024
FLOOD_SPELL = 10.0  # seconds: two 429s this close together hold unsolicited traffic back
# the window is kept this much longer than a second: a message stamped here reaches Telegram a
# little later, and network jitter must not put one more in a second than the limit allows
WINDOW_MARGIN = 0.02

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Bucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.interval = 1.0 / rate
        self.tolerance = (burst - 1) * self.interval
        self.tat = 0.0  # theoretical arrival time of the next message

    def reserve(self, now: float) -> float:
        """Take the next slot; return how long to wait for it."""
        tat = max(self.tat, now)
        delay = max(0.0, tat - self.tolerance - now)
        self.tat = tat + self.interval
        return delay

    def pause(self, now: float, seconds: float) -> None:
        """Nothing before ``now + seconds`` (Telegram said: retry after)."""
        self.tat = max(self.tat, now + seconds + self.tolerance)

    def idle(self, now: float) -> bool:
        return self.tat <= now  # as good as new: can be forgotten


class Window:
    """At most ``limit`` messages in any ``window`` seconds; the most urgent waiter goes first."""

    def __init__(self, rate: float, clock: Clock, sleep: Sleep) -> None:
        self.limit = max(1, int(rate))
        self.window = self.limit / rate * (1.0 + WINDOW_MARGIN)
        self.spacing = self.window / self.limit
        self.clock = clock
        self.sleep = sleep
        # the last ``limit`` sends: [when its turn was given, when its caller really went on]
        # (a busy event loop resumes a caller a little late: the window counts the real time,
        # the even spacing the given one, so that lateness does not add up into a lower rate)
        self.sent: deque[list[float]] = deque()
        self.held_until = 0.0  # unsolicited messages wait until then (after a 429)
        self._waiting: list[tuple[int, int, asyncio.Future[list[float]]]] = []
        self._order = itertools.count()
        self._pump: asyncio.Task[None] | None = None

    def _due(self, priority: int) -> float:
        """When the next message of this priority may go (possibly already past)."""
        at = 0.0
        if self.sent:  # evenly spaced: a burst would arrive bunched up and jitter into a second
            at = self.sent[-1][0] + self.spacing
        if len(self.sent) >= self.limit:
            at = max(at, self.sent[0][1] + self.window)
        if priority >= UNSOLICITED:
            at = max(at, self.held_until)
        return at

    def _free_at(self, now: float, priority: int) -> float:
        return max(now, self._due(priority))

    def _take(self, now: float, due: float = 0.0) -> list[float]:
        # the turn is dated when it was due, not when a late timer woke us (so that timer lag
        # does not stretch every interval), but never more than one interval back (no burst
        # after a quiet spell)
        given = due if now - self.spacing < due <= now else now
        stamp = [given, now]
        self.sent.append(stamp)
        if len(self.sent) > self.limit:
            self.sent.popleft()
        return stamp

    async def acquire(self, priority: int) -> None:
        now = self.clock()
        if not self._waiting and self._free_at(now, priority) <= now:
            self._take(now)
            return
        slot: asyncio.Future[list[float]] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), slot))
        if self._pump is None or self._pump.done() or self._waiting[0][2] is slot:
            if self._pump is not None and not self._pump.done():
                self._pump.cancel()  # it sleeps for a less urgent waiter: start again
            self._pump = asyncio.create_task(self._run())
        stamp = await slot
        # a busy event loop may resume this caller a little after its turn: the window counts
        # the send from now, so that those after it wait for the second that really holds it
        stamp[1] = max(stamp[1], self.clock())

    def hold(self, seconds: float) -> None:
        self.held_until = max(self.held_until, self.clock() + seconds)

    async def _run(self) -> None:
        while self._waiting:
            priority, _order, slot = self._waiting[0]
            if slot.done():  # its caller gave up (cancelled)
                heapq.heappop(self._waiting)
                continue
            now = self.clock()
            due = self._due(priority)
            if due > now:
                await self.sleep(due - now)
                continue
            heapq.heappop(self._waiting)
            slot.set_result(self._take(now, due))


class RateLimiter:
    def __init__(
        self,
        config: TelegramConfig,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        shared: SharedRate | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.sleep = sleep
        self.shared = shared
        self._bot = config.token.split(":")[0]  # two bots on one Redis keep their own rates
        self.overall = Window(config.global_rate, clock, sleep)
        self.paid = Window(config.paid_rate, clock, sleep) if config.paid_broadcast else None
        self.chats: dict[int, Bucket] = {}
        self._calls = 0
        self._last_429 = -FLOOD_SPELL

    def _bucket(self, chat_id: int) -> Bucket:
        bucket = self.chats.get(chat_id)
        if bucket is None:
            group = chat_id < 0  # groups and channels have negative ids
            rate = self.config.group_rate if group else self.config.per_chat_rate
            burst = self.config.group_burst if group else self.config.per_chat_burst
            bucket = self.chats[chat_id] = Bucket(rate, burst)
        return bucket

    def paid_for(self, priority: int) -> bool:
        """This message goes as a paid broadcast (allow_paid_broadcast)."""
        return self.paid is not None and priority >= Priority.BROADCAST

    async def wait(self, chat_id: int, priority: int = Priority.CASE) -> None:
        """Return when one more message to ``chat_id`` keeps within every limit."""
        self._prune()
        delay = self._bucket(chat_id).reserve(self.clock())
        if delay > 0:
            await self.sleep(delay)
        # the bot-wide slot is taken only when the chat's own turn has come, so a chat waiting
        # for its per-chat slot does not hold back everybody else
        paid = self.paid is not None and self.paid_for(priority)
        window = self.paid if self.paid is not None and paid else self.overall
        await window.acquire(priority)
        if self.shared is not None:  # and the bot-wide slot across every process
            rate = self.config.paid_rate if paid else self.config.global_rate
            key = f"telegram:{self._bot}:{'paid' if paid else 'all'}"
            delay = await self.shared.reserve(key, rate)
            if delay > 0:
                await self.sleep(delay)

    def pause(self, chat_id: int, seconds: float) -> None:
        """Telegram answered 429: this chat waits ``seconds``. A second 429 soon after says the
        bot as a whole goes too fast: then unsolicited traffic waits too (one alone is most
        likely a message that network jitter pushed into a full second)."""
        now = self.clock()
        self._bucket(chat_id).pause(now, seconds)
        if now - self._last_429 < FLOOD_SPELL:
            self.overall.hold(seconds)
            if self.paid is not None:
                self.paid.hold(seconds)
        self._last_429 = now

    def _prune(self) -> None:
        self._calls += 1
        if self._calls % PRUNE_EVERY:
            return
        now = self.clock()
        for chat_id in [c for c, bucket in self.chats.items() if bucket.idle(now)]:
            del self.chats[chat_id]
