"""One turn of conversation: everything a dialog handler may look at or change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.messages import Inbound, Reply, UserRef
from bot.core.outbox import Outgoing
from bot.core.ports import Event, Store
from bot.core.profile import Profile


@dataclass
class Turn:
    inbound: Inbound
    text: str  # cleaned and truncated
    profile: Profile
    store: Store
    now: datetime
    locale: str
    replies: list[Reply] = field(default_factory=list)  # to the user, in answer to this message
    outgoing: list[Outgoing] = field(default_factory=list)  # to anyone else, through the outbox
    events: list[Event] = field(default_factory=list)
    forgotten: bool = False  # the user's data was deleted in this turn: do not save the profile
    withdrawn: list[UserRef] = field(default_factory=list)  # opted out: skip rows in flight

    async def withdraw_unsolicited(self, reason: str) -> int:
        """The user opted out: cancel their tips and campaign messages not sent yet (with this
        turn's commit), and have dispatchers skip any they already hold."""
        self.withdrawn.append(self.inbound.user)
        return await self.store.outbox.withdraw(self.inbound.user, reason, self.now)

    def say(self, reply: Reply) -> None:
        self.replies.append(reply)

    def send(self, message: Outgoing) -> None:
        """Queue a message for someone else (written with this turn, sent after the commit)."""
        self.outgoing.append(message)

    def record(self, kind: str, subject: str | None = None, **data: str) -> None:
        role = self.profile.role.value if self.profile.role else None
        self.events.append(
            Event(
                kind=kind,
                at=self.now,
                channel=self.inbound.user.channel,
                locale=self.locale,
                role=role,
                subject=subject,
                data=data,
            )
        )
