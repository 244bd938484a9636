"""The fast unit of work: profiles from memory, routine writes batched, safety writes at once.

``CachedStores`` is a StoreFactory like ``Database.store``. Per turn:

- the user's profile comes from an in-process LRU cache (a copy: a turn that fails changes
  nothing); on a miss it is read with one SELECT, and a new user is INSERTed before the turn goes on;
- the profile save and analytics rows of a routine turn are queued in ``WriteBehind``;
- a turn that touches anything that must be on disk before the reply — a safety case or its
  messages, feedback, /forget, blocked/unblocked, and any change the bot confirms to the user
  (consent, language, role, commune, subscriptions, /stop: ``ACKNOWLEDGED``) — writes all of
  its changes in one transaction on a session opened only for it, as the plain store does.

The cache belongs to one process: it is right when one process serves the database (the default).
Several workers sharing a database (REDIS_URL set) use the plain store; see the README.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, exists, insert, literal, select
from sqlalchemy.exc import IntegrityError

from bot.core.cases.model import (
    AuditEntry,
    Case,
    CaseMessage,
    CaseStatus,
    DeskActor,
    NewCase,
    Staff,
    StaffRole,
)
from bot.core.messages import UserRef
from bot.core.outbox import Outgoing
from bot.core.ports import Event, FeedbackRepository, ForgetReport, UnansweredQuestion
from bot.core.profile import Profile
from bot.storage.campaigns import SqlCampaignRepository
from bot.storage.cases import OPEN_CASE_OF_PARAMS, SqlCaseRepository
from bot.storage.database import Database
from bot.storage.models import EventRow, UnansweredRow
from bot.storage.repositories import (
    SqlStore,
    event_values,
    new_profile,
    new_user_values,
    profile_values,
    to_profile,
)
from bot.storage.writebehind import USERS, ProfileWrite, RowInsert, WriteBehind, apply

EVENTS: Table = EventRow.__table__  # type: ignore[assignment]
# Profile fields whose change the bot confirms to the user ("Saved", "You are subscribed", "No
# more messages"): a turn that changes one is written through, before its reply, so a crash
# (kill -9) a moment later cannot lose what the user was told is kept.
ACKNOWLEDGED = (
    "locale",
    "role",
    "age_band",
    "commune",
    "consent",
    "subscribed",
    "frequency",
    "topics",
    "child_age",
    "opted_out",
)
UNANSWERED: Table = UnansweredRow.__table__  # type: ignore[assignment]


# Built once, run with the parameters "channel" and "external_id": building and cache-keying a
# statement per call cost more CPU than the database's own work (a new user: 4.1 -> 2.2 ms of
# CPU on SQLite once the statements were built once).
_IS_USER = (USERS.c.channel == bindparam("channel")) & (
    USERS.c.external_id == bindparam("external_id")
)
_ONE_ROW = select(literal(1).label("one")).subquery("one_row")
FIND_USER = select(exists().where(OPEN_CASE_OF_PARAMS).label("has_open_case"), USERS).select_from(
    _ONE_ROW.outerjoin(USERS, _IS_USER)
)  # one row whether or not the user exists: their columns (NULL if absent) and the case flag
INSERT_USER = insert(USERS)


def _copy(profile: Profile) -> Profile:
    return replace(profile, memo=replace(profile.memo))


class ProfileCache:
    """The most recently seen profiles of this process, least recently used evicted first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._profiles: OrderedDict[UserRef, Profile] = OrderedDict()

    def __len__(self) -> int:
        return len(self._profiles)

    def get(self, ref: UserRef) -> Profile | None:
        profile = self._profiles.get(ref)
        if profile is None:
            return None
        self._profiles.move_to_end(ref)
        return _copy(profile)

    def put(self, profile: Profile, owned: bool = False) -> None:
        """Keep a copy (or ``profile`` itself when the caller hands it over, ``owned``)."""
        self._profiles[profile.ref] = profile if owned else _copy(profile)
        self._profiles.move_to_end(profile.ref)
        while len(self._profiles) > self.size:
            self._profiles.popitem(last=False)

    def peek(self, ref: UserRef) -> Profile | None:
        """The cached profile itself (not a copy, not touched): to compare with, never to change."""
        return self._profiles.get(ref)

    def drop(self, ref: UserRef) -> None:
        self._profiles.pop(ref, None)


