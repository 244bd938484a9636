"""The risk detector: every lexicon that applies, then the learned layer, graded into one verdict."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from bot.core.safety.grading import LexiconReading, grade
from bot.core.safety.learned import LearnedLayer, Reading
from bot.core.safety.lexicon import Kind, Lexicon, Rule, load_lexicon
from bot.core.safety.tokens import Token, build_stream, tokenize
from bot.core.safety.verdict import Verdict

log = logging.getLogger(__name__)

# Checked for every message whatever the user's setting: people mix languages, and a child's
# language setting may be wrong.
ALWAYS = ("vi", "en")


class SafetyChecker:
    """Loaded once at start-up from content/safety/; ``assess`` is pure and thread-safe."""

    def __init__(self, lexicons: Iterable[Lexicon], learned: LearnedLayer | None = None) -> None:
        self._lexicons = {lexicon.language: lexicon for lexicon in lexicons}
        if not self._lexicons:
            raise ValueError("no safety lexicon loaded")
        self.learned = learned

    @classmethod
    def load(cls, directory: Path, *, learned: bool = True) -> SafetyChecker:
        """Every ``*.yaml`` in ``directory`` and, when ``learned`` and present, the models in
        ``directory/model/``; a broken file raises ValueError naming it."""
        paths = sorted(Path(directory).glob("*.yaml"))
        if not paths:
            raise ValueError(f"{directory}: no safety lexicon files (*.yaml)")
        lexicons = [load_lexicon(path) for path in paths]
        seen: dict[str, Path] = {}
        for path, lexicon in zip(paths, lexicons, strict=True):
            for rule in lexicon.rules:
                if rule.id in seen:
                    raise ValueError(f"{path}: rule id {rule.id!r} is also used in {seen[rule.id]}")
                seen[rule.id] = path
        return cls(lexicons, LearnedLayer.load(Path(directory)) if learned else None)

    def with_learned(self, learned: LearnedLayer | None) -> SafetyChecker:
        """The same lexicons with another learned layer (or none): for comparing models."""
        return SafetyChecker(self._lexicons.values(), learned)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self._lexicons))

    @property
    def rule_ids(self) -> frozenset[str]:
        return frozenset(rule.id for lexicon in self._lexicons.values() for rule in lexicon.rules)

    def assess(self, text: str, lang: str | None = None) -> Verdict:
        """How urgently ``text`` needs a human and the hotline: crisis, check-in or none."""
        try:
            return self._assess(text, lang)
        except Exception:
            # Never let a bug in the check let a disclosure through; never log the text.
            log.exception("safety check failed; escalating")
            return Verdict.failed()

    def _assess(self, text: str, lang: str | None) -> Verdict:
        text = text if isinstance(text, str) else str(text)
        tokens = tokenize(text)
        if all(token.boundary for token in tokens):
            return Verdict.safe()
        found = self._lexicon(tokens, lang)
        reading = self.read(text)
        return grade(found, reading, self.learned.thresholds if self.learned else None)

    def read(self, text: str) -> Reading | None:
        """The learned layer's reading of ``text`` (None without one)."""
        return self.learned.read(text) if self.learned else None

    def lexicon_rules(self, text: str, lang: str | None = None) -> list[Rule]:
        """The lexicon rules that fire on ``text`` (question frames applied)."""
        return list(self.lexicon_reading(text, lang).rules)

    def lexicon_reading(self, text: str, lang: str | None = None) -> LexiconReading:
        """What the lexicons find in ``text``: the rules that fire and whether an idiom hid one
        (what the trainer needs to choose the grading's thresholds)."""
        return self._lexicon(tokenize(text), lang)

    def _lexicon(self, tokens: tuple[Token, ...], lang: str | None) -> LexiconReading:
        lexicons = self._select(lang)
        masked = self._idiom_mask(lexicons, tokens)
        fired: list[Rule] = []
        idiom_hid_a_rule = False  # a rule would fire on the words an idiom covers
        informational = False
        for lexicon in lexicons:
            # Question frames see every word (idioms include hypotheticals such as "nếu con").
            plain = build_stream(tokens, lexicon.aliases).text
            if lexicon.questions is not None and not informational:
                informational = lexicon.questions.search(plain) is not None
            stream = build_stream(tokens, lexicon.aliases, masked).text if masked else plain
            for rule in lexicon.rules:
                if rule.regex.search(stream):
                    fired.append(rule)
                elif masked and not idiom_hid_a_rule and rule.regex.search(plain):
                    idiom_hid_a_rule = True
        if informational:
            fired = [rule for rule in fired if rule.kind is Kind.DISCLOSURE]
        return LexiconReading(tuple(fired), idiom=idiom_hid_a_rule)

    def _select(self, lang: str | None) -> list[Lexicon]:
        wanted: list[str] = []
        if lang:
            code = lang.strip().lower().replace("_", "-")
            wanted += [code, code.split("-")[0]]
        wanted += ALWAYS
        chosen = dict.fromkeys(code for code in wanted if code in self._lexicons)
        if not chosen:  # no vi/en lexicon loaded (a test set-up): use whatever there is
            return list(self._lexicons.values())
        return [self._lexicons[code] for code in chosen]

    def explain(self, text: str, lang: str | None = None) -> list[str]:
        """For editors tuning a lexicon: what each lexicon sees and which patterns match."""
        tokens = tokenize(text)
        lexicons = self._select(lang)
        masked = self._idiom_mask(lexicons, tokens)
        lines = [f"verdict: {self.assess(text, lang)}"]
        for lexicon in lexicons:
            stream = build_stream(tokens, lexicon.aliases, masked).text
            plain = build_stream(tokens, lexicon.aliases).text
            lines.append(f"[{lexicon.language}] {stream}")
            if lexicon.questions is not None and (found := lexicon.questions.search(plain)):
                lines.append(f"  question frame: {found.group(0)!r}")
            for rule in lexicon.rules:
                for pattern in rule.patterns:
                    regex = lexicon.grammar.compile([pattern])
                    if found := regex.search(stream):
                        lines.append(
                            f"  {rule.id} ({rule.kind}): {pattern!r} -> {found.group(0)!r}"
                        )
        return lines

    @staticmethod
    def _idiom_mask(lexicons: list[Lexicon], tokens: tuple[Token, ...]) -> frozenset[int]:
        masked: set[int] = set()
        for lexicon in lexicons:
            if lexicon.idioms is None:
                continue
            stream = build_stream(tokens, lexicon.aliases)
            for match in lexicon.idioms.finditer(stream.text):
                masked.update(stream.covered(match.start(), match.end()))
        return frozenset(i for i in masked if not tokens[i].boundary)
