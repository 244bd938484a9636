"""Everything the dialog needs, as one typed object (no service-locator dict)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.core.communes import CommuneDirectory
from bot.core.hours import Hours, parse_hours
from bot.core.i18n import Catalogs
from bot.core.languages import LanguageRegistry, Offer, offered
from bot.core.library import Library
from bot.core.messages import UserRef
from bot.core.search import SearchHit, SearchResult


class Searcher(Protocol):
    def search(self, query: str, lang: str, limit: int = 5) -> Sequence[SearchHit]: ...
    def lookup(self, query: str, lang: str, limit: int = 5) -> SearchResult: ...


class RiskVerdict(Protocol):
    """What the safety check says (``bot.core.safety.Verdict``): ``level`` is crisis, check-in
    or none (``escalate`` is crisis); ``who`` is read from the message: self, other-child or
    general (None when the check could not tell)."""

    @property
    def escalate(self) -> bool: ...
    @property
    def level(self) -> str: ...
    @property
    def who(self) -> str | None: ...
    @property
    def category(self) -> str | None: ...
    @property
    def severity(self) -> str | None: ...
    @property
    def rules(self) -> tuple[str, ...]: ...


class RiskAssessor(Protocol):
    def assess(self, text: str, lang: str | None = None) -> RiskVerdict: ...


@dataclass(frozen=True)
class Options:
    default_locale: str = "vi"
    max_message_chars: int = 2000
    lang_min_coverage: float = 0.8
    lang_beta: bool = False


class Presence(Protocol):
    """Whether a case worker is signed in at a desk that can take a case now (the web desk:
    shared by every process through the database, see ``bot.storage.presence``)."""

    async def anyone(self, now: datetime) -> bool: ...


class Nobody:
    async def anyone(self, now: datetime) -> bool:
        return False


@dataclass(frozen=True)
class DeskOptions:
    """The case desks: where new cases are announced, and when a counsellor can be offered.

    ``feeds`` are staff chats on push channels (a Telegram group) that get each alert through the
    outbox; ``presence`` says whether anyone is signed in at a desk that has no feed (the web
    desk). A counsellor is offered only within ``hours`` and while a feed or a person is there.
    """

    feeds: tuple[UserRef, ...] = ()  # e.g. (UserRef("telegram", "-1001234"),)
    ack_minutes: int = 5
    hours: Hours = field(default_factory=lambda: parse_hours("00:00-24:00"))
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    presence: Presence = field(default_factory=Nobody)

    def staffed(self, now: datetime) -> bool:
        return self.hours.contains(now.astimezone(self.zone))

    async def on_duty(self, now: datetime) -> bool:
        if not self.staffed(now):
            return False
        return bool(self.feeds) or await self.presence.anyone(now)


@dataclass
class Content:
    """The library and its search index, swapped together on reload."""

    library: Library
    index: Searcher | None = None


@dataclass
class Services:
    catalogs: Catalogs
    languages: LanguageRegistry
    content: Content
    safety: RiskAssessor
    options: Options = field(default_factory=Options)
    desk: DeskOptions = field(default_factory=DeskOptions)
    communes: CommuneDirectory = field(default_factory=CommuneDirectory.empty)

    def offered_languages(self) -> list[str]:
        """The language picker's choices, in registry order (see ``bot.core.languages.offered``)."""
        return [offer.code for offer in self._offers()]

    def is_beta(self, code: str) -> bool:
        """Offered although its interface is below LANG_MIN_COVERAGE (LANG_BETA is on)."""
        return any(offer.code == code and offer.beta for offer in self._offers())

    def _offers(self) -> list[Offer]:
        return offered(
            self.languages,
            self.catalogs.coverage,
            self.options.lang_min_coverage,
            self.options.default_locale,
            self.options.lang_beta,
        )