class CachedStores:
    """The StoreFactory: ``async with stores() as store: ...``."""

    def __init__(
        self, database: Database, delay: float = 0.2, cache_size: int = 10_000, **writer: Any
    ) -> None:
        self.database = database
        self.cache = ProfileCache(cache_size)
        self.writer = WriteBehind(database.engine, delay=delay, **writer)
        self._fresh: dict[UserRef, bool] = {}

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[CachedStore]:
        store = CachedStore(self)
        try:
            yield store
        finally:
            await store.close()

    async def flush(self) -> int:
        return await self.writer.flush()

    async def close(self) -> None:
        await self.writer.close()

    async def load(self, ref: UserRef) -> Profile | None:
        """The profile from the cache, else from the database (after any queued write of it)."""
        return await self._lookup(ref, None)

    async def get_or_create(self, ref: UserRef, now: datetime) -> Profile:
        profile = await self._lookup(ref, now)
        assert profile is not None
        return profile

    def had_no_open_case(self, ref: UserRef) -> bool:
        """True once for a user created this turn whose creation found no open case."""
        return self._fresh.pop(ref, False)

    async def _lookup(self, ref: UserRef, create_at: datetime | None) -> Profile | None:
        """Cache, else one statement: the user's row and whether they have an open case (a user
        who sent /forget may have one); if absent and ``create_at`` is given, one INSERT."""
        cached = self.cache.get(ref)
        if cached is not None:
            return cached
        if self.writer.holds(ref):  # evicted while its save still waits: write it first
            await self.writer.flush()
        key = {"channel": ref.channel, "external_id": ref.external_id}
        try:
            async with self.database.engine.begin() as conn:
                found = (await conn.execute(FIND_USER, key)).one()
                if found.id is not None:
                    profile = to_profile(found)
                elif create_at is None:
                    if not found.has_open_case:  # the turn need not ask the cases table again
                        self._fresh[ref] = True
                    return None
                else:
                    profile = new_profile(ref, create_at)
                    created = await conn.execute(INSERT_USER, new_user_values(profile))
                    profile.id = created.inserted_primary_key[0]  # type: ignore[index]
                    if not found.has_open_case:
                        self._fresh[ref] = True
        except IntegrityError:  # created meanwhile by another process
            async with self.database.engine.connect() as conn:
                found = (await conn.execute(FIND_USER, key)).one()
            if found.id is None:
                raise
            profile = to_profile(found)
        self.cache.put(profile)
        return profile


class CachedStore:
    """One turn's unit of work (implements the core's Store)."""

    def __init__(self, stores: CachedStores) -> None:
        self._stores = stores
        self._sql: SqlStore | None = None
        self.durable = False  # something in this turn must be written before the reply
        self._saved: dict[UserRef, Profile] = {}
        self._inserts: list[RowInsert] = []
        self._forgotten: set[UserRef] = set()
        self.users = CachedUserRepository(self)
        self.events = BufferedEventLog(self)
        self.unanswered = BufferedUnanswered(self)
        self.cases = TrackedCases(self)
        self.staff = SessionStaff(self)
        self.outbox = DurableOutbox(self)

    @property
    def campaigns(self) -> SqlCampaignRepository:
        self.durable = True
        return self.sql.campaigns

    @property
    def stores(self) -> CachedStores:
        return self._stores

    @property
    def sql(self) -> SqlStore:
        """A real session, opened the first time this turn needs one."""
        if self._sql is None:
            self._sql = SqlStore(self._stores.database.new_session())
        return self._sql

    @property
    def feedback(self) -> FeedbackRepository:
        self.durable = True
        return self.sql.feedback

    def stage(self, row: RowInsert) -> None:
        self._inserts.append(row)

    def save(self, profile: Profile) -> None:
        profile.version += 1
        self._saved[profile.ref] = _copy(profile)
        before = self._stores.cache.peek(profile.ref)
        if before is None or any(
            getattr(before, name) != getattr(profile, name) for name in ACKNOWLEDGED
        ):
            self.durable = True  # the reply will say it is recorded: so it must be, first

    def forgotten(self, ref: UserRef) -> None:
        self._forgotten.add(ref)
        self._saved.pop(ref, None)
        self.durable = True

    async def commit(self) -> None:
        writes = [ProfileWrite(p.ref, profile_values(p)) for p in self._saved.values()]
        if self.durable:
            session = self.sql.session
            await apply(await session.connection(), writes, self._inserts)
            await session.commit()
        else:
            await self._stores.writer.submit(writes, self._inserts)
        for profile in self._saved.values():
            self._stores.cache.put(profile, owned=True)  # a copy made by save()
        for ref in self._forgotten:
            self._stores.cache.drop(ref)
        self._saved, self._inserts, self._forgotten = {}, [], set()

    async def close(self) -> None:
        if self._sql is not None:
            await self._sql.session.close()  # rolls back whatever was not committed


class CachedUserRepository:
    def __init__(self, store: CachedStore) -> None:
        self._store = store

    async def get(self, ref: UserRef) -> Profile | None:
        return await self._store.stores.load(ref)

    async def get_or_create(self, ref: UserRef, now: datetime) -> Profile:
        if self._store.durable:
            # the turn's own session has written (it may hold SQLite's write lock): the user is
            # created in it, and the whole turn is written through it
            self._store.durable = True
            self._store.stores.had_no_open_case(ref)  # a case may be in this turn: look next time
            return await self._store.sql.users.get_or_create(ref, now)
        return await self._store.stores.get_or_create(ref, now)

    async def save(self, profile: Profile) -> None:
        self._store.save(profile)

    async def forget(self, ref: UserRef) -> ForgetReport:
        await self._store.stores.writer.flush()  # nothing queued may write the user back
        report = await self._store.sql.users.forget(ref)
        self._store.forgotten(ref)
        return report

    async def reachable(self, ref: UserRef, reachable: bool) -> None:
        # through the profile, so its version orders it after any save still queued
        profile = await self._store.stores.load(ref)
        if profile is None:
            return
        profile.blocked = not reachable
        self._store.save(profile)
        self._store.durable = True


