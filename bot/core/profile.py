"""What the bot keeps about a user: the minimum needed to answer well, nothing more."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core.messages import UserRef


class Role(StrEnum):
    PARENT = "parent"
    CHILD = "child"
    TEACHER = "teacher"
    OTHER = "other"


class AgeBand(StrEnum):
    """Students' age bands; 16 and over is not a child under the Law on Children 2016."""

    AGE_6_10 = "6-10"
    AGE_11_15 = "11-15"
    AGE_16_PLUS = "16+"

    @property
    def is_child(self) -> bool:
        return self is not AgeBand.AGE_16_PLUS


class Frequency(StrEnum):
    """What a subscriber asked for (never chosen for them: silence is not consent)."""

    WEEKLY = "weekly"  # a tip a week for their child's age band, and campaigns
    CAMPAIGNS = "campaigns"  # campaigns only


CHILD_AGES = ("0-5", "6-10", "11-15")  # the tips' age bands a parent can choose


class State(StrEnum):
    """Where a user is in the conversation."""

    NEW = "new"
    ASK_LANGUAGE = "ask-language"
    ASK_ROLE = "ask-role"
    ASK_AGE = "ask-age"
    ASK_CONSENT = "ask-consent"
    READY = "ready"
    CONFIRM_FORGET = "confirm-forget"
    ASK_COMMUNE = "ask-commune"  # waiting for part of a commune's name (onboarding or /settings)


@dataclass
class Memo:
    """What the conversation remembers between messages, typed (stored as ``users.state_data``).

    Nothing here holds what the user wrote: a disclosure waiting for "Do you want to talk to a
    counsellor?" is kept in an *offered* case (see ``bot.core.cases.flow``), which is deleted
    when the user moves on, and only its id is remembered here.
    """

    tips_shown: int = 0  # which tip comes next
    may_have_case: bool = False  # look for an open case on this user's messages
    offered_case: int | None = None  # a counsellor was offered for this case; not yet accepted
    # the button data of a menu the channel showed as numbered lines (it could not show buttons):
    # a reply with a number picks one; any next message forgets them (see ``bot.core.numbered``)
    choices: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.tips_shown:
            data["tips_shown"] = self.tips_shown
        if self.may_have_case:
            data["case"] = True
        if self.offered_case is not None:
            data["offered"] = self.offered_case
        if self.choices:
            data["choices"] = list(self.choices)
        return data

    @classmethod
    def from_json(cls, data: object) -> Memo:
        """Tolerant: unknown keys (an older version's) and wrong types are dropped."""
        if not isinstance(data, dict):
            return cls()
        tips = data.get("tips_shown")
        offered = data.get("offered")
        choices = data.get("choices")
        return cls(
            tips_shown=tips if isinstance(tips, int) and tips >= 0 else 0,
            may_have_case=data.get("case") is True,
            offered_case=offered if isinstance(offered, int) else None,
            choices=tuple(choices)
            if isinstance(choices, list) and all(isinstance(c, str) for c in choices)
            else (),
        )


# language, role, age band, commune if given, subscriptions; no names or numbers
CONSENT_SCOPE = "minimal-profile-v2"


@dataclass(frozen=True)
class Consent:
    by: str  # "self", or "self+parent" when a child says a parent agreed too
    at: datetime
    scope: str = CONSENT_SCOPE


@dataclass
class Profile:
    ref: UserRef
    created_at: datetime
    last_seen_at: datetime
    id: int | None = None
    locale: str | None = None
    role: Role | None = None
    age_band: AgeBand | None = None
    commune: str | None = None
    consent: Consent | None = None
    subscribed: bool = False
    frequency: Frequency | None = None
    topics: frozenset[str] = frozenset()  # pillar ids; empty: every topic
    child_age: str | None = None  # one of CHILD_AGES: what the weekly tip is for
    subscribed_at: datetime | None = None
    opted_out: bool = False
    opted_out_at: datetime | None = None
    blocked: bool = False
    state: State = State.NEW
    memo: Memo = field(default_factory=Memo)
    version: int = 0  # saves so far; storage uses it to order writes

    @property
    def is_child(self) -> bool:
        return self.role is Role.CHILD and (self.age_band is None or self.age_band.is_child)

    @property
    def onboarded(self) -> bool:
        return self.consent is not None

    @property
    def tip_age(self) -> str | None:
        """The age band a weekly tip is for: a student's own, or the child a parent named."""
        if self.role is Role.CHILD and self.age_band is not None and self.age_band.is_child:
            return self.age_band.value
        return self.child_age

    def subscribe(self, frequency: Frequency, now: datetime) -> None:
        self.subscribed = True
        self.frequency = frequency
        self.subscribed_at = now
        self.opted_out = False
        self.opted_out_at = None

    def stop(self, now: datetime) -> None:
        """No more messages that are not answers: campaigns, tips, anything."""
        self.subscribed = False
        self.frequency = None
        if not self.opted_out:
            self.opted_out_at = now
        self.opted_out = True
