"""Measure the detector on a labelled set (tests/data/safety_eval.yaml).

    python -m bot.core.safety.evaluate [--split all|dev|holdout] [--show] [EVAL_FILE]

Prints recall on disclosures, category accuracy, false escalations on benign messages and the
time per message. ``--show`` lists the failures (only use it on the dev split while tuning).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.safety.checker import SafetyChecker
from bot.core.safety.verdict import Category, Verdict

ROOT = Path(__file__).resolve().parents[3]
LEXICONS = ROOT / "content" / "safety"
EVAL_SET = ROOT / "tests" / "data" / "safety_eval.yaml"


@dataclass(frozen=True)
class Example:
    text: str
    lang: str
    expect: Category | None
    holdout: bool


@dataclass
class Report:
    disclosures: int = 0
    escalated: int = 0
    right_category: int = 0
    benign: int = 0
    false_escalations: int = 0
    seconds: float = 0.0
    missed: list[Example] = field(default_factory=list)
    miscategorised: list[tuple[Example, Verdict]] = field(default_factory=list)
    false_alarms: list[tuple[Example, Verdict]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.escalated / self.disclosures if self.disclosures else 1.0

    @property
    def category_accuracy(self) -> float:
        return self.right_category / self.disclosures if self.disclosures else 1.0

    @property
    def false_escalation_rate(self) -> float:
        return self.false_escalations / self.benign if self.benign else 0.0

    def summary(self) -> str:
        total = self.disclosures + self.benign
        per_message = 1000 * self.seconds / total if total else 0.0
        return (
            f"disclosures: {self.escalated}/{self.disclosures} escalated "
            f"(recall {self.recall:.1%}), category right {self.right_category}/"
            f"{self.disclosures} ({self.category_accuracy:.1%}); benign: "
            f"{self.false_escalations}/{self.benign} escalated "
            f"({self.false_escalation_rate:.1%}); {per_message:.3f} ms/message"
        )


def load_examples(path: Path = EVAL_SET) -> list[Example]:
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    examples = []
    for item in data["items"]:
        expect = item["expect"]
        examples.append(
            Example(
                text=str(item["text"]),
                lang=str(item["lang"]),
                expect=None if expect == "none" else Category(expect),
                holdout=bool(item.get("holdout", False)),
            )
        )
    return examples


def evaluate(checker: SafetyChecker, examples: list[Example]) -> Report:
    report = Report()
    for example in examples:
        started = time.perf_counter()
        verdict = checker.assess(example.text, example.lang)
        report.seconds += time.perf_counter() - started
        if example.expect is None:
            report.benign += 1
            if verdict.escalate:
                report.false_escalations += 1
                report.false_alarms.append((example, verdict))
            continue
        report.disclosures += 1
        if not verdict.escalate:
            report.missed.append(example)
            continue
        report.escalated += 1
        if verdict.category is example.expect:
            report.right_category += 1
        else:
            report.miscategorised.append((example, verdict))
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_file", nargs="?", type=Path, default=EVAL_SET)
    parser.add_argument("--split", choices=("all", "dev", "holdout"), default="all")
    parser.add_argument("--show", action="store_true", help="list the failures")
    parser.add_argument("--explain", metavar="TEXT", help="show what matches in TEXT")
    args = parser.parse_args(argv)
    if args.explain:
        checker = SafetyChecker.load(LEXICONS)
        for line in checker.explain(args.explain):
            print(line)
        return
    examples = load_examples(args.eval_file)
    if args.split != "all":
        examples = [e for e in examples if e.holdout == (args.split == "holdout")]
    report = evaluate(SafetyChecker.load(LEXICONS), examples)
    print(f"{args.split}: {report.summary()}")
    if args.show:
        for example in report.missed:
            print(f"  MISSED   [{example.expect}] {example.text}")
        for example, verdict in report.miscategorised:
            print(
                f"  CATEGORY [{example.expect} -> {verdict.category}] {example.text} {verdict.rules}"
            )
        for example, verdict in report.false_alarms:
            print(f"  FALSE    [{verdict.category}] {example.text} {verdict.rules}")


if __name__ == "__main__":
    main()
