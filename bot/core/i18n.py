"""Interface translations: gettext catalogs with explicit fallback chains.

Source strings (msgids) are English. Each language's catalog lives in
``locales/<lang>/LC_MESSAGES/messages.po``; it is compiled in memory when loaded, so a catalog is
never stale and a missing ``.mo`` can never stop the bot. A language falls back along its chain
(for example ``bru → vi``) and finally to the English source.

The current locale is a context variable set by the pipeline for each message, so code anywhere in
the core writes ``_("...")`` and the text comes out in the user's language. The same context
carries the locale whose CLDR data formats dates and numbers (see ``bot.core.formatting``).
"""

from __future__ import annotations

import gettext
import io
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

DOMAIN = "messages"
SOURCE_LOCALE = "en"
TEMPLATE = f"{DOMAIN}.pot"
REGISTRY = "languages.yaml"

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

_UNTRANSLATED = gettext.NullTranslations()  # outside any message: the English source
_current: ContextVar[gettext.NullTranslations] = ContextVar("translations")
_current_locale: ContextVar[str] = ContextVar("locale", default=SOURCE_LOCALE)
_current_format: ContextVar[str] = ContextVar("format_locale", default=SOURCE_LOCALE)


def message_key(message: Message) -> str:
    """The gettext key of a message: its (singular) msgid, prefixed by its context if any."""
    msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
    return f"{message.context}\x04{msgid}" if message.context else str(msgid)


def placeholders(text: str) -> set[str]:
    """The names of a string's ``{name}`` placeholders (``{{`` escapes are not placeholders)."""
    fields = _PLACEHOLDER.findall(text.replace("{{", "").replace("}}", ""))
    return {re.split(r"[!:.\[]", field, maxsplit=1)[0] for field in fields}


def _strings(message: Message) -> tuple[str, ...]:
    value = message.string
    return tuple(value) if isinstance(value, tuple | list) else (value or "",)


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, tuple | list) else (message.id,)


def safe_placeholders(message: Message) -> bool:
    """Every placeholder of the translation exists in the source (else ``.format`` would raise)."""
    known = set().union(*(placeholders(i) for i in _ids(message)))
    return all(placeholders(s) <= known for s in _strings(message))


def is_translated(message: Message) -> bool:
    """A usable translation: not fuzzy, every plural form filled, no unknown placeholder."""
    if not message.id or message.fuzzy:
        return False
    return all(_strings(message)) and safe_placeholders(message)


def read_catalog(po_path: Path) -> Catalog:
    with po_path.open("rb") as fh:
        return read_po(fh)


def _usable(catalog: Catalog, source: str) -> Catalog:
    """Drop translations that would break at run time (a placeholder ``.format`` cannot fill)."""
    for message in catalog:
        if message.id and any(_strings(message)) and not safe_placeholders(message):
            log.warning(
                "%s: ignoring the translation of %r: it has a placeholder the source lacks",
                source,
                message.id,
            )
            message.string = (
                ("",) * len(message.string) if isinstance(message.string, tuple) else ""
            )
    return catalog


@dataclass(frozen=True)
class _Loaded:
    mo: bytes
    translated: frozenset[str]
    keys: frozenset[str]


def _load_one(po_path: Path) -> _Loaded:
    catalog = _usable(read_catalog(po_path), str(po_path))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    messages = [m for m in catalog if m.id]
    return _Loaded(
        mo=buffer.getvalue(),
        translated=frozenset(message_key(m) for m in messages if is_translated(m)),
        keys=frozenset(message_key(m) for m in messages),
    )


def compile_catalog(po_path: Path) -> tuple[bytes, int, int]:
    """Compile a ``.po`` file in memory: (mo bytes, translated strings, all strings)."""
    loaded = _load_one(po_path)
    return loaded.mo, len(loaded.translated), len(loaded.keys)


def _template_keys(locales_dir: Path) -> frozenset[str] | None:
    path = locales_dir / TEMPLATE
    if not path.is_file():
        return None
    try:
        return frozenset(message_key(m) for m in read_catalog(path) if m.id)
    except Exception as exc:
        log.error("unreadable template %s: %s", path, exc)
        return None


