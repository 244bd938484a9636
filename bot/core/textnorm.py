"""Text normalisation shared by search and the safety check.

Vietnamese is often typed without accents ("lam sao phong duoi nuoc"), with ``đ`` as ``d`` and in
any case. Everything that compares user text with our data goes through these functions so that the
search and the safety check see the same words.
"""

from __future__ import annotations

import re
import unicodedata

# Control characters (C0, C1, DEL) except tab and newline; zero-width characters and BOM.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_WORD = re.compile(r"\w+", re.UNICODE)
_SPACES = re.compile(r"\s+")


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
