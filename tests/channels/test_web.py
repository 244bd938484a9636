"""The web chat over real HTTP: page, JSON API, health check and bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.core.pipeline import Pipeline
from bot.core.services import Services
from bot.serve import build_web_app
from bot.storage.database import Database
from tests.conftest import settings_for


@pytest.fixture
async def client(
    services: Services, database: Database, database_url: str
) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    settings = settings_for(database_url=database_url)
    app = App(
        settings=settings,
        database=database,
        services=services,
        pipeline=Pipeline(services, database.store),
    )
    async with TestClient(TestServer(build_web_app(app))) as test_client:
        yield test_client


async def test_page_and_health(client: TestClient) -> None:  # type: ignore[type-arg]
    page = await client.get("/")
    assert page.status == 200 and "/api/chat" in await page.text()
    health = await client.get("/healthz")
    body = await health.json()
    assert health.status == 200 and body["database"] == "ok" and body["articles"] > 0


async def test_start_and_button_round_trip(client: TestClient) -> None:  # type: ignore[type-arg]
    session = str(uuid4())
    res = await client.post("/api/chat", json={"session": session, "text": "/start"})
    replies = (await res.json())["replies"]
    buttons = [b["value"] for b in replies[0]["buttons"][0]]
    assert res.status == 200 and buttons[0].startswith("lang:")
    res = await client.post("/api/chat", json={"session": session, "button": "lang:en"})
    values = [
        b["value"] for r in (await res.json())["replies"] for row in r["buttons"] for b in row
    ]
    assert "role:parent" in values


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (b'{"session": "short", "text": "hi"}', 400),
        (b'{"session": "0123456789abcdef", "text": 5}', 400),
        (b'{"session": "0123456789abcdef", "text": "   "}', 400),
        (b'{"session": "0123456789abcdef", "text": "' + b"a" * 200_000 + b'"}', 413),
    ],
)
async def test_bad_requests_get_clear_errors(client: TestClient, body: bytes, status: int) -> None:  # type: ignore[type-arg]
    res = await client.post("/api/chat", data=body, headers={"Content-Type": "application/json"})
    assert res.status == status
    assert "error" in await res.json()


async def test_long_message_is_answered_not_rejected(client: TestClient) -> None:  # type: ignore[type-arg]
    res = await client.post(
        "/api/chat", json={"session": str(uuid4()), "text": "đuối nước " * 1500}
    )
    assert res.status == 200 and (await res.json())["replies"]


async def test_media_paths_cannot_escape(client: TestClient) -> None:  # type: ignore[type-arg]
    res = await client.get("/media/..%2F..%2Fpyproject.toml")
    assert res.status == 404
