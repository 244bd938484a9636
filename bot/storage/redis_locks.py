"""Per-user locks shared by several workers, in Redis (``REDIS_URL``).

With one worker the in-process ``LocalLocks`` are enough; behind a load balancer two updates of
one user can reach two workers at once, and without a shared lock they race on the dialog state.
When Redis does not answer, the turn goes on under this process's own lock (one WARNING until
Redis answers again): a message is never lost because Redis is down.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.core.locks import LocalLocks
from bot.core.messages import UserRef
from bot.storage.redis_outage import Outage

log = logging.getLogger(__name__)

LOCK_SECONDS = 30  # a crashed worker's lock expires by itself
WAIT_SECONDS = 10
RETRY_SECONDS = 30.0  # after a failure, Redis is tried again this long later


class RedisLocks:
    def __init__(self, redis: Redis, prefix: str = "mangnon:lock:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._local = LocalLocks()
        self._outage = Outage(
            "Redis unavailable: per-user locks are per worker until it is back",
            "Redis is back: per-user locks are shared by every worker again",
            RETRY_SECONDS,
        )

    @classmethod
    def from_url(cls, url: str) -> RedisLocks:
        return cls(Redis.from_url(url, socket_timeout=5, socket_connect_timeout=1))

    def _key(self, user: UserRef) -> str:
        # hashed: external ids are personal data and must not sit in Redis in clear
        digest = hashlib.sha256(str(user).encode()).hexdigest()[:32]
        return self._prefix + digest

    @asynccontextmanager
    async def hold(self, user: UserRef) -> AsyncIterator[None]:
        lock = self._redis.lock(
            self._key(user), timeout=LOCK_SECONDS, blocking_timeout=WAIT_SECONDS
        )
        acquired: bool | None = None
        if not self._outage.skip():
            try:
                acquired = await lock.acquire()
            except (RedisError, OSError):
                self._outage.failed()
        if acquired is None:
            async with self._local.hold(user):
                yield
            return
        self._outage.answered()
        try:
            yield  # if the wait timed out, handle the message anyway: never drop a child's message
        finally:
            if acquired:
                try:
                    await lock.release()
                except (RedisError, OSError):  # it expires by itself after LOCK_SECONDS
                    log.warning("Redis lock not released; it expires by itself")

    async def close(self) -> None:
        await self._redis.aclose()
