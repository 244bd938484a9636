"""Fixtures for localisation tests: temporary locale directories, services built on them, a chat.

Nothing here contains text in a minority language: catalogs for ``bru`` and the pseudo-locale
``qps`` hold only marked copies of the English msgids.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from bot.core.i18n import Catalogs, read_catalog
from bot.core.languages import LanguageRegistry
from bot.core.library import Library
from bot.core.messages import Inbound, Reply, UserRef
from bot.core.pipeline import Pipeline
from bot.core.search import SearchHit, SearchResult
from bot.core.services import Content, DeskOptions, Options, Services
from bot.storage.database import Database
from bot.tools.translation.catalogs import po_path, write_catalog
from bot.tools.translation.pseudo import PSEUDO_CODE, pseudo_catalog
from tests.conftest import ROOT, Chat, FakeClock

LOCALES = ROOT / "locales"
CONTENT = ROOT / "content"
TODAY = date(2026, 12, 1)  # the FakeClock's day


def marked(lang: str, msgid: str) -> str:
    """A stand-in 'translation' that is obviously not real text in any language."""
    return f"«{lang}:{msgid}»"


def copy_locales(target: Path, langs: Sequence[str] = ("vi", "en")) -> Path:
    """languages.yaml, messages.pot and the given real catalogs, copied into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(LOCALES / "languages.yaml", target / "languages.yaml")
    shutil.copy(LOCALES / "messages.pot", target / "messages.pot")
    for lang in langs:
        destination = po_path(target, lang)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(po_path(LOCALES, lang), destination)
    return target


def add_pseudo(locales_dir: Path) -> None:
    registry = LanguageRegistry.load(locales_dir / "languages.yaml")
    language = registry.get(PSEUDO_CODE)
    assert language is not None and language.pseudo
    write_catalog(
        po_path(locales_dir, PSEUDO_CODE),
        pseudo_catalog(language, read_catalog(locales_dir / "messages.pot")),
    )


def add_partial(locales_dir: Path, lang: str, msgids: Sequence[str]) -> None:
    """A catalog for ``lang`` (from the real, empty one) with only ``msgids`` filled, marked."""
    catalog = read_catalog(po_path(LOCALES, lang))
    wanted = set(msgids)
    for message in catalog:
        if message.id in wanted:
            message.string = marked(lang, str(message.id))
            wanted.discard(str(message.id))
    assert not wanted, f"not in the catalog: {wanted}"
    write_catalog(po_path(locales_dir, lang), catalog)


# ---- stand-ins for safety and search: these tests are about text, not detection ------------------


@dataclass(frozen=True)
class StubVerdict:
    escalate: bool
    category: str | None
    severity: str | None = "high"
    rules: tuple[str, ...] = ()
    who: str | None = None

    @property
    def level(self) -> str:
        return "crisis" if self.escalate else "none"


class StubSafety:
    """Escalates messages that start with a category marker, e.g. ``!abuse ...``."""

    def assess(self, text: str, lang: str | None = None) -> StubVerdict:
        if text.startswith("!"):
            return StubVerdict(True, text[1:].split()[0])
        return StubVerdict(False, None, None)


class StubSearch:
    """Finds articles whose id is a word of the question (``drowning-prevention`` …)."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def search(self, query: str, lang: str, limit: int = 5) -> list[SearchHit]:
        words = set(query.split())
        found = sorted(
            {a.id: a for a in self.library.articles.values() if a.id in words}.values(),
            key=lambda a: a.id,
        )
        return [SearchHit(a.id, a.topic, a.title, a.lang, 1.0) for a in found[:limit]]

    def lookup(self, query: str, lang: str, limit: int = 5) -> SearchResult:
        hits = tuple(self.search(query, lang, limit))
        return SearchResult(hits, 1.0 if hits else 0.0)


def build_services(
    locales_dir: Path,
    content_dir: Path = CONTENT,
    min_coverage: float = 0.8,
    beta: bool = False,
) -> Services:
    registry = LanguageRegistry.load(locales_dir / "languages.yaml")
    library = Library.load(content_dir, fallbacks=registry.fallbacks)
    return Services(
        catalogs=Catalogs.load(locales_dir, "vi", registry.chains()),
        languages=registry,
        content=Content(library=library, index=StubSearch(library)),
        safety=StubSafety(),
        options=Options(default_locale="vi", lang_min_coverage=min_coverage, lang_beta=beta),
    )


# ---- a chat that keeps to a human pace, so flood control stays out of the way --------------------


@dataclass
class PacedChat(Chat):
    """The shared test chat, ten seconds between messages, remembering every reply it saw."""

    clock: FakeClock = field(default_factory=FakeClock)
    seen: list[Reply] = field(default_factory=list)

    async def _handle(self, inbound: Inbound) -> list[Reply]:
        self.clock.advance(seconds=10)
        await super()._handle(inbound)
        self.seen.extend(self.last)
        return self.last


ChatFactory = Callable[[Services], PacedChat]


@pytest.fixture
def make_chat(database: Database, clock: FakeClock) -> ChatFactory:
    def make(services: Services) -> PacedChat:
        # a staff chat is configured, so that the counsellor's screens are seen too
        staffed = copy.copy(services)  # keeps what a test patched on the instance
        staffed.desk = DeskOptions(feeds=(UserRef("test", "desk"),))
        return PacedChat(
            Pipeline(staffed, database.store, clock=clock),
            user=UserRef("test", "i18n"),
            clock=clock,
        )

    return make
