"""Interface translations: gettext catalogs with explicit fallback chains.

Source strings (msgids) are English. Each language's catalog lives in
``locales/<lang>/LC_MESSAGES/messages.po``; it is compiled in memory when loaded, so a catalog is
never stale and a missing ``.mo`` can never stop the bot. A language falls back along its chain
(for example ``bru → vi``) and finally to the English source.

The current locale is a context variable set by the pipeline for each message, so code anywhere in
the core writes ``_("...")`` and the text comes out in the user's language.
"""

from __future__ import annotations

import gettext
import io
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

DOMAIN = "messages"
SOURCE_LOCALE = "en"

_current: ContextVar[gettext.NullTranslations] = ContextVar(
    "translations", default=gettext.NullTranslations()
)
_current_locale: ContextVar[str] = ContextVar("locale", default=SOURCE_LOCALE)


def compile_catalog(po_path: Path) -> tuple[bytes, int, int]:
    """Compile a ``.po`` file in memory: (mo bytes, translated strings, all strings)."""
    with po_path.open("rb") as fh:
        catalog = read_po(fh)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    messages = [m for m in catalog if m.id]
    done = sum(
        1 for m in messages if m.string and (not isinstance(m.string, tuple) or all(m.string))
    )
    return buffer.getvalue(), done, len(messages)


class Catalogs:
    """All loaded catalogs, each chained to its fallbacks."""

    def __init__(self, chains: Mapping[str, tuple[str, ...]], default_locale: str) -> None:
        self._chains = dict(chains)
        self.default_locale = default_locale
        self._mo: dict[str, bytes] = {}
        self._counts: dict[str, tuple[int, int]] = {}
        self._chained: dict[str, gettext.NullTranslations] = {}

    @classmethod
    def load(
        cls,
        locales_dir: Path,
        default_locale: str = "vi",
        chains: Mapping[str, tuple[str, ...]] | None = None,
    ) -> Catalogs:
        catalogs = cls(chains or {}, default_locale)
        for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            lang = po_path.parent.parent.name
            try:
                mo, done, total = compile_catalog(po_path)
            except Exception as exc:  # a broken catalog must not take the bot down
                log.error("skipping broken catalog %s: %s", po_path, exc)
                continue
            catalogs._mo[lang] = mo
            catalogs._counts[lang] = (done, total)
        return catalogs

    @property
    def languages(self) -> list[str]:
        return sorted(self._mo)

    def chain(self, locale: str) -> tuple[str, ...]:
        """The locale, then its fallbacks, then the default locale (except for the source); no repeats."""
        order = [locale, *self._chains.get(locale, ())]
        if locale != SOURCE_LOCALE:  # English is the source language: its gaps show the msgid
            order.append(self.default_locale)
        return tuple(dict.fromkeys(order))

    def translations(self, locale: str) -> gettext.NullTranslations:
        cached = self._chained.get(locale)
        if cached is not None:
            return cached
        head: gettext.NullTranslations | None = None
        for lang in self.chain(locale):
            mo = self._mo.get(lang)
            if mo is None:
                continue
            # a fresh object per link, so add_fallback on one chain cannot leak into another
            link = gettext.GNUTranslations(io.BytesIO(mo))
            if head is None:
                head = link
            else:
                head.add_fallback(link)
        result = head or gettext.NullTranslations()
        self._chained[locale] = result
        return result

    def has(self, locale: str) -> bool:
        return locale in self._mo

    def coverage(self, locale: str) -> float:
        """Share of the interface strings this language's own catalog translates."""
        done, _total = self._counts.get(locale, (0, 0))
        total = max((t for _d, t in self._counts.values()), default=0)
        return done / total if total else 0.0


@contextmanager
def use_locale(catalogs: Catalogs, locale: str) -> Iterator[None]:
    token = _current.set(catalogs.translations(locale))
    token_locale = _current_locale.set(locale)
    try:
        yield
    finally:
        _current.reset(token)
        _current_locale.reset(token_locale)


def current_locale() -> str:
    return _current_locale.get()


def _(message: str) -> str:
    """Translate into the current user's language."""
    return _current.get().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.get().ngettext(singular, plural, n)


class LazyString:
    """A string translated when it is used, for module-level constants."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return _(self.message)


def __(message: str) -> LazyString:  # noqa: N802 - gettext convention
    return LazyString(message)


def switch_locale(catalogs: Catalogs, locale: str) -> None:
    """Change the language mid-turn (the user just chose one); undone when ``use_locale`` exits."""
    _current.set(catalogs.translations(locale))
    _current_locale.set(locale)
