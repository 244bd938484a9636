"""Build a report from counts the storage gives (``ReportSource``)."""

from __future__ import annotations

import statistics
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from bot.core.reports.model import Cell, Period, Report, Table, hidden, shown

UserColumn = Literal["locale", "role", "age_band", "commune"]
NOT_GIVEN = "(not given)"


@dataclass(frozen=True)
class CaseFacts:
    """One safety case, as reports may see it: no words, no user."""

    category: str
    opened_at: datetime
    acknowledged_at: datetime | None
    outcome: str | None
    closed: bool


@dataclass(frozen=True)
class CampaignReach:
    """One campaign's delivery in a period, as counts."""

    campaign_id: int
    title: str
    reached: int  # messages delivered in the period
    opens: int  # presses of its "read more" buttons in the period
    opted_out: int  # recipients who opted out in the period, after it was queued for them


class ReportSource(Protocol):
    async def new_users_by(
        self, column: UserColumn, start: datetime, end: datetime
    ) -> Sequence[tuple[str | None, int]]:
        """Users first seen in [start, end), counted by one profile column."""
        ...

    async def events_by_subject(
        self, kind: str, start: datetime, end: datetime
    ) -> Sequence[tuple[str | None, int]]: ...

    async def feedback_by_article(
        self, start: datetime, end: datetime
    ) -> Sequence[tuple[str, int, int]]:
        """(article id, helpful, not helpful) for feedback given in [start, end)."""
        ...

    async def cases(self, start: datetime, end: datetime) -> Sequence[CaseFacts]:
        """Cases opened in [start, end) (never offers the user did not accept)."""
        ...

    async def campaign_reach(self, start: datetime, end: datetime) -> Sequence[CampaignReach]:
        """Every campaign that delivered a message, had an opening or lost a recipient to an
        opt-out in [start, end)."""
        ...


@dataclass(frozen=True)
class Context:
    source: ReportSource
    start: datetime
    end: datetime
    min_group: int
    topic_of: Callable[[str], str | None]  # article id → topic id


Section = Callable[[Context], Awaitable[list[Table]]]


def _counts(
    key: str, title: str, column: str, counts: Sequence[tuple[str | None, int]], k: int
) -> Table:
    merged: dict[str, int] = {}
    for label, count in counts:
        name = label or NOT_GIVEN
        merged[name] = merged.get(name, 0) + count
    rows = tuple(
        (label, (shown(count, k),))
        for label, count in sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    )
    return Table(key, title, (column, "count"), rows)


async def users(ctx: Context) -> list[Table]:
    titles: tuple[tuple[UserColumn, str, str], ...] = (
        ("locale", "New users by language", "language"),
        ("role", "New users by role", "role"),
        ("age_band", "New students by age band", "age band"),
        ("commune", "New users by commune", "commune"),
    )
    tables = []
    for column, title, label in titles:
        counts = await ctx.source.new_users_by(column, ctx.start, ctx.end)
        if column == "age_band":
            counts = [(band, n) for band, n in counts if band is not None]
        tables.append(
            _counts(f"users-{column.replace('_', '-')}", title, label, counts, ctx.min_group)
        )
    return tables


async def questions(ctx: Context) -> list[Table]:
    answered = await ctx.source.events_by_subject("answer", ctx.start, ctx.end)
    by_topic: dict[str | None, int] = {}
    for article, count in answered:
        topic = ctx.topic_of(article) if article else None
        by_topic[topic] = by_topic.get(topic, 0) + count
    topics = _counts(
        "questions-topic",
        "Questions answered, by topic",
        "topic",
        list(by_topic.items()),
        ctx.min_group,
    )
    n_answered = sum(by_topic.values())
    n_unanswered = sum(
        n for _, n in await ctx.source.events_by_subject("unanswered", ctx.start, ctx.end)
    )
    total = n_answered + n_unanswered
    rate: Cell = round(100 * n_unanswered / total, 1) if total >= ctx.min_group else ""
    rows: tuple[tuple[str, tuple[Cell, ...]], ...] = (
        ("answered", (shown(n_answered, ctx.min_group),)),
        ("unanswered", (shown(n_unanswered, ctx.min_group),)),
        ("unanswered rate (%)", (rate,)),
    )
    unanswered = Table(
        "unanswered",
        "Answered and unanswered questions",
        ("", "value"),
        rows,
        chart=None,
        note="The rate is shown once there are at least as many questions as the minimum group.",
    )
    return [topics, unanswered]


