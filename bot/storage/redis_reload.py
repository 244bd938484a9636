"""Content reloads for every worker, over Redis pub/sub (``REDIS_URL``).

``mangnon content reload`` publishes on one channel; every ``mangnon serve`` worker listens and
reloads its content. Without Redis the command signals each worker's PID file instead
(``bot.serve.PID_DIR``). A worker whose subscription breaks subscribes again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

CHANNEL = "mangnon:content-reload:{db}"  # pub/sub ignores the DB number: it is in the name
RETRY_SECONDS = 5.0


async def publish(url: str) -> int:
    """Ask every listening worker to reload; how many got the message."""
    redis = Redis.from_url(url, socket_connect_timeout=2)
    try:
        return int(await redis.publish(_channel(redis), b"reload"))
    finally:
        await redis.aclose()


async def listen(url: str, reload: Callable[[], None], ready: asyncio.Event | None = None) -> None:
    """Call ``reload`` for each message, until cancelled."""
    while True:
        redis = Redis.from_url(url, socket_connect_timeout=2)
        try:
            async with redis.pubsub() as pubsub:
                await pubsub.subscribe(_channel(redis))
                if ready is not None:
                    ready.set()
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        log.info("content reload asked over Redis")
                        reload()
        except (RedisError, OSError):
            log.warning("content reload channel (Redis) unavailable; retrying")
            await asyncio.sleep(RETRY_SECONDS)
        finally:
            await redis.aclose()


def _channel(redis: Redis) -> str:
    return CHANNEL.format(db=redis.connection_pool.connection_kwargs.get("db", 0))
