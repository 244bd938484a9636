"""Staffed hours of the case desk, e.g. ``07:00-21:00`` or ``00:00-24:00`` (always staffed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time


@dataclass(frozen=True)
class Hours:
    start: time
    end: time | None  # None means midnight at the end of the day

    def contains(self, moment: datetime) -> bool:
        now = moment.time()
        if self.end is None:
            return now >= self.start
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end  # a night shift across midnight


def parse_hours(text: str) -> Hours:
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        start = time.fromisoformat(start_text)
        end = None if end_text == "24:00" else time.fromisoformat(end_text)
    except ValueError as exc:
        raise ValueError(f"expected HH:MM-HH:MM, got {text!r}") from exc
    return Hours(start, end)
