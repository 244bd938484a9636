"""The search lexicon: stopwords and synonyms per language, loaded from ``content/lexicon/*.yaml``.

The data format is documented at the top of each YAML file. In short::

    lang: vi
    stopwords: [là, thì, ...]      # words that carry no topic
    synonyms:                      # canonical: [variants]
      trẻ: [con nít, trẻ con, bé]  # a variant in a question or article also counts as canonical

In a question typed without any accent, variants and stopwords match by their accent-free form
("be" may be "bé", "co" is "có"); in articles and accented questions accents must agree ("bể" is
not "bé", "bao" is not "bão", "roi" in "đòn roi" is not "rồi"). A variant whose canonical form is
made of stopwords (teen "ko" → "không") becomes a stopword itself (then one word only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from bot.core import textnorm
from bot.core.search.analysis import Rule, Token, base_token, segments
from bot.core.textnorm import strip_accents

MAX_CANONICAL_WORDS = 4
MAX_VARIANT_WORDS = 4
MAX_CACHED_WORDS = 50_000  # questions' words are cached too: bound the memory


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    rule: Rule


def _same(written: Token, listed: Token) -> bool:
    """Accents must agree when either has them; otherwise the plain (stemmed) forms."""
    if written.accented or listed.accented:
        return written.folded == listed.folded
    return written.plain == listed.plain


class LanguageLexicon:
    """One language's stopwords and synonyms, and the tokens they make of text."""

    def __init__(
        self,
        lang: str,
        stop_folded: frozenset[str] = frozenset(),
        stop_plain: frozenset[str] = frozenset(),
        rules: Sequence[Rule] = (),
    ) -> None:
        self.lang = lang
        self.stop_folded = stop_folded
        self.stop_plain = stop_plain
        self._by_first: dict[str, list[Rule]] = {}
        for rule in sorted(rules, key=lambda r: -len(r.variant)):  # longest first
            self._by_first.setdefault(rule.variant[0].plain, []).append(rule)
        self._tokens: dict[str, Token] = {}
        self._plain_tokens: dict[str, Token] = {}

    def is_stop(self, token: Token) -> bool:
        """Exactly a stopword as written (articles and accented questions)."""
        return token.folded in self.stop_folded

    def may_be_stop(self, token: Token) -> bool:
        """Typed without accents, it may be a stopword ("co" for "có")."""
        return not token.accented and token.plain in self.stop_plain

    def token(self, word: str) -> Token:
        """The token of one folded word, with its stopword flag and candidate synonym rules."""
        found = self._tokens.get(word)
        if found is None:
            base = base_token(word, self.lang)
            rules = tuple(
                r for r in self._by_first.get(base.plain, ()) if _same(base, r.variant[0])
            )
            found = Token(base.folded, base.plain, base.accented, self.is_stop(base), rules)
            if len(self._tokens) < MAX_CACHED_WORDS:
                self._tokens[word] = found
        return found

    def surfaces(self) -> dict[str, str]:
        """Words met so far, accent-free as written → their plain (stemmed) form."""
        return {strip_accents(t.folded): t.plain for t in self._tokens.values()}

    def tokenize(self, text: str, plain_typing: bool = False) -> list[list[Token]]:
        """Tokens by segment; in a text typed without accents, stopwords match by their plain
        form ("di" is "đi")."""
        if plain_typing:
            cache, token = self._plain_tokens, self._plain_token
        else:
            cache, token = self._tokens, self.token
        return [[cache[w] if w in cache else token(w) for w in words] for words in segments(text)]

    def _plain_token(self, word: str) -> Token:
        found = self.token(word)
        if not found.stop and self.may_be_stop(found):
            found = replace(found, stop=True)
        if len(self._plain_tokens) < MAX_CACHED_WORDS:
            self._plain_tokens[word] = found
        return found

    def synonyms(self, tokens: Sequence[Token], plain_typing: bool = False) -> list[Match]:
        """The synonym variants found in ``tokens``: the longest at each position. In a question
        typed without any accent, accent-free forms match ("be" may be "bé")."""
        starts: list[tuple[int, Sequence[Rule]]]
        if plain_typing:
            by_first = self._by_first
            starts = [(i, by_first[t.plain]) for i, t in enumerate(tokens) if t.plain in by_first]
        else:
            starts = [(i, t.rules) for i, t in enumerate(tokens) if t.rules]
        found: list[Match] = []
        for start, rules in starts:
            for rule in rules:
                end = start + len(rule.variant)
                if end == start + 1 or (
                    end <= len(tokens)
                    and tokens[start + 1].plain == rule.variant[1].plain
                    and all(
                        tokens[i].plain == listed.plain
                        if plain_typing
                        else _same(tokens[i], listed)
                        for i, listed in enumerate(rule.variant[1:], start + 1)
                    )
                ):
                    found.append(Match(start, end, rule))
                    break
        return found


