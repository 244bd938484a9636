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


class State(StrEnum):
    """Where a user is in the conversation."""

    NEW = "new"
    ASK_LANGUAGE = "ask-language"
    ASK_ROLE = "ask-role"
    ASK_AGE = "ask-age"
    ASK_CONSENT = "ask-consent"
    READY = "ready"
    CONFIRM_FORGET = "confirm-forget"


CONSENT_SCOPE = "minimal-profile-v1"  # language, role, age band, subscriptions; no names or numbers


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
    opted_out: bool = False
    blocked: bool = False
    state: State = State.NEW
    state_data: dict[str, Any] = field(default_factory=dict)
    version: int = 0  # saves so far; storage uses it to order writes

    @property
    def is_child(self) -> bool:
        return self.role is Role.CHILD and (self.age_band is None or self.age_band.is_child)

    @property
    def onboarded(self) -> bool:
        return self.consent is not None
