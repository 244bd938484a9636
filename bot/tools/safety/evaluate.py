"""``mangnon safety eval``: the whole check (lexicons + learned layer) measured on a split.

For at-risk rows: recall (crisis or check-in), category right (counted over all at-risk rows, a
missed one is wrong), and crisis recall over the rows labelled ``level: crisis``. For harmless rows: the crisis rate and the check-in rate.
Each per language and per style. ``--show`` lists the failures (dev or train only: never read the
failures of the blind test split); ``--explain TEXT`` shows how the layers read one message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bot.core.safety import SafetyChecker
from bot.core.safety.grading import check_in_threshold, frame_of
from bot.core.safety.verdict import Level, Verdict
from bot.tools.safety.corpus import LANGS, STYLES, Row


@dataclass
class Tally:
    at_risk: int = 0
    caught: int = 0  # crisis or check-in
    labelled_crisis: int = 0
    crisis: int = 0  # of the rows labelled crisis, those graded crisis
    right_category: int = 0
    harmless: int = 0
    false_crisis: int = 0
    false_check_in: int = 0

    def add(self, row: Row, verdict: Verdict) -> None:
        if row.at_risk:
            self.at_risk += 1
            self.caught += verdict.level is not Level.NONE
            if row.level is Level.CRISIS:
                self.labelled_crisis += 1
                self.crisis += verdict.level is Level.CRISIS
            self.right_category += (
                verdict.level is not Level.NONE and verdict.category is row.expect
            )
        else:
            self.harmless += 1
            self.false_crisis += verdict.level is Level.CRISIS
            self.false_check_in += verdict.level is Level.CHECK_IN

    @property
    def recall(self) -> float:
        return self.caught / self.at_risk if self.at_risk else float("nan")

    @property
    def crisis_recall(self) -> float:
        return self.crisis / self.labelled_crisis if self.labelled_crisis else float("nan")

    @property
    def category_accuracy(self) -> float:
        return self.right_category / self.at_risk if self.at_risk else float("nan")

    @property
    def crisis_on_harmless(self) -> float:
        return self.false_crisis / self.harmless if self.harmless else float("nan")

    @property
    def check_in_on_harmless(self) -> float:
        return self.false_check_in / self.harmless if self.harmless else float("nan")


@dataclass
class Report:
    total: Tally = field(default_factory=Tally)
    by_group: dict[str, Tally] = field(default_factory=dict)
    failures: list[tuple[str, Row, Verdict]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def table(self) -> str:
        """A Markdown table: one line for all rows, then per language, then per style."""
        head = (
            "| rows | at risk | recall (crisis or check-in) | crisis recall (crisis rows) | category right "
            "| harmless | crisis on harmless | check-in on harmless |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|"
        )
        lines = [head, _line("all", self.total)]
        order = [f"lang {lang}" for lang in LANGS] + [f"style {style}" for style in STYLES]
        lines += [_line(name, self.by_group[name]) for name in order if name in self.by_group]
        return "\n".join(lines)


def _line(name: str, t: Tally) -> str:
    def pct(value: float) -> str:
        return "–" if value != value else f"{value:.1%}"

    return (
        f"| {name} | {t.at_risk} | {pct(t.recall)} | {pct(t.crisis_recall)} | "
        f"{pct(t.category_accuracy)} | {t.harmless} | {pct(t.crisis_on_harmless)} | "
        f"{pct(t.check_in_on_harmless)} |"
    )


def evaluate(assess: Callable[[str, str], Verdict], rows: Iterable[Row]) -> Report:
    report = Report()
    for row in rows:
        started = time.perf_counter()
        verdict = assess(row.text, row.lang)
        report.seconds.append(time.perf_counter() - started)
        for tally in (
            report.total,
            report.by_group.setdefault(f"lang {row.lang}", Tally()),
            report.by_group.setdefault(f"style {row.style}", Tally()),
        ):
            tally.add(row, verdict)
        problem = _problem(row, verdict)
        if problem:
            report.failures.append((problem, row, verdict))
    return report


def _problem(row: Row, verdict: Verdict) -> str | None:
    if row.at_risk:
        if verdict.level is Level.NONE:
            return "MISSED"
        if verdict.category is not row.expect:
            return "CATEGORY"
        return None
    if verdict.level is Level.CRISIS:
        return "CRISIS"
    return "CHECK-IN" if verdict.level is Level.CHECK_IN else None


def show(report: Report) -> list[str]:
    lines = []
    for problem, row, verdict in sorted(report.failures, key=lambda f: f[0]):
        expected = f"{row.expect or 'none'}/{row.level}"
        got = f"{verdict.category or 'none'}/{verdict.level}"
        lines.append(f"  {problem:8} [{row.style}] {expected} -> {got}: {row.text}")
        lines.append(f"           {', '.join(verdict.rules)} {dict(verdict.scores)}")
    return lines


def explain(checker: SafetyChecker, text: str, lang: str | None) -> list[str]:
    """What each layer sees in ``text`` and why the verdict is what it is."""
    verdict = checker.assess(text, lang)
    lines = [
        f"verdict: {verdict.level} (category {verdict.category}, severity {verdict.severity}, "
        f"who {verdict.who}, when {verdict.when})",
        f"decided by: {', '.join(verdict.rules) or '(nothing fired)'}",
    ]
    if checker.learned is not None:
        t = checker.learned.thresholds
        lines.append(f"model scores: {dict(verdict.scores)}")
        reading = checker.read(text)
        if reading is not None:
            frame = frame_of(
                checker.lexicon_reading(text, lang), reading.calm, reading.idiom, t.calm
            )
            lines.append(
                f"frame: {frame} (calm when the calm reading ≥ {t.calm:.3f}); thresholds: "
                f"check-in ≥ {check_in_threshold(t, frame):.3f} in this frame (plain "
                f"{t.check_in:.3f}, calm {t.check_in_calm:.3f}, rule {t.check_in_rule:.3f}, "
                f"rule-calm {t.check_in_rule_calm:.3f}), urgent ≥ {t.urgent:.3f}, "
                f"agree ≥ {t.agree:.3f}, crisis ≥ {t.crisis:.3f}"
            )
            for label, model in (
                ("at-risk", checker.learned.risk_model),
                (reading.category.value, checker.learned.category_model),
                (reading.when.value, checker.learned.when_model),
            ):
                parts = [f"{c.feature}({c.weight:+.3f})" for c in model.explain(text, label, 6)]
                lines.append(f"  pushes toward {label}: {' '.join(parts)}")
    lines.append("lexicons:")
    lines += ["  " + line for line in checker.explain(text, lang)[1:]]
    return lines


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0
