"""Remove personal data (phone numbers, e-mails, links, names) from text before it is stored.

Names are found three ways, with the lists in ``bot/core/names.yaml`` (data, not code):

- a Vietnamese family name followed by given names: capitalised ("Nguyễn Văn Bình", "Tran Thi
  Hoa"), or in any case and without accents when a middle name says so ("nguyen van binh");
- a capitalised word after a kinship word ("chị Lan", "cháu Bình") or after "tên là", "my name
  is" (the cue words);
- three or more capitalised words in a row that do not open a sentence, and two when the second
  is a middle name ("Lò Văn Pó").

Places and other capitalised things users ask about (``not_names``: "Hà Nội", "Quảng Trị",
"Zalo") are kept, as is every ordinary question: a family name that is also a word ("lê", "mai",
"cao", "lưu") is a name only when capitalised and followed by another capitalised word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.core.textnorm import fold, has_accents, strip_accents

NAMES_FILE = Path(__file__).with_name("names.yaml")
NAME = "<name>"
MAX_GIVEN = 3  # words after a family name: "Nguyễn Thị Minh Khai"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\w)\+?\d[\d .\-()]{6,}\d(?!\w)")
# "tên (tôi|con) là lan", "my name is Lan": the words after are a name; after "tên (tôi)"
# without "là" only capitalised words are ("tên tôi Lan", not "nói tên mình ra")
_PRONOUN = r"(?:t[oô]i|em|m[iì]nh|con|ch[aá]u|b[eé])\s+"
_CUED = re.compile(
    r"(?i:\b(t[eê]n\s+(?:" + _PRONOUN + r")?l[aà]\s+|my name is\s+|i am called\s+))"
    r"([A-ZÀ-Ỹa-zà-ỹĐđ]+(?:\s+[A-ZÀ-ỸĐ][a-zà-ỹđ]+){0,3})"
)
_CUED_CAPITAL = re.compile(
    r"(?i:\b(t[eê]n\s+(?:" + _PRONOUN + r")?))([A-ZÀ-ỸĐ][a-zà-ỹđ]+(?:\s+[A-ZÀ-ỸĐ][a-zà-ỹđ]+){0,3})"
)
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")


@dataclass(frozen=True)
class Names:
    family: frozenset[str]  # folded, with accents
    family_plain: frozenset[str]  # folded, without
    lowercase_family: frozenset[str]  # folded: a name in any case when a middle name follows
    unaccented_family: frozenset[str]  # the same typed without accents
    middle: frozenset[str]  # plain
    kinship: frozenset[str]  # folded
    not_names: tuple[tuple[str, ...], ...]  # plain word sequences

    @classmethod
    def load(cls, path: Path = NAMES_FILE) -> Names:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))

        def folded(key: str) -> frozenset[str]:
            return frozenset(fold(str(item)) for item in data[key])

        def plain(key: str) -> frozenset[str]:
            return frozenset(strip_accents(word) for word in folded(key))

        return cls(
            family=folded("family"),
            family_plain=plain("family"),
            lowercase_family=folded("lowercase_with_middle"),
            unaccented_family=folded("unaccented_with_middle"),
            middle=plain("middle"),
            kinship=folded("kinship"),
            not_names=tuple(tuple(strip_accents(fold(str(p))).split()) for p in data["not_names"]),
        )


@cache
def names() -> Names:
    return Names.load()


def scrub(text: str) -> str:
    text = _EMAIL.sub("<email>", text)
    text = _URL.sub("<link>", text)
    text = _PHONE.sub("<phone>", text)
    text = _CUED.sub(lambda m: m.group(1) + NAME, text)
    text = _CUED_CAPITAL.sub(lambda m: m.group(1) + NAME, text)
    return scrub_names(text)


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    end: int
    folded: str
    plain: str
    capital: bool
    opens_sentence: bool


def _words(text: str) -> list[_Word]:
    found = []
    for match in _WORD.finditer(text):
        word = match.group()
        folded = fold(word)
        before = text[: match.start()]
        found.append(
            _Word(
                text=word,
                start=match.start(),
                end=match.end(),
                folded=folded,
                plain=strip_accents(folded),
                capital=word[0].isupper() and len(word) > 1,  # not "I"
                opens_sentence=not before.strip() or bool(_SENTENCE_END.search(before)),
            )
        )
    return found


def _adjacent(text: str, left: _Word, right: _Word) -> bool:
    """Only spaces between the two words (a comma or a dash ends a name)."""
    return text[left.end : right.start].isspace()


def _is_family(word: _Word, known: Names, accented: bool) -> bool:
    """In a text typed with accents, the family name as written ("Cam" is not "Cầm")."""
    if accented:
        return word.folded in known.family
    return word.plain in known.family_plain


def _not_a_name_at(words: list[_Word], i: int, known: Names) -> bool:
    for phrase in known.not_names:
        end = i + len(phrase)
        if end <= len(words) and tuple(w.plain for w in words[i:end]) == phrase:
            return True
    return False


def _capitalised_run(text: str, words: list[_Word], i: int, known: Names, limit: int) -> int:
    """How many capitalised words follow ``words[i]`` directly (at most ``limit``)."""
    n = 0
    while (
        n < limit
        and i + n + 1 < len(words)
        and words[i + n + 1].capital
        and _adjacent(text, words[i + n], words[i + n + 1])
        and not _not_a_name_at(words, i + n + 1, known)
    ):
        n += 1
    return n


def _name_at(text: str, words: list[_Word], i: int, known: Names, accented: bool) -> int:
    """How many words from ``words[i]`` make a person's name (0: none starts here)."""
    word = words[i]
    if _not_a_name_at(words, i, known):
        return 0
    nxt = words[i + 1] if i + 1 < len(words) and _adjacent(text, word, words[i + 1]) else None
    if word.capital and _is_family(word, known, accented):
        given = _capitalised_run(text, words, i, known, MAX_GIVEN)
        if given:
            return 1 + given
    lowercase_family = (
        word.folded in known.lowercase_family
        if accented
        else word.folded in known.unaccented_family
    )
    if (
        nxt is not None
        and lowercase_family
        and nxt.plain in known.middle
        and i + 2 < len(words)
        and _adjacent(text, nxt, words[i + 2])
    ):
        extra = 1 if i + 3 < len(words) and words[i + 3].capital else 0
        return 3 + extra
    if word.capital and nxt is not None and nxt.capital and nxt.plain in known.middle:
        return 2 + _capitalised_run(text, words, i + 1, known, MAX_GIVEN - 1)  # "Lò Văn Pó"
    if word.capital and not word.opens_sentence:
        run = _capitalised_run(text, words, i, known, MAX_GIVEN)
        if run >= 2:
            return 1 + run
    return 0


def scrub_names(text: str) -> str:
    """Personal names replaced by ``<name>`` (see the module's docstring)."""
    known = names()
    words = _words(text)
    accented = has_accents(text)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        word = words[i]
        if (
            word.folded in known.kinship
            and i + 1 < len(words)
            and not _not_a_name_at(words, i, known)  # "Con Co": the island Cồn Cỏ
        ):
            nxt = words[i + 1]
            if (
                nxt.capital
                and _adjacent(text, word, nxt)
                and not _not_a_name_at(words, i + 1, known)
            ):
                count = 1 + _capitalised_run(text, words, i + 1, known, MAX_GIVEN - 1)
                spans.append((nxt.start, words[i + count].end))
                i += 1 + count
                continue
        count = _name_at(text, words, i, known, accented)
        if count:
            spans.append((word.start, words[i + count - 1].end))
            i += count
        else:
            i += 1
    for start, end in reversed(spans):
        text = text[:start] + NAME + text[end:]
    return text
