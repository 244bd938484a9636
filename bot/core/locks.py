"""One message at a time per user, so two quick taps cannot race on the dialog state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from bot.core.messages import UserRef


class UserLocks(Protocol):
    def hold(self, user: UserRef) -> AbstractAsyncContextManager[None]: ...


class LocalLocks:
    """In-process locks; with several workers use the Redis implementation in ``bot.storage``."""

    def __init__(self) -> None:
        self._locks: dict[UserRef, asyncio.Lock] = {}
        self._waiters: dict[UserRef, int] = {}

    @asynccontextmanager
    async def hold(self, user: UserRef) -> AsyncIterator[None]:
        lock = self._locks.setdefault(user, asyncio.Lock())
        self._waiters[user] = self._waiters.get(user, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiters[user] -= 1
            if self._waiters[user] == 0:  # nobody else waiting: free the memory
                del self._waiters[user]
                del self._locks[user]
