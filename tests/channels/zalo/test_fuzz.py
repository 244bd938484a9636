"""A fuzz of the Zalo webhook (issue #18): signed events with arbitrary names, text, ids and
attachments, and arbitrary bodies. No answer is a 5xx and no event makes the handling log an
error."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.zalo.signature import HEADER, header_value
from tests.channels.zalo.conftest import ROUTE, Zalo
from tests.conftest import fuzz
from tests.fakes import zalo_events as ev
from tests.fakes.zalo_api import APP_ID

SECRET = "fake-oa-secret-key"
ANY_TEXT = st.text(st.characters(exclude_categories=("Co",)), max_size=40)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | ANY_TEXT,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(ANY_TEXT, children, max_size=3)
    ),
    max_leaves=6,
)
USER = st.one_of(st.sampled_from(["5501234567890123456", "1"]), ANY_TEXT)


def _event(kind: str, user: str, text: str, extra: Any) -> dict[str, Any]:
    event = ev.text("5501234567890123456", text)
    event["event_name"] = kind
    event["sender"] = {"id": user}
    if isinstance(extra, dict):
        event["message"] = {**event["message"], **extra}
    return event


EVENT = st.builds(
    _event,
    st.sampled_from(
        ["user_send_text", "user_send_image", "follow", "unfollow", "user_send_sticker", "x" * 50]
    )
    | ANY_TEXT,
    USER,
    st.one_of(ANY_TEXT, st.sampled_from(["#lang:vi", "#case:yes", "1", "/start"])),
    JSON_VALUE,
)


@fuzz(60)
@given(event=EVENT, raw=st.one_of(st.none(), st.binary(max_size=64)))
async def test_no_event_gets_5xx_or_an_error(
    zalo: Zalo, caplog: pytest.LogCaptureFixture, event: dict[str, Any], raw: bytes | None
) -> None:
    caplog.clear()
    body = raw if raw is not None else json.dumps(event).encode()  # \ud800 as an escape
    headers = {HEADER: header_value(APP_ID, body, event["timestamp"], SECRET)}
    assert zalo.client is not None
    with caplog.at_level(logging.ERROR):
        res = await zalo.client.post(ROUTE, data=body, headers=headers)
        await zalo.settle()
    assert res.status < 500
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
