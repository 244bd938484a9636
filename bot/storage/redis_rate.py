"""Send rates held across every process, in Redis: a GCRA per key in one Lua script.

Each process keeps its own limiter (priorities, per-chat buckets, pauses after a 429); this is
the last gate before a send, so that N dispatchers and workers together keep to the channel's
rate (Telegram: ``TELEGRAM_GLOBAL_RATE`` a second for the whole bot) instead of N times it. The
script reserves the next slot (the theoretical arrival time moves on by 1/rate) and answers how
long to wait for it; the time is Redis's own (``TIME``), so the processes' clocks need not agree.

When Redis does not answer, the per-process limits alone apply (one WARNING, Redis tried again
every ``RETRY_SECONDS``): a message is never held back or lost because Redis is down.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.storage.redis_outage import Outage

log = logging.getLogger(__name__)

RETRY_SECONDS = 30.0
TIMEOUT_SECONDS = 0.5

# KEYS[1]: the key; ARGV[1]: the interval in microseconds. Returns microseconds to wait.
GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local nxt = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX', math.floor((nxt - now) / 1000) + 1000)
return math.floor(tat - now)
"""


class RedisRates:
    def __init__(self, redis: Redis, prefix: str = "mangnon:rate:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(GCRA)
        self._outage = Outage(
            "Redis unavailable: send rates are held per process until it is back",
            "Redis is back: send rates are held across every process again",
            RETRY_SECONDS,
        )

    @classmethod
    def from_url(cls, url: str) -> RedisRates:
        return cls(
            Redis.from_url(
                url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
            )
        )

    @property
    def degraded(self) -> bool:
        return self._outage.degraded

    async def reserve(self, key: str, rate: float) -> float:
        if self._outage.skip():
            return 0.0
        interval = max(1, round(1_000_000 / rate))
        try:
            wait = int(await self._script(keys=[self._prefix + key], args=[interval]))
        except (RedisError, OSError):
            self._outage.failed()
            return 0.0
        self._outage.answered()
        return wait / 1_000_000

    async def close(self) -> None:
        await self._redis.aclose()
