"""A report: a period and tables of aggregates, with small counts hidden."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# a number, a hidden small count ("< 5"), or nothing to show ("")
Cell = int | float | str


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC: whole local days."""
        start = datetime.combine(self.start, time.min, zone).astimezone(UTC)
        end = datetime.combine(self.end + timedelta(days=1), time.min, zone).astimezone(UTC)
        return start, end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True)
class Table:
    key: str  # a stable name: the CSV section, the XLSX sheet, the JSON key
    title: str
    columns: tuple[str, ...]  # the first names the row labels
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    chart: int | None = 0  # which value column the chart draws (None: no chart)
    note: str = ""


@dataclass(frozen=True)
class Report:
    period: Period
    generated_at: datetime
    min_group: int
    tables: tuple[Table, ...]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def hidden(min_group: int) -> str:
    return f"< {min_group}"


def shown(count: int, min_group: int) -> Cell:
    """A count as it may be shown: 1 to min_group-1 hidden, 0 and larger shown."""
    return hidden(min_group) if 0 < count < min_group else count
