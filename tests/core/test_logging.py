"""No message text, phone number or external id reaches the logs, at any level."""

from __future__ import annotations

import logging

import pytest

from bot.logs import _Formatter
from tests.conftest import Chat

SECRET_TEXT = "con tôi tên Lan số 0912345678 bị ngã cầu thang"


@pytest.mark.parametrize("as_json", [True, False])
async def test_logs_hold_no_message_text(
    chat: Chat, caplog: pytest.LogCaptureFixture, as_json: bool
) -> None:
    caplog.set_level(logging.DEBUG)
    await chat.send("/start")
    await chat.send(SECRET_TEXT)
    await chat.send("tôi muốn tự tử")
    formatter = _Formatter(as_json=as_json)
    output = "\n".join(formatter.format(record) for record in caplog.records)
    assert "handled" in output  # the pipeline does log each message...
    for secret in ("0912345678", "Lan", "cầu thang", "tự tử", chat.user.external_id + " "):
        assert secret not in output  # ...but never what was said or who said it
