"""``mangnon search eval``: how the search does on a split, per language and style.

For in-scope questions: top-1 and top-3 (the right topic first, or among the first three hits),
and the share left unanswered although the library holds the article; for off-topic questions
(topic ``none``): the share answered. Also how often the search asks "Did you mean: A · B?", and
the latency of one look-up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.core.search import SearchResult
from bot.tools.search.questions import GROUPS, Row

Lookup = Callable[[str, str], SearchResult]  # (question, lang) → result


@dataclass
class Tally:
    in_scope: int = 0
    top1: int = 0
    top3: int = 0
    unanswered: int = 0
    clarified: int = 0
    off_topic: int = 0
    off_answered: int = 0

    def add(self, row: Row, result: SearchResult) -> None:
        topics = [hit.topic for hit in result.hits]
        if row.in_scope:
            self.in_scope += 1
            self.top1 += topics[:1] == [row.topic]
            self.top3 += row.topic in topics[:3]
            self.unanswered += not topics
            self.clarified += result.clarify is not None
        else:
            self.off_topic += 1
            self.off_answered += bool(topics)

    def cells(self) -> list[str]:
        def share(part: int, whole: int) -> str:
            return f"{part / whole:.1%}" if whole else "–"

        return [
            str(self.in_scope),
            share(self.top1, self.in_scope),
            share(self.top3, self.in_scope),
            share(self.unanswered, self.in_scope),
            share(self.clarified, self.in_scope),
            str(self.off_topic),
            share(self.off_answered, self.off_topic),
        ]


HEADER = ["", "in scope", "top-1", "top-3", "unanswered", "clarify", "off-topic", "answered"]


@dataclass
class Report:
    tallies: dict[str, Tally] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    misses: list[tuple[Row, tuple[str, ...]]] = field(default_factory=list)

    def tally(self, key: str) -> Tally:
        return self.tallies.setdefault(key, Tally())

    def rows(self) -> list[list[str]]:
        """``all``, then by group (accented / unaccented / english: how the blind split is
        labelled), then by language and written style."""
        keys = ["all", *(g for g in GROUPS if g in self.tallies)]
        keys += sorted(k for k in self.tallies if ":" in k)
        return [[key, *self.tallies[key].cells()] for key in keys]

    def table(self) -> str:
        rows = [HEADER, *self.rows()]
        lines = ["| " + " | ".join(row) + " |" for row in rows]
        lines.insert(1, "|" + "---|" * len(HEADER))
        return "\n".join(lines)


def evaluate(lookup: Lookup, rows: Sequence[Row]) -> Report:
    report = Report()
    for row in rows:
        start = time.perf_counter()
        result = lookup(row.q, row.lang)
        report.seconds.append(time.perf_counter() - start)
        for key in ("all", row.group, f"{row.lang}:{row.style}"):
            report.tally(key).add(row, result)
        topics = tuple(hit.topic for hit in result.hits)
        if (row.in_scope and topics[:1] != (row.topic,)) or (not row.in_scope and topics):
            report.misses.append((row, topics))
    return report


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def show(report: Report) -> list[str]:
    """The misses, for engineers and editors (never on the blind split)."""
    return [
        f"[{row.lang}:{row.style}] want {row.topic}, got {list(got) or 'no answer'}: {row.q}"
        for row, got in report.misses
    ]
