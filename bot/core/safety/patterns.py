"""The lexicon's small pattern language, compiled to regular expressions over token streams.

Syntax (see content/safety/README.md for the editors' version):

- ``word``      the word typed with its accents, some of them or none (``chết`` matches ``chet``
                and ``chêt`` but not ``chét``; ``học`` never matches ``hóc``)
- ``=word``     strict: all of its accents or none at all
- ``==word``    typed with exactly these accents (``==vẫn``: "tu van" is "tư vấn", not "tự vẫn")
- ``word*``     any word starting with these letters (``kill*``: kill, kills, killing)
- ``{name}``    any phrase of the class ``name``
- ``(a | b c)`` one of the alternatives; each alternative is itself a sequence
- ``x?``        optional word, class or group
- ``...`` ``...N``  up to 3 (or N) words, but not across a sentence end or a negation word
- ``~`` ``~N``  up to 3 (or N) words, negations allowed, not across a sentence end
- ``^`` ``$``   the start or end of a sentence
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations, product

from bot.core.safety.tokens import Token, phrase_tokens, word_token

DEFAULT_GAP = 3
MAX_GAP = 10
_MAX_CLASS_DEPTH = 8

_LEXEME = re.compile(
    r"\s*(?:(?P<open>\()|(?P<close>\))(?P<close_opt>\?)?|(?P<bar>\|)"
    r"|\{(?P<cls>[^{}\s]+)\}(?P<cls_opt>\?)?"
    r"|(?P<gap>\.\.\.|~)(?P<gap_n>\d+)?(?=\s|$|[()|])"
    r"|(?P<anchor>[\^$])(?=\s|$|[()|])"
    r"|(?P<word>[^\s(){}|]+))"
)


class PatternError(ValueError):
    """A pattern or class that cannot be compiled; the message says why (never user text)."""


@dataclass
class Grammar:
    """What patterns of one lexicon share: its classes, aliases and negation words."""

    classes: Mapping[str, Sequence[str]]
    aliases: Mapping[str, Token]
    negations: Sequence[str]
    _class_regex: dict[str, str] = field(default_factory=dict)
    _active: list[str] = field(default_factory=list)

    def gap(self, limit: int, *, free: bool) -> str:
        guard = "" if free or not self.negations else f"(?!(?:{self._negation_alt()})/)"
        return f"(?:{guard}[^ .][^ ]* ){{0,{limit}}}"

    def _negation_alt(self) -> str:
        return "|".join(re.escape(self._alias(word_token(w)).plain) for w in self.negations)

    def _alias(self, token: Token) -> Token:
        return self.aliases.get(token.folded, token)

    def word(self, text: str) -> str:
        exact = text.startswith("==") and len(text) > 2
        strict = text.startswith("=") and len(text) > 1
        prefix = text.endswith("*") and len(text) > 1
        core = text[2 if exact else 1 if strict else 0 : -1 if prefix else None]
        tokens = [self._alias(t) for t in phrase_tokens(core)]
        if not tokens:
            raise PatternError(f"{text!r} has no letters or digits")
        if (strict or prefix) and len(tokens) > 1:
            raise PatternError(f"{text!r}: '=' and '*' apply to a single word")
        parts = []
        for token in tokens:
            plain = re.escape(token.plain)
            if prefix:
                parts.append(f"{plain}[^ /]*/[^ ]* ")
            elif exact:
                parts.append(f"{plain}/{re.escape(token.folded)} ")
            elif strict:
                forms = dict.fromkeys((token.plain, token.folded))
                parts.append(f"{plain}/(?:{'|'.join(map(re.escape, forms))}) ")
            else:
                forms = dict.fromkeys(accent_subsets(token.folded))
                parts.append(f"{plain}/(?:{'|'.join(map(re.escape, forms))}) ")
        return "".join(parts)

    def klass(self, name: str) -> str:
        if name in self._class_regex:
            return self._class_regex[name]
        if name not in self.classes:
            raise PatternError(f"unknown class {{{name}}}")
        if name in self._active or len(self._active) >= _MAX_CLASS_DEPTH:
            raise PatternError(f"class {{{name}}} refers to itself")
        self._active.append(name)
        try:
            phrases = [_Parser(self, phrase).sequence() for phrase in self.classes[name]]
        except PatternError as error:
            raise PatternError(f"in class {{{name}}}: {error}") from None
        finally:
            self._active.pop()
        if not phrases:
            raise PatternError(f"class {{{name}}} is empty")
        regex = "(?:" + "|".join(phrases) + ")"
        self._class_regex[name] = regex
        return regex

    def compile(self, patterns: Sequence[str]) -> re.Pattern[str]:
        """One regex matching any of ``patterns``, anchored at a token start."""
        parts = []
        for number, pattern in enumerate(patterns, 1):
            try:
                parts.append(_Parser(self, pattern).pattern())
            except PatternError as error:
                raise PatternError(f"pattern {number} {pattern!r}: {error}") from None
        if not parts:
            raise PatternError("no patterns")
        return re.compile("(?<![^ ])(?:" + "|".join(parts) + ")")


class _Parser:
    def __init__(self, grammar: Grammar, text: str) -> None:
        if not isinstance(text, str):
            raise PatternError(f"{text!r} is not text")
        self.grammar = grammar
        self.lexemes = self._lex(text)
        self.pos = 0

    @staticmethod
    def _lex(text: str) -> list[tuple[str, str, bool]]:
        lexemes: list[tuple[str, str, bool]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            match = _LEXEME.match(text, pos)
            if match is None or match.end() == pos:
                raise PatternError(f"cannot read {text[pos:]!r}")
            pos = match.end()
            if match["open"]:
                lexemes.append(("open", "", False))
            elif match["close"]:
                lexemes.append(("close", "", bool(match["close_opt"])))
            elif match["bar"]:
                lexemes.append(("bar", "", False))
            elif match["cls"]:
                lexemes.append(("class", match["cls"], bool(match["cls_opt"])))
            elif match["gap"]:
                lexemes.append(("gap", match["gap"] + (match["gap_n"] or ""), False))
            elif match["anchor"]:
                lexemes.append(("anchor", match["anchor"], False))
            else:
                word = match["word"]
                optional = word.endswith("?") and len(word) > 1
                lexemes.append(("word", word[:-1] if optional else word, optional))
        return lexemes

    def pattern(self) -> str:
        regex = self.sequence()
        if not any(kind in ("word", "class") for kind, _, _ in self.lexemes):
            raise PatternError("needs at least one word or class")
        return regex

    def sequence(self) -> str:
        alternatives = [self._items()]
        while self.pos < len(self.lexemes) and self.lexemes[self.pos][0] == "bar":
            self.pos += 1
            alternatives.append(self._items())
        if self.pos < len(self.lexemes):
            raise PatternError("')' without '('")
        return _alternation(alternatives)

    def _group(self) -> tuple[str, bool]:
        alternatives = [self._items()]
        while True:
            if self.pos >= len(self.lexemes):
                raise PatternError("'(' without ')'")
            kind, _, optional = self.lexemes[self.pos]
            self.pos += 1
            if kind == "close":
                return _alternation(alternatives), optional
            alternatives.append(self._items())

    def _items(self) -> str:
        parts: list[str] = []
        while self.pos < len(self.lexemes):
            kind, value, optional = self.lexemes[self.pos]
            if kind in ("bar", "close"):
                break
            self.pos += 1
            if kind == "open":
                regex, optional = self._group()
            elif kind == "class":
                regex = self.grammar.klass(value)
            elif kind == "gap":
                free = value.startswith("~")
                digits = value.lstrip(".~")
                limit = int(digits) if digits else DEFAULT_GAP
                if not 1 <= limit <= MAX_GAP:
                    raise PatternError(f"gap {value!r}: the number must be 1 to {MAX_GAP}")
                regex = self.grammar.gap(limit, free=free)
            elif kind == "anchor":
                regex = r"\./\. "
            else:
                regex = self.grammar.word(value)
            parts.append(f"(?:{regex})?" if optional else regex)
        return "".join(parts)


@lru_cache(maxsize=4096)
def accent_subsets(word: str) -> tuple[str, ...]:
    """``word`` with every subset of its diacritics kept: "chết" -> chết, chêt, chét, chet."""
    options: list[list[str]] = []
    for char in word:
        if char == "đ":
            options.append(["đ", "d"])
            continue
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], list(decomposed[1:])
        variants = [
            unicodedata.normalize("NFC", base + "".join(kept))
            for size in range(len(marks), -1, -1)
            for kept in combinations(marks, size)
        ]
        options.append(list(dict.fromkeys(variants)))
    return tuple("".join(chars) for chars in product(*options))


def _alternation(alternatives: list[str]) -> str:
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"
