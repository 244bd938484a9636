"""Everything the dialog needs, as one typed object (no service-locator dict)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.i18n import Catalogs
from bot.core.languages import LanguageRegistry
from bot.core.library import Library


class Hit(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def score(self) -> float: ...


class Searcher(Protocol):
    def search(self, query: str, lang: str, limit: int = 5) -> Sequence[Hit]: ...


class RiskVerdict(Protocol):
    @property
    def escalate(self) -> bool: ...
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

    def offered_languages(self) -> list[str]:
        """Languages with enough of the interface translated, in registry order."""
        offered = []
        for code in self.languages.codes:
            lang = self.languages.get(code)
            if lang is None or lang.pseudo:
                continue
            if code in (self.options.default_locale, "en") or (
                self.catalogs.coverage(code) >= self.options.lang_min_coverage
            ):
                offered.append(code)
        return offered
