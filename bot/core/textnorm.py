"""Text normalisation shared by search and the safety check.

Vietnamese is often typed without accents ("lam sao phong duoi nuoc"), with ``đ`` as ``d`` and in
any case. Everything that compares user text with our data goes through these functions so that the
search and the safety check see the same words.
"""

from __future__ import annotations

import re
import unicodedata

# Control characters (C0, C1, DEL) except tab and newline; zero-width characters, BOM and
# surrogates (a lone one cannot be encoded: no database, log or hash takes it).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)
# What ``sanitize`` removes: the same control characters and surrogates, keeping every
# visible character (zero-width joiners are part of some emoji and scripts).
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NEWLINES = re.compile("\r\n?")
_WORD = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def sanitize(text: str) -> str:
    """Text safe to keep and pass anywhere, as every channel hands it to the core (``Inbound``):
    NFC, line ends as ``\\n``, no lone surrogates and no control characters but newline and tab.
    Nothing else changes (spaces, case and length stay)."""
    if text.isascii() and text.isprintable():
        return text  # the common case, checked in C
    text = _UNSAFE.sub("", _NEWLINES.sub("\n", text))
    return unicodedata.normalize("NFC", text)


def clean(text: str, max_chars: int | None = None) -> str:
    """NFC-normalise, drop control and zero-width characters, squeeze spaces, truncate."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text))
    text = _SPACES.sub(" ", text).strip()
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars].rsplit(" ", 1)[0] if " " in text[:max_chars] else text[:max_chars]
    return text


def fold(text: str) -> str:
    """Case-fold and NFC-normalise, keeping accents."""
    return unicodedata.normalize("NFC", text.casefold())


def strip_accents(text: str) -> str:
    """Remove Vietnamese (and other Latin) diacritics; ``đ`` becomes ``d``."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def words(text: str) -> list[str]:
    """Folded words (accents kept), in order."""
    return _WORD.findall(fold(text))


def plain_words(text: str) -> list[str]:
    """Folded, accent-free words, in order: the form used to match unaccented typing."""
    return _WORD.findall(strip_accents(fold(text)))


def has_accents(text: str) -> bool:
    """True when the text carries any diacritic (or ``đ``): the user typed with accents."""
    return strip_accents(text) != text
