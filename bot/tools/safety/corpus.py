"""The labelled corpus (content/safety/corpus/*.yaml): read, validate, split, hash.

Each file has ``items:``, a list of rows with ``text``, ``lang`` (vi|en), ``style``, ``expect``
(a category or ``none``), ``level`` (crisis|check-in|none), ``src`` (who wrote it, from which
brief), and optionally ``who`` and ``when`` (at-risk rows) or ``kind`` (harmless rows). The split
is a pure function of each row's text and the seed (a hash picks one row in five for dev), so
adding or editing a row never moves another; it is stratified in expectation, and a test checks
every category's and style's share of dev.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.core.safety.verdict import Category, Level, When, Who

ROOT = Path(__file__).resolve().parents[3]
CORPUS_DIR = ROOT / "content" / "safety" / "corpus"
BLIND_TEST = ROOT / "tests" / "data" / "blind" / "safety_test.yaml"
SEED = 13
DEV_EVERY = 5

STYLES = ("accented", "unaccented", "teen", "central", "english", "nonnative")
LANGS = ("vi", "en")
HARMLESS_KINDS = tuple(w.value for w in When if not w.at_risk)
_KEYS = {"text", "lang", "style", "expect", "level", "who", "when", "kind", "src"}
Split = Literal["train", "dev", "test", "all"]


@dataclass(frozen=True)
class Row:
    text: str
    lang: str
    style: str
    expect: Category | None
    level: Level
    src: str
    who: Who | None = None
    when: When | None = None
    kind: When | None = None  # harmless rows: prevention, news, idiom… (a When that is not at risk)
    file: str = ""

    @property
    def at_risk(self) -> bool:
        return self.expect is not None

    @property
    def frame(self) -> When | None:
        """The situation label: ``when`` on an at-risk row, ``kind`` (else ``when``) on a
        harmless one."""
        return self.when if self.at_risk else self.kind or self.when


class CorpusError(ValueError):
    """A row that cannot be used; the message names the file and the row."""


def load_rows(path: Path) -> list[Row]:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CorpusError(f"{path}: cannot read: {error}") from error
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise CorpusError(f"{path}: must be a mapping with an 'items' list")
    return [_row(path, number, raw) for number, raw in enumerate(items, 1)]


def load_corpus(directory: Path = CORPUS_DIR) -> list[Row]:
    """Every ``*.yaml`` in ``directory``, in file-name order; duplicate texts are refused."""
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise CorpusError(f"{directory}: no corpus files (*.yaml)")
    rows = [row for path in paths for row in load_rows(path)]
    seen: dict[str, str] = {}
    for row in rows:
        key = " ".join(row.text.casefold().split())
        if key in seen:
            raise CorpusError(f"{row.file}: {row.text!r} is already in {seen[key]}")
        seen[key] = row.file
    return rows


def split_of(row: Row, seed: int = SEED) -> Literal["train", "dev"]:
    digest = hashlib.sha256(f"{seed}:{' '.join(row.text.casefold().split())}".encode()).digest()
    return "dev" if int.from_bytes(digest[:8], "big") % DEV_EVERY == 0 else "train"


def split(rows: Sequence[Row], which: Split, seed: int = SEED) -> list[Row]:
    """The rows of ``which`` (train or dev, in corpus order; ``all`` is every row; ``test`` is
    the blind split)."""
    if which == "all":
        return list(rows)
    if which == "test":
        return load_blind()
    return [row for row in rows if split_of(row, seed) == which]


def load_blind(path: Path | None = None) -> list[Row]:
    """The hidden test split, read only to report figures; a clear error when it is absent."""
    path = path or BLIND_TEST
    if not path.exists():
        raise CorpusError(
            f"{path} is absent: the blind test split is placed there by the lead and read only "
            "to report final figures (format: items with text, lang, style, expect, who/when or "
            "kind, src)"
        )
    return load_rows(path)


def _row(path: Path, number: int, raw: Any) -> Row:
    where = f"{path}: item {number}"
    if not isinstance(raw, dict):
        raise CorpusError(f"{where}: must be a mapping")
    unknown = sorted(str(key) for key in raw if key not in _KEYS)
    if unknown:
        raise CorpusError(f"{where}: unknown key(s) {', '.join(unknown)}")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{where}: 'text' must be non-empty text")
    try:
        expect = None if raw.get("expect") == "none" else Category(str(raw.get("expect")))
        level = Level(raw.get("level", "crisis" if expect else "none"))
        who = Who(raw["who"]) if raw.get("who") not in (None, "none") else None
        when = When(raw["when"]) if raw.get("when") not in (None, "none") else None
        kind = When(raw["kind"]) if raw.get("kind") not in (None, "none") else None
    except ValueError as error:
        raise CorpusError(f"{where}: {error}") from None
    lang, style = raw.get("lang"), raw.get("style")
    if lang not in LANGS or style not in STYLES:
        raise CorpusError(f"{where}: lang must be one of {LANGS}, style one of {STYLES}")
    if (expect is None) != (level is Level.NONE):
        raise CorpusError(f"{where}: expect {raw.get('expect')!r} and level {level} disagree")
    if kind is not None and kind.at_risk:
        raise CorpusError(f"{where}: kind {kind} is a time frame, not a kind of harmless talk")
    src = raw.get("src")
    if not isinstance(src, str) or not src:
        raise CorpusError(f"{where}: 'src' (provenance) is required")
    return Row(text.strip(), lang, style, expect, level, src, who, when, kind, path.name)