class BufferedEventLog:
    def __init__(self, store: CachedStore) -> None:
        self._store = store

    async def record(self, event: Event) -> None:
        self._store.stage(RowInsert(EVENTS, event_values(event)))


class BufferedUnanswered:
    def __init__(self, store: CachedStore) -> None:
        self._store = store

    async def add(self, question: UnansweredQuestion) -> None:
        values = {"at": question.at, "lang": question.lang, "text": question.text}
        self._store.stage(RowInsert(UNANSWERED, values))

    async def since(self, since: datetime | None) -> Sequence[UnansweredQuestion]:
        await self._store.stores.writer.flush()
        return await self._store.sql.unanswered.since(since)


class TrackedCases:
    """Cases through the turn's real session; any write makes the whole turn durable."""

    def __init__(self, store: CachedStore) -> None:
        self._store = store

    def _writing(self) -> SqlCaseRepository:
        self._store.durable = True
        return self._store.sql.cases

    async def open(self, case: NewCase) -> Case:
        return await self._writing().open(case)

    async def get(self, case_id: int) -> Case | None:
        return await self._store.sql.cases.get(case_id)

    async def open_for(self, user: UserRef) -> Case | None:
        if self._store.stores.had_no_open_case(user):  # checked when the user was created
            return None
        return await self._store.sql.cases.open_for(user)

    async def count_for(self, user: UserRef) -> int:
        return await self._store.sql.cases.count_for(user)

    async def acknowledge(self, case_id: int, worker: str, at: datetime) -> bool:
        return await self._writing().acknowledge(case_id, worker, at)

    async def close(
        self, case_id: int, worker: str, at: datetime, outcome: str | None = None
    ) -> bool:
        return await self._writing().close(case_id, worker, at, outcome)

    async def offer(self, case: NewCase) -> Case:
        return await self._writing().offer(case)

    async def accept(self, case_id: int) -> Case | None:
        return await self._writing().accept(case_id)

    async def withdraw(self, case_id: int) -> None:
        await self._writing().withdraw(case_id)

    async def purge_offers(self, before: datetime) -> int:
        return await self._writing().purge_offers(before)

    async def refer(self, case_id: int, to: str, worker: str, at: datetime) -> bool:
        return await self._writing().refer(case_id, to, worker, at)

    async def add_message(self, case_id: int, message: CaseMessage) -> None:
        await self._writing().add_message(case_id, message)

    async def messages(self, case_id: int) -> Sequence[CaseMessage]:
        return await self._store.sql.cases.messages(case_id)

    async def audit(self, case_id: int, entry: AuditEntry) -> None:
        await self._writing().audit(case_id, entry)

    async def audit_log(self, case_id: int) -> Sequence[AuditEntry]:
        return await self._store.sql.cases.audit_log(case_id)

    async def overdue(self, older_than: datetime, alerted_before: datetime) -> Sequence[Case]:
        return await self._store.sql.cases.overdue(older_than, alerted_before)

    async def mark_alerted(self, case_id: int, at: datetime, alerted_before: datetime) -> bool:
        return await self._writing().mark_alerted(case_id, at, alerted_before)

    async def listing(self, statuses: Sequence[CaseStatus]) -> Sequence[Case]:
        return await self._store.sql.cases.listing(statuses)


class SessionStaff:
    def __init__(self, store: CachedStore) -> None:
        self._store = store

    async def enrol(self, account: UserRef, now: datetime) -> bool:
        self._store.durable = True
        return await self._store.sql.staff.enrol(account, now)

    async def by_account(self, account: DeskActor) -> Staff | None:
        return await self._store.sql.staff.by_account(account)

    async def add(
        self, name: str, roles: frozenset[StaffRole], now: datetime, account: UserRef | None = None
    ) -> Staff:
        self._store.durable = True
        return await self._store.sql.staff.add(name, roles, now, account)

    async def named(self, name: str) -> Staff | None:
        return await self._store.sql.staff.named(name)

    async def members(self) -> Sequence[tuple[Staff, str, UserRef | None]]:
        return await self._store.sql.staff.members()

    async def account_of(self, staff: Staff) -> UserRef | None:
        return await self._store.sql.staff.account_of(staff)


class DurableOutbox:
    """An outbox row is written with everything else the turn changed, before the reply."""

    def __init__(self, store: CachedStore) -> None:
        self._store = store

    async def enqueue(self, message: Outgoing, now: datetime) -> None:
        self._store.durable = True
        await self._store.sql.outbox.enqueue(message, now)

    async def withdraw(self, to: UserRef, reason: str, now: datetime) -> int:
        self._store.durable = True
        return await self._store.sql.outbox.withdraw(to, reason, now)
