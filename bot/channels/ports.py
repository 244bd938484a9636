"""What channels need from storage besides the core's ports, as Protocols (storage implements them,
the composition root hands them over in ``ChannelContext``; channels never import storage).

- :class:`SeenEvents`: webhook events already taken, so a redelivery is handled once, across
  restarts and workers (Zalo re-sends an event it thinks was not answered).
- :class:`Inbox`: webhook events kept (committed) before they are acknowledged and emptied once
  handled, so a crash loses none and a redelivery is handled once (Telegram).
- :class:`SharedRate`: a send rate held across every process (Redis), e.g. Telegram's 30
  messages a second for the whole bot.
- :class:`CredentialStore`: API tokens a channel rotates itself (Zalo's access token and its
  single-use refresh token), read by every worker and replaced by one at a time.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol


class SeenEvents(Protocol):
    async def first(self, channel: str, key: str, now: datetime) -> bool:
        """Record ``key`` (a hash of the event's id); True the first time it is recorded."""
        ...

    async def purge(self, before: datetime) -> int:
        """Forget events recorded before ``before`` (older than any redelivery)."""
        ...


class Inbox(Protocol):
    async def keep(self, channel: str, key: str, payload: bytes, now: datetime) -> bool:
        """Commit the event; True when new, False for a redelivery of one already kept."""
        ...

    async def done(self, channel: str, key: str) -> None:
        """The event was handled: its body is deleted, its key kept."""
        ...

    async def claim(
        self, channel: str, before: datetime, now: datetime, limit: int = 100
    ) -> list[tuple[str, bytes]]:
        """Events kept before ``before`` and never handled (a worker died): (key, body), claimed
        for this worker."""
        ...

    async def purge(self, channel: str, before: datetime) -> int:
        """Forget handled events kept before ``before``."""
        ...


class SharedRate(Protocol):
    async def reserve(self, key: str, rate: float) -> float:
        """Take the next slot of ``key`` (at most ``rate`` a second, evenly spaced, across every
        process); the seconds to wait for it (0: go now)."""
        ...


class Credentials(Protocol):
    @property
    def access(self) -> str: ...
    @property
    def refresh(self) -> str: ...
    @property
    def expires_at(self) -> datetime | None: ...
    @property
    def seed(self) -> str:
        """A digest of the tokens given in the settings that this pair descends from."""
        ...


class CredentialSlot(Protocol):
    """The stored credentials while this worker holds them exclusively."""

    @property
    def current(self) -> Credentials | None: ...

    async def replace(
        self, access: str, refresh: str, expires_at: datetime | None, seed: str
    ) -> None:
        """Store a new pair (written when the exclusive hold ends without an error)."""
        ...


class CredentialStore(Protocol):
    async def load(self, name: str) -> Credentials | None: ...

    def exclusive(self, name: str) -> AbstractAsyncContextManager[CredentialSlot]:
        """Hold ``name`` against every other worker (a PostgreSQL advisory lock; one process
        on SQLite), reading the current value under the hold."""
        ...
