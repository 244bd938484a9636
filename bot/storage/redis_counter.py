"""Counters shared by every worker, in Redis (``REDIS_URL``): the flood limit, new web sessions per
address. One Lua script per hit (INCR, and PEXPIRE on the first), so the count and its expiry are
atomic and a window's key disappears by itself.

When Redis does not answer, counting goes on in this process (``LocalCounter``: the limit per
worker instead of overall) with one WARNING, and Redis is tried again every ``RETRY_SECONDS``; a
message is never refused or lost because Redis is down.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.core.flood import LocalCounter, window_of
from bot.storage.redis_outage import Outage

log = logging.getLogger(__name__)

RETRY_SECONDS = 30.0
TIMEOUT_SECONDS = 0.5  # a hit waits no longer for Redis than this

HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""


class RedisCounter:
    def __init__(self, redis: Redis, prefix: str = "mangnon:count:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(HIT)
        self._local = LocalCounter()
        self._outage = Outage(
            "Redis unavailable: flood and session limits are counted per worker until it is back",
            "Redis is back: limits are shared by every worker again",
            RETRY_SECONDS,
        )

    @classmethod
    def from_url(cls, url: str) -> RedisCounter:
        return cls(
            Redis.from_url(
                url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
            )
        )

    @property
    def degraded(self) -> bool:
        return self._outage.degraded

    async def hit(self, key: str, window: timedelta, now: datetime) -> int:
        if self._outage.skip():
            return self._local.hit_now(key, window, now)
        slot = f"{self._prefix}{key}:{window_of(now, window)}"
        expire_ms = int(window.total_seconds() * 1000) + 1000
        try:
            count = int(await self._script(keys=[slot], args=[expire_ms]))
        except (RedisError, OSError):
            self._outage.failed()
            return self._local.hit_now(key, window, now)
        self._outage.answered()
        return count

    async def close(self) -> None:
        await self._redis.aclose()
