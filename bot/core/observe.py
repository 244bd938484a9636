"""What the core tells operators about its work, as counts and timings (never text).

The pipeline reports each turn, the dispatcher each delivery attempt; the composition root
plugs in an implementation (``bot.metrics``: Prometheus) or leaves :class:`NoObserver`. Labels
are closed sets: a channel name, a verdict's level and category, a channel's short error code.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.services import RiskVerdict


class Observer(Protocol):
    def turn(self, channel: str, seconds: float, verdict: RiskVerdict | None, failed: bool) -> None:
        """A message was handled (``failed``: it got the apology, the database or a bug)."""

    def delivery(self, channel: str, result: str, error: str) -> None:
        """An outbox message was tried: ``result`` is an ``outbox.Result``; ``error`` the
        channel's short code ("429", "403", "-216"…), empty when it went."""


class NoObserver:
    def turn(self, channel: str, seconds: float, verdict: RiskVerdict | None, failed: bool) -> None:
        return None

    def delivery(self, channel: str, result: str, error: str) -> None:
        return None
