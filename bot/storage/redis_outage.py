"""What every Redis-backed helper does when Redis stops answering: work on in this process, say
so once (a WARNING), try Redis again every ``retry`` seconds, and say once when it is back.

Used by the per-user locks, the shared counters (flood, new sessions) and the shared send rates:
a message is never refused, held back or lost because Redis is down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

RETRY_SECONDS = 30.0


class Outage:
    def __init__(
        self,
        went: str,
        back: str,
        retry: float = RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._went, self._back = went, back  # the two log lines, without personal data
        self._retry = retry
        self._clock = clock
        self._since: float | None = None  # monotonic time of the last failure, while down

    @property
    def degraded(self) -> bool:
        return self._since is not None

    def skip(self) -> bool:
        """True while Redis failed less than ``retry`` seconds ago: do not wait on it now."""
        return self._since is not None and self._clock() - self._since < self._retry

    def failed(self) -> None:
        if self._since is None:
            log.warning(self._went)
        self._since = self._clock()

    def answered(self) -> None:
        if self._since is not None:
            log.info(self._back)
            self._since = None
