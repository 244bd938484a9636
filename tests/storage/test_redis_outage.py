"""The shared outage state of the Redis helpers: one warning when Redis goes, a retry every
``retry`` seconds, one line when it is back."""

from __future__ import annotations

import logging

import pytest

from bot.storage.redis_outage import Outage


def test_one_warning_a_retry_window_and_one_line_when_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [100.0]
    outage = Outage("redis went", "redis back", retry=30.0, clock=lambda: now[0])
    assert not outage.skip() and not outage.degraded
    with caplog.at_level(logging.INFO, logger="bot.storage.redis_outage"):
        outage.failed()
        outage.failed()  # a second failure while down: no second warning
        assert outage.degraded and outage.skip()
        now[0] += 29.0
        assert outage.skip()  # not yet: nobody waits on a Redis that just failed
        now[0] += 2.0
        assert not outage.skip()  # time to try again
        outage.answered()
        outage.answered()
    assert not outage.degraded
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "redis went"),
        ("INFO", "redis back"),
    ]
