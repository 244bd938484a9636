"""Every kind of button the bot shows, and the typed data it sends back (see ``callbacks``).

One place to read what a button can carry; each feature builds its buttons from these and the
dialog routes each type to one handler. Changing a field's meaning needs a new prefix, so that
buttons already on users' screens expire politely instead of doing something else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.callbacks import CallbackData
from bot.core.profile import AgeBand, Frequency, Role


class MenuChoice(StrEnum):
    TOPICS = "topics"
    TIP = "tip"
    ASK = "ask"
    HELP = "help"


class ConsentChoice(StrEnum):
    SELF = "self"
    PARENT = "parent"  # a child under 16 and a parent agree together
    NO = "no"


class CounsellorChoice(StrEnum):
    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class Menu(CallbackData):
    prefix = "menu"
    choice: MenuChoice


@dataclass(frozen=True)
class Language(CallbackData):
    prefix = "lang"
    code: str


@dataclass(frozen=True)
class RoleButton(CallbackData):
    prefix = "role"
    role: Role


@dataclass(frozen=True)
class AgeButton(CallbackData):
    prefix = "age"
    band: AgeBand


@dataclass(frozen=True)
class ConsentButton(CallbackData):
    prefix = "consent"
    choice: ConsentChoice


@dataclass(frozen=True)
class Forget(CallbackData):
    prefix = "forget"
    confirm: bool


@dataclass(frozen=True)
class PillarButton(CallbackData):
    prefix = "pillar"
    pillar: str


@dataclass(frozen=True)
class TopicButton(CallbackData):
    prefix = "topic"
    topic: str


@dataclass(frozen=True)
class ArticleButton(CallbackData):
    prefix = "art"
    article: str


@dataclass(frozen=True)
class ReadMore(CallbackData):
    prefix = "more"
    article: str


@dataclass(frozen=True)
class Feedback(CallbackData):
    prefix = "fb"
    article: str
    helpful: bool


@dataclass(frozen=True)
class NextTip(CallbackData):
    prefix = "tip"


class SafeChoice(StrEnum):
    OK = "ok"


@dataclass(frozen=True)
class Safe(CallbackData):
    """The answer to a check-in ("Are you safe right now?"): I'm OK."""

    prefix = "safe"
    choice: SafeChoice


@dataclass(frozen=True)
class Counsellor(CallbackData):
    """The answer to "Do you want to talk to a counsellor now?"."""

    prefix = "case"
    choice: CounsellorChoice


class DeskVerb(StrEnum):
    ACK = "ack"
    CLOSE = "close"


@dataclass(frozen=True)
class DeskButton(CallbackData):
    """A case worker's button under a case alert in a desk chat."""

    prefix = "desk"
    verb: DeskVerb
    case: int


# ---- subscriptions, settings, communes and campaigns -------------------------------------------


@dataclass(frozen=True)
class Subscribe(CallbackData):
    """ "🔔 Get tips": opens the subscription choices (never subscribes by itself)."""

    prefix = "sub"


@dataclass(frozen=True)
class FrequencyButton(CallbackData):
    prefix = "freq"
    frequency: Frequency


@dataclass(frozen=True)
class ChildAge(CallbackData):
    """The age band of the child a parent wants weekly tips for."""

    prefix = "kidage"
    band: str


@dataclass(frozen=True)
class TopicToggle(CallbackData):
    """Add or remove a pillar from the topics a subscriber wants (``all``: every topic)."""

    prefix = "subt"
    pillar: str


@dataclass(frozen=True)
class TopicsDone(CallbackData):
    prefix = "subdone"


@dataclass(frozen=True)
class Unsubscribe(CallbackData):
    """Under every campaign message: the same as /stop."""

    prefix = "unsub"


class SettingsChoice(StrEnum):
    LANGUAGE = "language"
    COMMUNE = "commune"
    SUBSCRIPTION = "subscription"
    STOP = "stop"


@dataclass(frozen=True)
class SettingsButton(CallbackData):
    prefix = "set"
    choice: SettingsChoice


@dataclass(frozen=True)
class CommuneButton(CallbackData):
    """A commune found by name (its official code); ``none`` skips or removes it."""

    prefix = "commune"
    code: str


@dataclass(frozen=True)
class CampaignArticle(CallbackData):
    """A campaign's "read more" button: the article, counted for the campaign's statistics."""

    prefix = "cmp"
    campaign: int
    article: str
