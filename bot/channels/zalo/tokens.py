"""Zalo's access token (about 25 hours) and its single-use refresh token (about 3 months).

The pair lives in the database (``CredentialStore``, name ``zalo``), so every worker uses the same
one and a restart does not go back to the tokens in the settings, which are spent after the first
refresh. The settings' pair is stored the first time, and again whenever it changes there (an
operator who issued new tokens): a digest of it (``seed``) says which pair the stored one descends
from.

A refresh happens before the access token expires (``due``) and when Zalo refuses it (-216). It
runs under the store's exclusive hold, which is a lock across workers: whoever gets the hold second
reads the pair the first one stored and uses it instead of spending the refresh token again. Within
a worker an asyncio lock does the same for concurrent senders. A refused refresh is an operator
alert in the log, and ``problem`` (shown by ``/healthz``) says Zalo is degraded until a refresh
works again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.channels.ports import Credentials, CredentialStore
from bot.channels.zalo.api import RefreshRefused, ZaloApi, ZaloUnavailable

log = logging.getLogger(__name__)

NAME = "zalo"
NEW_TOKENS = (
    "issue new tokens for the OA in Zalo for Developers and set ZALO_ACCESS_TOKEN and "
    "ZALO_REFRESH_TOKEN (docs/ZALO.md)"
)


@dataclass(frozen=True)
class Tokens:
    access: str
    refresh: str
    expires_at: datetime | None  # None: not known (a pair given in the settings)
    seed: str

    @classmethod
    def given(cls, access: str, refresh: str) -> Tokens:
        digest = hashlib.sha256(f"{access}\n{refresh}".encode()).hexdigest()
        return cls(access, refresh, None, digest)

    @classmethod
    def stored(cls, credentials: Credentials) -> Tokens:
        c = credentials
        return cls(c.access, c.refresh, c.expires_at, c.seed)


class TokenKeeper:
    def __init__(
        self,
        api: ZaloApi,
        store: CredentialStore,
        given: Tokens,
        clock: Callable[[], datetime],
        margin: timedelta,
    ) -> None:
        self.api = api
        self.store = store
        self.given = given
        self.tokens = given
        self.clock = clock
        self.margin = margin
        self.problem: str | None = None  # for /healthz: why Zalo cannot send now
        self._local = asyncio.Lock()
        # refreshed, but the database did not take it: the pair, and the refresh token it spent
        self._unsaved: tuple[Tokens, str] | None = None

    @property
    def access(self) -> str:
        return self.tokens.access

    async def load(self) -> None:
        """At start: the stored pair, or the settings' pair when it is new there."""
        async with self.store.exclusive(NAME) as slot:
            stored = slot.current
            if stored is not None and stored.seed == self.given.seed:
                self.tokens = Tokens.stored(stored)
                return
            given = self.given
            await slot.replace(given.access, given.refresh, given.expires_at, given.seed)
        self.tokens = self.given
        log.info("zalo tokens taken from the settings", extra={"channel": NAME})

    def due(self, tokens: Tokens | None = None) -> bool:
        """The access token expires within the margin (or its expiry is not known)."""
        expires = (tokens or self.tokens).expires_at
        return expires is None or expires - self.margin <= self.clock()

    async def refresh(self, refused: str | None = None) -> bool:
        """Make the access token good: Zalo just ``refused`` it (-216), or it is ``due``.
        True when there is a token worth trying; False (and an operator alert) otherwise."""
        async with self._local:
            if refused is not None and self.tokens.access != refused:
                return True  # another sender of this worker refreshed meanwhile
            try:
                fresh = await self._refresh(refused or self.tokens.access)
            except Exception:
                if self._unsaved is None:
                    log.exception("zalo token refresh failed", extra={"channel": NAME})
                    return self._failed("the database did not answer")
                log.exception(  # Zalo took the refresh token: the new pair is all there is
                    "the refreshed zalo tokens could not be stored; kept in memory, stored later",
                    extra={"channel": NAME},
                )
                return True
            if fresh:
                self._unsaved, self.problem = None, None
            return fresh

    async def _refresh(self, stale: str) -> bool:
        async with self.store.exclusive(NAME) as slot:
            stored = Tokens.stored(slot.current) if slot.current is not None else None
            if stored is not None and stored.access != stale and not self.due(stored):
                self.tokens = stored  # another worker refreshed meanwhile
                return True
            base = stored or self.tokens
            try:
                fresh = await self.api.refresh(base.refresh)
            except RefreshRefused as exc:
                return self._failed(f"Zalo refused the refresh token (error {exc.code})")
            except ZaloUnavailable as exc:
                return self._failed(f"Zalo's OAuth server did not answer ({exc})")
            expires = self.clock() + timedelta(seconds=fresh.expires_in)
            self.tokens = Tokens(fresh.access, fresh.refresh, expires, base.seed)
            self._unsaved = (self.tokens, base.refresh)
            await slot.replace(fresh.access, fresh.refresh, expires, base.seed)
        log.info("zalo tokens refreshed", extra={"channel": NAME})
        return True

    async def keep(self) -> None:
        """Periodic: write a pair the database did not take, refresh a token that is due."""
        if self._unsaved is not None:
            await self._save_unsaved(self._unsaved)
        if self.due():
            await self.refresh()

    async def _save_unsaved(self, unsaved: tuple[Tokens, str]) -> None:
        tokens, spent = unsaved
        try:
            async with self.store.exclusive(NAME) as slot:
                current = slot.current  # still the pair we renewed (or none): ours is the live one
                if current is None or current.refresh == spent:
                    await slot.replace(
                        tokens.access, tokens.refresh, tokens.expires_at, tokens.seed
                    )
        except Exception:
            log.exception("the new zalo tokens are still not stored", extra={"channel": NAME})
            return
        self._unsaved = None

    def _failed(self, reason: str) -> bool:
        if self.problem is None:  # once per outage; the log says when it is over
            log.critical(
                "OPERATOR: %s; Zalo messages wait until it works: %s",
                reason,
                NEW_TOKENS,
                extra={"channel": NAME},
            )
        self.problem = f"token refresh failed: {reason}"
        return False
