"""Labelled questions for search: read, validate, split, hash.

Three sources, each a list of ``Row``:

- ``content/questions/*.yaml``: questions written from the topic descriptions only (not from the
  articles), with ``q``, ``lang``, ``style``, ``topic`` (a topic id or ``none``), ``kind`` (on
  ``none`` rows) and ``src``. Split into ``train`` and ``dev`` as a pure function of the text and
  the seed: within each (src, topic, style) group the rows are ordered by a hash of the text and
  every fifth goes to dev, so a new batch of rows (its own ``src``) moves none of the others: the
  old dev rows stay dev rows, and figures before and after a batch stay comparable.
- the articles' own example questions (front matter ``questions:``) and titles: training only.
- ``tests/data/ask_eval.yaml``: 373 questions written independently of the articles by another
  writer, plus its off-topic list; the ``eval`` split, never trained on: a second dev set that
  measures how the search carries over to another writer's wording.

The blind ``test`` split (tests/data/blind/ask_test.yaml) is read only to report final figures.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.core.library import Article
from bot.core.textnorm import has_accents

ROOT = Path(__file__).resolve().parents[3]
QUESTIONS_DIR = ROOT / "content" / "questions"
TOPICS_FILE = ROOT / "content" / "topics.yaml"
EVAL_FILE = ROOT / "tests" / "data" / "ask_eval.yaml"
BLIND_TEST = ROOT / "tests" / "data" / "blind" / "ask_test.yaml"
SEED = 14
DEV_EVERY = 5
NONE = "none"

STYLES = ("accented", "unaccented", "teen", "central", "english", "nonnative")
GROUPS = ("accented", "unaccented", "english")  # the styles the blind split is labelled with
LANGS = ("vi", "en")
KINDS = ("general", "near-miss")
_KEYS = {"q", "lang", "style", "topic", "kind", "src"}
Split = Literal["train", "dev", "eval", "test"]


@dataclass(frozen=True)
class Row:
    q: str
    lang: str
    style: str
    topic: str  # a topic id, or NONE
    src: str
    kind: str | None = None  # on NONE rows: general | near-miss
    file: str = ""

    @property
    def in_scope(self) -> bool:
        return self.topic != NONE

    @property
    def group(self) -> str:
        """accented / unaccented / english: how the blind split labels styles."""
        if self.lang == "en":
            return "english"
        return "accented" if has_accents(self.q) else "unaccented"


class QuestionsError(ValueError):
    """A row that cannot be used; the message names the file and the row."""


def topic_ids(path: Path = TOPICS_FILE) -> frozenset[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return frozenset(t["id"] for pillar in data["pillars"] for t in pillar["topics"])


def load_rows(path: Path, topics: frozenset[str]) -> list[Row]:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise QuestionsError(f"{path}: cannot read: {error}") from error
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise QuestionsError(f"{path}: must be a mapping with an 'items' list")
    return [_row(path, number, raw, topics) for number, raw in enumerate(items, 1)]


def load_questions(directory: Path = QUESTIONS_DIR) -> list[Row]:
    """Every ``*.yaml`` in ``directory``, in file-name order; duplicate questions are refused."""
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise QuestionsError(f"{directory}: no question files (*.yaml)")
    topics = topic_ids()
    rows = [row for path in paths for row in load_rows(path, topics)]
    seen: dict[str, str] = {}
    for row in rows:
        key = " ".join(row.q.casefold().split())
        if key in seen:
            raise QuestionsError(f"{row.file}: {row.q!r} is already in {seen[key]}")
        seen[key] = row.file
    return rows


def article_rows(articles: Iterable[Article]) -> list[Row]:
    """Each article's title and example questions, labelled with its topic (training only)."""
    rows = []
    for article in articles:
        for text in (article.title, *article.questions):
            style = "english" if article.lang == "en" else _vi_style(text)
            rows.append(Row(text, article.lang, style, article.topic, f"article:{article.id}"))
    return rows


def eval_rows(path: Path = EVAL_FILE) -> list[Row]:
    """tests/data/ask_eval.yaml: its items and held-out items, and its off-topic questions."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for part in ("items", "holdout", "off_topic"):
        for item in data.get(part, []):
            lang, text = str(item["lang"]), str(item["q"])
            style = "english" if lang == "en" else _vi_style(text)
            topic = str(item.get("topic", NONE))
            kind = "general" if topic == NONE else None
            rows.append(Row(text, lang, style, topic, f"ask_eval:{part}", kind, path.name))
    return rows


def split(rows: Sequence[Row], which: Literal["train", "dev"], seed: int = SEED) -> list[Row]:
    """The rows of ``which``, in corpus order."""
    groups: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row.src, row.topic, row.style)].append(row)
    chosen: set[int] = set()
    for group in groups.values():
        ordered = sorted(group, key=lambda r: hashlib.sha1(f"{seed}:{r.q}".encode()).digest())
        for rank, row in enumerate(ordered):
            is_dev = rank % DEV_EVERY == DEV_EVERY // 2
            if is_dev == (which == "dev"):
                chosen.add(id(row))
    return [row for row in rows if id(row) in chosen]


def load_split(which: Split) -> list[Row]:
    """The rows of a named split: train and dev from content/questions, eval, or the blind test."""
    if which == "eval":
        return eval_rows()
    if which == "test":
        return load_blind()
    return split(load_questions(), which)


def load_blind(path: Path = BLIND_TEST) -> list[Row]:
    """The hidden test split, read only to report figures; a clear error when it is absent."""
    if not path.exists():
        raise QuestionsError(
            f"{path} is absent: the blind test split is placed there by the lead and read only "
            "to report final figures (format: items with q, lang, style, topic, kind, src)"
        )
    return load_rows(path, topic_ids())


def _vi_style(text: str) -> str:
    return "accented" if has_accents(text) else "unaccented"


def _row(path: Path, number: int, raw: Any, topics: frozenset[str]) -> Row:
    where = f"{path}: item {number}"
    if not isinstance(raw, dict):
        raise QuestionsError(f"{where}: must be a mapping")
    unknown = sorted(str(key) for key in raw if key not in _KEYS)
    if unknown:
        raise QuestionsError(f"{where}: unknown key(s) {', '.join(unknown)}")
    text, lang, style = raw.get("q"), raw.get("lang"), raw.get("style")
    if not isinstance(text, str) or not text.strip():
        raise QuestionsError(f"{where}: 'q' must be non-empty text")
    if lang not in LANGS or style not in STYLES:
        raise QuestionsError(f"{where}: lang must be one of {LANGS}, style one of {STYLES}")
    topic, kind = str(raw.get("topic")), raw.get("kind")
    if topic != NONE and topic not in topics:
        raise QuestionsError(f"{where}: unknown topic {topic!r}")
    if (kind is not None) and (topic != NONE or kind not in KINDS):
        raise QuestionsError(f"{where}: kind must be one of {KINDS}, on '{NONE}' rows only")
    src = raw.get("src")
    if not isinstance(src, str) or not src:
        raise QuestionsError(f"{where}: 'src' (provenance) is required")
    return Row(text.strip(), lang, style, topic, src, kind, path.name)
