"""One language's lexicon file (content/safety/<lang>.yaml): read, validate, compile."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from bot.core.safety.patterns import Grammar, PatternError
from bot.core.safety.tokens import Token, phrase_tokens
from bot.core.safety.verdict import Category, Severity

_RULE_ID = re.compile(r"[a-z0-9][a-z0-9._-]*")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*")
_TOP_KEYS = {"language", "aliases", "negations", "classes", "idioms", "questions", "rules"}
_E = TypeVar("_E", bound=StrEnum)
_RULE_KEYS = {"id", "category", "severity", "kind", "patterns", "note"}


class Kind(StrEnum):
    # Names a person in harm's way now ("bố hay đánh em"): fires even inside a question.
    DISCLOSURE = "disclosure"
    # Names the subject without a person ("bị xâm hại"): silenced by an informational question.
    MENTION = "mention"


@dataclass(frozen=True)
class Rule:
    id: str
    category: Category
    severity: Severity
    kind: Kind
    regex: re.Pattern[str]
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    language: str
    aliases: Mapping[str, Token]
    idioms: re.Pattern[str] | None
    questions: re.Pattern[str] | None
    rules: tuple[Rule, ...]
    grammar: Grammar


def load_lexicon(path: Path) -> Lexicon:
    """Read one lexicon file; any problem raises ValueError naming the file and the problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return _build(path.stem.lower(), data)
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as error:
        raise ValueError(f"{path}: cannot read: {error}") from error
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from error


def _build(language: str, data: Any) -> Lexicon:
    if not _LANGUAGE.fullmatch(language):
        raise ValueError(f"file name must be a language code such as vi.yaml, not {language!r}")
    if not isinstance(data, dict):
        raise ValueError("must be a mapping with a 'rules' list")
    _no_unknown_keys(data, _TOP_KEYS, "top level")
    declared = data.get("language", language)
    if str(declared).lower() != language:
        raise ValueError(f"language {declared!r} does not match the file name {language!r}")
    aliases = _aliases(data.get("aliases") or {})
    grammar = Grammar(
        classes=_classes(data.get("classes") or {}),
        aliases=aliases,
        negations=_strings(data.get("negations") or [], "negations", allow_empty=True),
    )
    idioms = _optional_regex(grammar, data.get("idioms"), "idioms")
    questions = _optional_regex(grammar, data.get("questions"), "questions")
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise ValueError("'rules' must be a non-empty list")
    built = tuple(_rule(grammar, number, raw) for number, raw in enumerate(rules, 1))
    return Lexicon(language, aliases, idioms, questions, built, grammar)


def _rule(grammar: Grammar, number: int, raw: Any) -> Rule:
    if not isinstance(raw, dict):
        raise ValueError(f"rule {number} must be a mapping")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _RULE_ID.fullmatch(rule_id):
        raise ValueError(f"rule {number}: 'id' must be lower-case letters, digits, '.', '-', '_'")
    where = f"rule {rule_id!r}"
    _no_unknown_keys(raw, _RULE_KEYS, where)
    category = _enum(Category, raw.get("category"), f"{where}: category")
    severity = _enum(Severity, raw.get("severity"), f"{where}: severity")
    kind = _enum(Kind, raw.get("kind", Kind.MENTION.value), f"{where}: kind")
    patterns = _strings(raw.get("patterns"), f"{where}: patterns")
    try:
        regex = grammar.compile(patterns)
    except PatternError as error:
        raise ValueError(f"{where}: {error}") from None
    return Rule(rule_id, category, severity, kind, regex, tuple(patterns))


def _optional_regex(grammar: Grammar, raw: Any, where: str) -> re.Pattern[str] | None:
    if raw is None or raw == []:
        return None
    try:
        return grammar.compile(_strings(raw, where))
    except PatternError as error:
        raise ValueError(f"{where}: {error}") from None


def _aliases(raw: Any) -> dict[str, Token]:
    if not isinstance(raw, dict):
        raise ValueError("'aliases' must map a typed form to a word")
    aliases: dict[str, Token] = {}
    for typed, meant in raw.items():
        typed_tokens = phrase_tokens(str(typed))
        meant_tokens = phrase_tokens(str(meant))
        if len(typed_tokens) != 1 or len(meant_tokens) != 1:
            raise ValueError(f"alias {typed!r}: {meant!r}: both sides must be one word")
        aliases[typed_tokens[0].folded] = meant_tokens[0]
    return aliases


def _classes(raw: Any) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        raise ValueError("'classes' must map a name to a list of phrases")
    return {str(name): _strings(phrases, f"class {name!r}") for name, phrases in raw.items()}


def _strings(raw: Any, where: str, *, allow_empty: bool = False) -> list[str]:
    if not isinstance(raw, list) or not (raw or allow_empty):
        raise ValueError(f"{where} must be a non-empty list of text")
    items = []
    for item in raw:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise ValueError(f"{where}: {item!r} is not text")
        items.append(str(item))
    return items


def _enum(enum: type[_E], raw: Any, where: str) -> _E:
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise ValueError(f"{where} must be one of {allowed}, not {raw!r}") from None


def _no_unknown_keys(data: dict[Any, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}")
