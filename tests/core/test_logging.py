"""No message text, phone number or external id reaches the logs, at any level."""

from __future__ import annotations

import logging

import pytest

from bot.core.messages import UserRef
from bot.logs import _Formatter, setup_logging
from tests.conftest import Chat

SECRET_TEXT = "con tôi tên Lan số 0912345678 bị ngã cầu thang"


@pytest.mark.parametrize("as_json", [True, False])
async def test_logs_hold_no_message_text(
    chat: Chat, caplog: pytest.LogCaptureFixture, as_json: bool
) -> None:
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    setup_logging(
        "DEBUG", "json" if as_json else "text"
    )  # the production set-up, at its most verbose
    root.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    chat.user = UserRef("test", "user-8675309")  # distinctive: a bare "42" may be a timestamp
    await chat.send("/start")
    await chat.send(SECRET_TEXT)
    await chat.send("tôi muốn tự tử")
    formatter = _Formatter(as_json=as_json)
    output = "\n".join(formatter.format(record) for record in caplog.records)
    assert "handled" in output  # the pipeline does log each message...
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]
    for secret in ("0912345678", "Lan", "cầu thang", "tự tử", "8675309"):
        assert secret not in output  # ...but never what was said or who said it
