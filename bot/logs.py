"""Structured logging. Only whitelisted fields are written: never message text or personal data."""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

FIELDS = (
    "channel",
    "kind",
    "escalated",
    "category",
    "replies",
    "ms",
    "method",
    "status",
    "count",
    "case",
    "suppressed",
)


class _Formatter(logging.Formatter):
    def __init__(self, as_json: bool) -> None:
        super().__init__()
        self.as_json = as_json

    def formatException(self, ei: Any) -> str:
        """The traceback's frames and each exception's type, never its message: a driver's
        error can quote the statement's parameters, and those can be a child's words."""
        _, error, _ = ei
        lines: list[str] = []
        seen: set[int] = set()
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            frames = traceback.extract_tb(error.__traceback__)
            kind = type(error)
            block = [
                "Traceback (most recent call last):\n",
                *frames.format(),
                f"{kind.__module__}.{kind.__qualname__} (message withheld)\n",
            ]
            lines[:0] = [*block, "\n"] if lines else block
            error = error.__cause__ or error.__context__
        return "".join(lines).rstrip()

    def format(self, record: logging.LogRecord) -> str:
        fields = {key: getattr(record, key) for key in FIELDS if hasattr(record, key)}
        if self.as_json:
            payload = {
                "at": datetime.fromtimestamp(record.created, UTC).isoformat(
                    timespec="milliseconds"
                ),
                "level": record.levelname.lower(),
                "logger": record.name,
                "msg": record.getMessage(),
                **fields,
            }
            if record.exc_info:
                payload["exc"] = self.formatException(record.exc_info)
            return json.dumps(payload, ensure_ascii=False, default=str)
        extra = " ".join(f"{k}={v}" for k, v in fields.items())
        line = f"{self.formatTime(record)} {record.levelname:<7} {record.name}: {record.getMessage()} {extra}".rstrip()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class Repeats(logging.Filter):
    """The same warning (logger, level, message, channel, status, kind) at most once per
    ``seconds``: a caller who repeats a refused request cannot fill the disk. The next one let
    through says how many were left out (``suppressed=N``). INFO and below always pass (the
    per-turn lines are all alike on purpose)."""

    MAX_KEYS = 10_000

    def __init__(self, seconds: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.seconds = seconds
        self.clock = clock
        self._last: dict[tuple[object, ...], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or self.seconds <= 0:
            return True
        key = (
            record.name,
            record.levelno,
            str(record.msg),
            *(getattr(record, name, None) for name in ("channel", "status", "kind")),
        )
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last[0] < self.seconds:
            self._last[key] = (last[0], last[1] + 1)
            return False
        if last is not None and last[1]:
            record.suppressed = last[1]
        if len(self._last) >= self.MAX_KEYS:
            self._last.clear()
        self._last[key] = (now, 0)
        return True


def setup_logging(level: str = "INFO", fmt: str = "text", repeat_seconds: float = 60.0) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(as_json=fmt == "json"))
    handler.addFilter(Repeats(repeat_seconds))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # libraries that would log request bodies or URLs with tokens at INFO
    # (aiosqlite logs SQL parameters at DEBUG, and parameters can hold case text)
    for noisy in ("aiogram.event", "aiohttp.access", "sqlalchemy.engine", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
