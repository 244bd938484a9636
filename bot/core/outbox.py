"""The durable outbox: every message that is not a reply to the user's own message goes out here.

A turn that decides to tell someone else something (a case desk alert, a counsellor's answer,
a re-alert, later a campaign) writes an outbox row in the same transaction as the rest of the
turn. If the process dies after the commit, the row is still there and is sent after the
restart; if it dies before, nothing was decided. Dispatchers (``bot.core.dispatcher``) claim rows
for push channels (Telegram, Zalo); pull channels (the web chat) hand their rows to the browser
when it asks. Each row ends as sent, unreachable, outside the channel's window, or dead after
``max_attempts`` (the dead-letter state, for an operator to look at).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Protocol

from bot.core.messages import Reply, UserRef


class Priority(IntEnum):
    """Lower goes first: a child's case never waits behind a broadcast."""

    CASE = 0  # desk alerts, relays both ways, re-alerts
    NOTICE = 5  # scheduled tips and other one-to-one notices
    BROADCAST = 9  # campaigns


class Status(StrEnum):
    PENDING = "pending"  # waiting (maybe until ``available_at`` after a failed attempt)
    SENDING = "sending"  # claimed by a dispatcher until its lease runs out
    SENT = "sent"
    UNREACHABLE = "unreachable"  # the user blocked the bot or left: never retried
    OUTSIDE_WINDOW = (
        "outside-window"  # the channel refuses messages this long after the user's last
    )
    DEAD = "dead"  # gave up after max_attempts: the dead letters
    CANCELLED = "cancelled"  # withdrawn before sending (the user opted out, a campaign stopped)
    PAUSED = "paused"  # a paused campaign's row: waits, and holds nobody else's messages up


FINAL = frozenset(
    {Status.SENT, Status.UNREACHABLE, Status.OUTSIDE_WINDOW, Status.DEAD, Status.CANCELLED}
)


@dataclass(frozen=True)
class Outgoing:
    """A message a turn decided to send: written with the turn's transaction."""

    to: UserRef
    replies: tuple[Reply, ...]
    priority: Priority = Priority.CASE
    kind: str = "message"  # what it is, for operators and statistics: alert, relay, notice…
    not_before: datetime | None = None
    dedupe_key: str | None = None  # unique when set: the same key is never queued twice


# rows at or above this priority are unsolicited (tips, campaigns): they wait out quiet hours
# and are withdrawn when the user opts out
UNSOLICITED = Priority.NOTICE


@dataclass(frozen=True)
class Envelope:
    """A claimed outbox row, handed to a channel to send."""

    id: int
    to: UserRef
    replies: tuple[Reply, ...]
    attempts: int  # including this one
    kind: str
    priority: int = Priority.CASE  # lower first: a channel's own queue may serve urgent ones first


class Result(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # failed for now (network, 5xx, rate limit): try again later
    UNREACHABLE = "unreachable"
    OUTSIDE_WINDOW = "outside-window"
    REJECTED = "rejected"  # refused for good (a malformed message): dead at once


@dataclass(frozen=True)
class Delivery:
    """What a channel says about one envelope. ``error``: a short code, never message text."""

    result: Result
    retry_after: float | None = None  # seconds, when the channel knows (Telegram's 429)
    error: str = ""
    ref: str = ""  # the channel's id of the message sent (the last one, if it took several)

    @classmethod
    def sent(cls, ref: str = "") -> Delivery:
        return cls(Result.SENT, ref=ref)


class OutboxWriter(Protocol):
    """The outbox as part of a turn's unit of work."""

    async def enqueue(self, message: Outgoing, now: datetime) -> None: ...

    async def withdraw(self, to: UserRef, reason: str, now: datetime) -> int:
        """Cancel the unsolicited rows (tips, campaigns) not yet sent to ``to``: the number."""
        ...


class OutboxQueue(Protocol):
    """The outbox as the dispatchers and pull channels see it; each call is its own transaction."""

    async def recover(self, now: datetime) -> int:
        """At start: release rows left claimed by a process that died (see the implementation)."""
        ...

    async def claim(
        self, channels: Sequence[str], limit: int, worker: str, now: datetime, lease: timedelta
    ) -> list[Envelope]:
        """Up to ``limit`` due rows of these channels, oldest first within a priority, at most
        the oldest unsent row of each recipient (so each recipient's messages keep their order;
        a row waits only for the recipient's earlier rows of the same or a more urgent
        priority: a case message never waits behind a broadcast). During quiet hours
        unsolicited rows are not due."""
        ...

    async def claim_for(
        self, to: UserRef, limit: int, worker: str, now: datetime, lease: timedelta
    ) -> list[Envelope]:
        """The due rows of one recipient (a pull channel's user), in order."""
        ...

    async def settle(
        self,
        outcomes: Sequence[tuple[Envelope, Status, str]],
        now: datetime,
        refs: Mapping[int, str] | None = None,
    ) -> None:
        """Record final states: (envelope, new status, short error code); ``refs``: the channel's
        message id by envelope id, for those sent."""
        ...

    async def retry(self, envelope: Envelope, at: datetime, error: str) -> None: ...

    async def depth(self) -> dict[str, int]:
        """Rows waiting, by channel (for health checks and metrics)."""
        ...


class Signal(Protocol):
    """Tells waiting dispatchers and pull channels that rows were queued for someone, or that
    someone's unsolicited rows were withdrawn (they opted out: skip any already claimed)."""

    def notify(self, recipients: Sequence[UserRef]) -> None: ...

    def withdrawn(self, recipients: Sequence[UserRef]) -> None: ...
