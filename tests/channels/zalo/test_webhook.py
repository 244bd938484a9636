"""The webhook route: forged, stale and oversized calls are refused with nothing processed; an
event Zalo delivers twice is handled once, also across a restart."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.channels.zalo.signature import HEADER, header_value
from bot.storage.models import SeenEventRow, UserRow
from tests.channels.zalo.conftest import Zalo
from tests.fakes import zalo_events as ev
from tests.fakes.zalo_api import APP_ID

USER = "5501234567890123456"


async def nothing_processed(zalo: Zalo) -> None:
    await zalo.settle()
    assert zalo.fake.calls == []
    assert zalo.app is not None
    async with zalo.app.database.session() as session:
        for table in (UserRow, SeenEventRow):
            count = await session.execute(select(func.count()).select_from(table))
            assert count.scalar_one() == 0, table.__name__


def signed_with(event: dict[str, Any], secret: str) -> tuple[bytes, dict[str, str]]:
    return ev.signed(event, secret=secret)


@pytest.mark.parametrize(
    "forgery",
    ["wrong-secret", "wrong-app", "no-header", "body-changed", "hmac-not-sha256", "not-json"],
)
async def test_a_forged_call_gets_401(zalo: Zalo, forgery: str) -> None:
    event = ev.text(USER, "xin chào")
    body, headers = ev.signed(event)
    if forgery == "wrong-secret":
        body, headers = ev.signed(event, secret="someone-else's key")
    elif forgery == "wrong-app":
        body, headers = ev.signed(event, app_id="999")
    elif forgery == "no-header":
        del headers[HEADER]
    elif forgery == "body-changed":  # signed, then the text changed on the way
        body = body.replace("xin chào".encode(), "tạm biệt".encode())
    elif forgery == "hmac-not-sha256":
        import hashlib
        import hmac

        mac = hmac.new(b"fake-oa-secret-key", body, hashlib.sha256).hexdigest()
        headers[HEADER] = f"mac={mac}"
    else:
        body = b"{not json"
        headers[HEADER] = header_value(APP_ID, body, event["timestamp"], "fake-oa-secret-key")
    assert await zalo.post(event, body=body, headers=headers) == 401
    await nothing_processed(zalo)


@pytest.mark.parametrize("minutes", [-6, 6])
async def test_a_stale_or_future_timestamp_gets_401(zalo: Zalo, minutes: int) -> None:
    event = ev.text(USER, "xin chào", at_ms=ev.now_ms() + minutes * 60_000)
    assert await zalo.post(event) == 401  # correctly signed, but replayed (or forged) later
    await nothing_processed(zalo)


async def test_an_oversized_body_gets_413(zalo: Zalo) -> None:
    event = ev.text(USER, "a" * 70_000)  # over ZALO_MAX_BODY (64 KB)
    assert await zalo.post(event) == 413
    await nothing_processed(zalo)


async def test_a_signed_event_is_answered_200_and_handled(zalo: Zalo) -> None:
    body, headers = ev.signed(ev.text(USER, "xin chào"))
    headers[HEADER] = headers[HEADER].upper().replace("MAC=", "mac=")  # hex in capitals is fine
    assert zalo.client is not None
    response = await zalo.client.post(
        "/webhooks/zalo/test-hook-0123456789", data=body, headers=headers
    )
    assert response.status == 200 and json.loads(await response.text()) == {"error": 0}
    await zalo.settle()
    assert len(zalo.fake.sent(USER)) >= 1


async def test_only_the_configured_path_is_served(zalo: Zalo) -> None:
    assert zalo.client is not None
    body, headers = ev.signed(ev.text(USER, "xin chào"))
    response = await zalo.client.post("/webhooks/zalo/another-path-123", data=body, headers=headers)
    assert response.status == 404
    await nothing_processed(zalo)


async def test_a_redelivered_event_is_handled_once_also_after_a_restart(zalo: Zalo) -> None:
    event = ev.text(USER, "trẻ bị bỏng phải làm gì")
    first = await zalo.push(event)
    assert first  # answered

    again = await zalo.push(event)  # Zalo did not see our 200 and sends it again
    assert again == []

    await zalo.restart()  # a new process on the same database
    assert await zalo.push(event) == []
    assert await zalo.push(ev.text(USER, "trẻ bị bỏng phải làm gì"))  # a new message: answered


@pytest.mark.parametrize(
    "body",
    [  # issue #18: a deep or huge-number body once got 500 before the signature was checked
        b"[" * 20_000 + b"]" * 20_000,  # under ZALO_MAX_BODY: parsed, not refused for size
        b'{"event_name": "user_send_text", "timestamp": ' + b"9" * 20_000 + b"}",
    ],
)
async def test_a_malformed_body_is_refused_with_nothing_processed(zalo: Zalo, body: bytes) -> None:
    event = ev.text(USER, "xin chào")
    headers = {HEADER: header_value(APP_ID, body, event["timestamp"], "fake-oa-secret-key")}
    status = await zalo.post(event, body=body, headers=headers)
    assert 400 <= status < 500
    await nothing_processed(zalo)