async def feedback(ctx: Context) -> list[Table]:
    rows = []
    for article, helpful, unhelpful in await ctx.source.feedback_by_article(ctx.start, ctx.end):
        rows.append((article, helpful, unhelpful))
    rows.sort(key=lambda r: (-(r[1] + r[2]), r[0]))
    k = ctx.min_group
    return [
        Table(
            "feedback",
            "Feedback on articles",
            ("article", "helpful", "not helpful"),
            tuple((a, (shown(h, k), shown(u, k))) for a, h, u in rows),
        )
    ]


def _median_minutes(waits: list[float], k: int) -> Cell:
    if not waits:
        return ""
    if len(waits) < k:
        return hidden(k)
    return round(statistics.median(waits), 1)


async def safety(ctx: Context) -> list[Table]:
    k = ctx.min_group
    escalations = dict(
        (label or "unknown", n)
        for label, n in await ctx.source.events_by_subject("safety", ctx.start, ctx.end)
    )
    cases = await ctx.source.cases(ctx.start, ctx.end)
    categories = sorted(set(escalations) | {c.category for c in cases})
    rows = []
    for category in categories:
        mine = [c for c in cases if c.category == category]
        waits = [
            (c.acknowledged_at - c.opened_at).total_seconds() / 60
            for c in mine
            if c.acknowledged_at is not None
        ]
        rows.append(
            (
                category,
                (
                    shown(escalations.get(category, 0), k),
                    shown(len(mine), k),
                    shown(len(waits), k),
                    _median_minutes(waits, k),
                ),
            )
        )
    rows.sort(key=lambda r: r[0])
    outcomes: dict[str, int] = {}
    for case in cases:
        label = case.outcome or ("closed, no outcome" if case.closed else "still open")
        outcomes[label] = outcomes.get(label, 0) + 1
    return [
        Table(
            "safety",
            "Safety escalations by category",
            (
                "category",
                "escalations",
                "cases opened",
                "acknowledged",
                "median minutes to acknowledge",
            ),
            tuple(rows),
        ),
        _counts("case-outcomes", "Cases by outcome", "outcome", list(outcomes.items()), k),
    ]


async def opt_outs(ctx: Context) -> list[Table]:
    stops = sum(n for _, n in await ctx.source.events_by_subject("stop", ctx.start, ctx.end))
    forgets = sum(n for _, n in await ctx.source.events_by_subject("forget", ctx.start, ctx.end))
    k = ctx.min_group
    return [
        Table(
            "opt-outs",
            "Opt-outs",
            ("", "count"),
            (
                ("stopped messages (/stop)", (shown(stops, k),)),
                ("deleted their data (/forget)", (shown(forgets, k),)),
            ),
        )
    ]


async def campaigns(ctx: Context) -> list[Table]:
    k = ctx.min_group
    reach = sorted(
        await ctx.source.campaign_reach(ctx.start, ctx.end), key=lambda c: -c.campaign_id
    )
    return [
        Table(
            "campaigns",
            "Campaign reach and opt-outs",
            ("campaign", "messages delivered", "“read more” opens", "opted out after it"),
            tuple(
                (
                    f"#{c.campaign_id} {c.title}",
                    (shown(c.reached, k), shown(c.opens, k), shown(c.opted_out, k)),
                )
                for c in reach
            ),
            note="Opted out after it: recipients who opted out in the period after the "
            "campaign was queued for them (withdrawn or after reading it).",
        )
    ]


# Every section, in the report's order: a ``Section`` reads its own counts from the ReportSource.
SECTIONS: list[Section] = [users, questions, feedback, safety, opt_outs, campaigns]


async def build_report(
    source: ReportSource,
    period: Period,
    zone: ZoneInfo,
    min_group: int,
    topic_of: Callable[[str], str | None],
    now: datetime,
    sections: Sequence[Section] | None = None,
) -> Report:
    start, end = period.bounds(zone)
    ctx = Context(source, start, end, max(1, min_group), topic_of)
    tables: list[Table] = []
    for section in sections if sections is not None else SECTIONS:
        tables += await section(ctx)
    return Report(period=period, generated_at=now, min_group=ctx.min_group, tables=tuple(tables))
