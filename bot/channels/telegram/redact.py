"""Keep the bot token out of logs, whatever a library puts in a message or a traceback."""

from __future__ import annotations

import logging

# aiogram's own loggers; a filter on a logger sees only records logged there, not its children
LOGGERS = (
    "aiogram.dispatcher",
    "aiogram.event",
    "aiogram.middlewares",
    "aiogram.webhook",
    "aiogram.scene",
)
MASK = "<token>"


class RedactToken(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        trace = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        if self.token in message or self.token in trace:
            record.msg = message.replace(self.token, MASK)
            if trace:
                record.msg += "\n" + trace.replace(self.token, MASK)
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True

    def install(self) -> None:
        for name in LOGGERS:
            logging.getLogger(name).addFilter(self)

    def remove(self) -> None:
        for name in LOGGERS:
            logging.getLogger(name).removeFilter(self)