def _registry_defaults(locales_dir: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Fallback chains and format locales from the language registry next to the catalogs."""
    from bot.core.languages import LanguageRegistry

    path = locales_dir / REGISTRY
    if not path.is_file():
        return {}, {}
    try:
        registry = LanguageRegistry.load(path)
    except ValueError as exc:
        log.error("%s", exc)
        return {}, {}
    return registry.chains(), registry.format_locales()


class Catalogs:
    """All loaded catalogs, each chained to its fallbacks."""

    def __init__(
        self,
        chains: Mapping[str, tuple[str, ...]],
        default_locale: str,
        format_locales: Mapping[str, str] | None = None,
    ) -> None:
        self._chains = dict(chains)
        self.default_locale = default_locale
        self._format_locales = dict(format_locales or {})
        self._loaded: dict[str, _Loaded] = {}
        self._reference: frozenset[str] = frozenset()
        self._chained: dict[str, gettext.NullTranslations] = {}
        self._translated: dict[str, tuple[_Loaded, frozenset[str], frozenset[str]]] = {}

    @classmethod
    def load(
        cls,
        locales_dir: Path,
        default_locale: str = "vi",
        chains: Mapping[str, tuple[str, ...]] | None = None,
        format_locales: Mapping[str, str] | None = None,
    ) -> Catalogs:
        """Load every catalog under ``locales_dir``; chains and formats default to its registry."""
        registry_chains, registry_formats = _registry_defaults(locales_dir)
        catalogs = cls(
            registry_chains if chains is None else chains,
            default_locale,
            registry_formats if format_locales is None else format_locales,
        )
        for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            lang = po_path.parent.parent.name
            try:
                catalogs._loaded[lang] = _load_one(po_path)
            except Exception as exc:  # a broken catalog must not take the bot down
                log.error("skipping broken catalog %s: %s", po_path, exc)
        template = _template_keys(locales_dir)
        union: frozenset[str] = frozenset().union(*(c.keys for c in catalogs._loaded.values()))
        catalogs._reference = template if template is not None else union
        return catalogs

    @property
    def languages(self) -> list[str]:
        return sorted(self._loaded)

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
            loaded = self._loaded.get(lang)
            if loaded is None:
                continue
            # a fresh object per link, so add_fallback on one chain cannot leak into another
            link = gettext.GNUTranslations(io.BytesIO(loaded.mo))
            if head is None:
                head = link
            else:
                head.add_fallback(link)
        result = head or gettext.NullTranslations()
        self._chained[locale] = result
        return result

    def has(self, locale: str) -> bool:
        return locale in self._loaded

    @property
    def template(self) -> frozenset[str]:
        """Every interface string (the template's msgids, else every catalog's)."""
        return self._reference

    def translated(self, locale: str) -> frozenset[str]:
        """The interface strings this language's own catalog translates (not its fallbacks)."""
        loaded = self._loaded.get(locale)
        if loaded is None:
            return frozenset()
        memo = self._translated.get(locale)  # asked on every turn (the language picker)
        if memo is None or memo[0] is not loaded or memo[1] is not self._reference:
            memo = (loaded, self._reference, loaded.translated & self._reference)
            self._translated[locale] = memo
        return memo[2]

    def missing(self, locale: str) -> list[str]:
        return sorted(self._reference - self.translated(locale))

    def coverage(self, locale: str) -> float:
        """Share of the interface strings this language's own catalog translates."""
        total = len(self._reference)
        return len(self.translated(locale)) / total if total else 0.0

    def format_locale(self, locale: str) -> str:
        """The CLDR locale whose formats this language uses (the registry's ``format_locale``)."""
        return self._format_locales.get(locale, locale)


def _enter(catalogs: Catalogs, locale: str) -> None:
    _current.set(catalogs.translations(locale))
    _current_locale.set(locale)
    _current_format.set(catalogs.format_locale(locale))


@contextmanager
def use_locale(catalogs: Catalogs, locale: str) -> Iterator[None]:
    tokens = (
        _current.set(catalogs.translations(locale)),
        _current_locale.set(locale),
        _current_format.set(catalogs.format_locale(locale)),
    )
    try:
        yield
    finally:
        _current.reset(tokens[0])
        _current_locale.reset(tokens[1])
        _current_format.reset(tokens[2])


def switch_locale(catalogs: Catalogs, locale: str) -> None:
    """Change the language mid-turn (the user just chose one); undone when ``use_locale`` exits."""
    _enter(catalogs, locale)


def current_locale() -> str:
    return _current_locale.get()


def current_format_locale() -> str:
    return _current_format.get()


def _(message: str) -> str:
    """Translate into the current user's language."""
    return _current.get(_UNTRANSLATED).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _current.get(_UNTRANSLATED).ngettext(singular, plural, n)
