"""Repeated warnings are rate-limited: a caller repeating a refused request cannot fill the log."""

from __future__ import annotations

import logging

from bot.logs import Repeats, _Formatter


def _record(msg: str, level: int = logging.WARNING, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("bot.x", level, __file__, 1, msg, None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_the_same_warning_once_per_window_then_with_a_count() -> None:
    now = [0.0]
    repeats = Repeats(60, clock=lambda: now[0])
    passed = [repeats.filter(_record("refused", status=401)) for _ in range(1000)]
    assert passed.count(True) == 1
    assert repeats.filter(_record("refused", status=403))  # another status: its own line
    now[0] = 61.0
    record = _record("refused", status=401)
    assert repeats.filter(record)
    assert record.suppressed == 999  # type: ignore[attr-defined]


def test_info_lines_and_a_zero_window_always_pass() -> None:
    repeats = Repeats(60, clock=lambda: 0.0)
    assert all(repeats.filter(_record("handled", logging.INFO)) for _ in range(100))
    off = Repeats(0)
    assert all(off.filter(_record("refused")) for _ in range(100))


def _failed_with(secret: str) -> logging.LogRecord:
    try:
        try:
            raise ValueError(f"invalid input for query argument $1: {secret!r}")
        except ValueError as error:
            raise RuntimeError(f"batch failed: {secret}") from error
    except RuntimeError:
        import sys

        record = logging.LogRecord(
            "bot.x", logging.ERROR, __file__, 1, "message failed", None, None
        )
        record.exc_info = sys.exc_info()
        return record


def test_a_traceback_keeps_its_frames_and_types_but_never_the_message() -> None:
    """An exception's message can quote a statement's parameters: a child's words."""
    secret = "em bị chú hàng xóm sờ"
    for fmt in ("text", "json"):
        line = _Formatter(as_json=fmt == "json").format(_failed_with(secret))
        assert secret not in line  # the source lines are shown, the values never
        assert "builtins.ValueError (message withheld)" in line  # the cause, then the error
        assert line.index("ValueError") < line.index("builtins.RuntimeError")
        assert "_failed_with" in line  # the frames are kept: where it broke
