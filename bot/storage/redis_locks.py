"""Per-user locks shared by several workers, in Redis (``REDIS_URL``).

With one worker the in-process ``LocalLocks`` are enough; behind a load balancer two updates of
one user can reach two workers at once, and without a shared lock they race on the dialog state.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

from bot.core.messages import UserRef

LOCK_SECONDS = 30  # a crashed worker's lock expires by itself
WAIT_SECONDS = 10


class RedisLocks:
    def __init__(self, redis: Redis, prefix: str = "mangnon:lock:") -> None:
        self._redis = redis
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str) -> RedisLocks:
        return cls(Redis.from_url(url))

    def _key(self, user: UserRef) -> str:
        # hashed: external ids are personal data and must not sit in Redis in clear
        digest = hashlib.sha256(str(user).encode()).hexdigest()[:32]
        return self._prefix + digest

    @asynccontextmanager
    async def hold(self, user: UserRef) -> AsyncIterator[None]:
        lock = self._redis.lock(
            self._key(user), timeout=LOCK_SECONDS, blocking_timeout=WAIT_SECONDS
        )
        acquired = await lock.acquire()
        try:
            yield  # if the wait timed out, handle the message anyway: never drop a child's message
        finally:
            if acquired:
                await lock.release()

    async def close(self) -> None:
        await self._redis.aclose()