def _phrase(text: str, lang: str, where: str) -> tuple[Token, ...]:
    parts = segments(text)
    if len(parts) != 1:
        raise ValueError(f"{where}: {text!r} must be one phrase of words")
    return tuple(base_token(w, lang) for w in parts[0])


def _string_list(value: Any, where: str) -> list[str]:
    """A YAML list of words; numbers ("111") are accepted, booleans (unquoted yes/no/on) are not."""
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a list, got {type(value).__name__}")
    items: list[str] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int) or not str(item).strip():
            raise ValueError(f"{where}: {item!r} is not a word (quote yes, no, on, off)")
        items.append(textnorm.clean(str(item)))
    return items


def _parse(data: Any, lang: str, path: Path) -> LanguageLexicon:
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with lang, stopwords and synonyms")
    unknown = set(data) - {"lang", "stopwords", "synonyms"}
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}")
    if data.get("lang") != lang:
        raise ValueError(f"{path}: lang must be {lang!r} (the file name), got {data.get('lang')!r}")
    where = f"{path}: stopwords"
    stop_words = [_phrase(w, lang, where) for w in _string_list(data.get("stopwords", []), where)]
    if any(len(words) != 1 for words in stop_words):
        raise ValueError(f"{where}: stopwords must be single words")
    stop_folded = {w[0].folded for w in stop_words}
    stop_plain = {w[0].plain for w in stop_words}
    base = LanguageLexicon(lang, frozenset(stop_folded), frozenset(stop_plain))

    synonyms = data.get("synonyms", {})
    if not isinstance(synonyms, dict):
        raise ValueError(f"{path}: synonyms must map a canonical word to a list of variants")
    rules: list[Rule] = []
    owner: dict[tuple[str, ...], str] = {}
    for canonical_text, variants in synonyms.items():
        where = f"{path}: synonyms[{canonical_text!r}]"
        if not isinstance(canonical_text, str) or not canonical_text.strip():
            raise ValueError(f"{path}: synonyms: a canonical form must be a non-empty string")
        canonical = _phrase(canonical_text, lang, where)
        if len(canonical) > MAX_CANONICAL_WORDS:
            raise ValueError(f"{where}: at most {MAX_CANONICAL_WORDS} words")
        of_stopwords = all(base.is_stop(t) for t in canonical)
        canonical = tuple(base.token(t.folded) for t in canonical)  # with stop flags
        for variant_text in _string_list(variants, where):
            variant = _phrase(variant_text, lang, where)
            if len(variant) > MAX_VARIANT_WORDS:
                raise ValueError(f"{where}: {variant_text!r} has over {MAX_VARIANT_WORDS} words")
            key = tuple(t.folded for t in variant)
            if key == tuple(t.folded for t in canonical):
                raise ValueError(f"{where}: {variant_text!r} is the canonical form itself")
            if key in owner:
                raise ValueError(f"{where}: {variant_text!r} is already under {owner[key]!r}")
            owner[key] = canonical_text
            if of_stopwords:  # teen "ko" for "không": a stopword itself
                if len(variant) != 1:
                    raise ValueError(f"{where}: a variant of stopwords must be one word")
                stop_folded.add(variant[0].folded)
                stop_plain.add(variant[0].plain)
            else:
                rules.append(Rule(variant, canonical))
    return LanguageLexicon(lang, frozenset(stop_folded), frozenset(stop_plain), rules)


class Lexicon:
    """Stopwords and synonyms for each language; languages without a file get an empty one."""

    def __init__(self, languages: Mapping[str, LanguageLexicon]) -> None:
        self._languages = dict(languages)
        self._empty: dict[str, LanguageLexicon] = {}

    @classmethod
    def load(cls, directory: Path) -> Lexicon:
        """Load ``<lang>.yaml`` files; a bad file raises ``ValueError`` naming the file."""
        languages: dict[str, LanguageLexicon] = {}
        for path in sorted(Path(directory).glob("*.yaml")):
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise ValueError(f"{path}: invalid YAML: {exc}") from exc
            languages[path.stem] = _parse(data, path.stem, path)
        return cls(languages)

    @classmethod
    def empty(cls) -> Lexicon:
        return cls({})

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self._languages)

    def for_lang(self, lang: str) -> LanguageLexicon:
        if lang not in self._languages:  # kept, so that its word cache is kept
            self._empty.setdefault(lang, LanguageLexicon(lang))
            return self._empty[lang]
        return self._languages[lang]
