"""Counters shared by every worker, in Redis (``REDIS_URL``): the flood limit, new web sessions per
address. One Lua script per hit (INCR, and PEXPIRE on the first), so the count and its expiry are
atomic and a window's key disappears by itself.

When Redis does not answer, counting goes on in this process (``LocalCounter``: the limit per
worker instead of overall) with one WARNING, and Redis is tried again every ``RETRY_SECONDS``; a
message is never refused or lost because Redis is down.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.core.flood import LocalCounter, window_of

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
        self._down_since: float | None = None  # monotonic time of the failure, while degraded

    @classmethod
    def from_url(cls, url: str) -> RedisCounter:
        return cls(
            Redis.from_url(
                url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
            )
        )

    @property
    def degraded(self) -> bool:
        return self._down_since is not None

    async def hit(self, key: str, window: timedelta, now: datetime) -> int:
        down = self._down_since
        if down is not None and time.monotonic() - down < RETRY_SECONDS:
            return self._local.hit_now(key, window, now)
        slot = f"{self._prefix}{key}:{window_of(now, window)}"
        expire_ms = int(window.total_seconds() * 1000) + 1000
        try:
            count = int(await self._script(keys=[slot], args=[expire_ms]))
        except (RedisError, OSError):
            if self._down_since is None:
                log.warning(
                    "Redis unavailable: flood and session limits are counted per worker "
                    "until it is back"
                )
            self._down_since = time.monotonic()
            return self._local.hit_now(key, window, now)
        if self._down_since is not None:
            log.info("Redis is back: limits are shared by every worker again")
            self._down_since = None
        return count

    async def close(self) -> None:
        await self._redis.aclose()
