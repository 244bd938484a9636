"""The web chat over real HTTP: page, JSON API, health check and bad input."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from uuid import uuid4

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import App
from bot.core.cases.desk import Acknowledge, Answer
from bot.core.hours import parse_hours
from bot.core.messages import UserRef
from bot.core.services import DeskOptions, Services
from bot.serve import build_web_app
from bot.storage.models import CaseRow
from tests.conftest import settings_for

WORKER = UserRef("telegram", "501")


@pytest.fixture
async def client(services: Services, database_url: str) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    settings = settings_for(database_url=database_url)
    app = App.create(settings, services=services)
    web_app = build_web_app(app)
    await app.start_channels(web_app)
    async with TestClient(TestServer(web_app)) as test_client:
        yield test_client
    await app.close()


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


SESSION = "0123456789abcdef"
DEEP = b"[" * 50_000 + b"]" * 50_000


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [  # the malformed requests of issue #18 (defect 3): each once got 500 and a traceback
        (b'{"session": "0123456789abcdef", "text": "hi"}', "application/json; charset=bogus", 415),
        (
            b'{"session": "0123456789abcdef", "text": "hi"}',
            "application/json; charset=latin-1",
            415,
        ),
        (DEEP, "application/json", 400),
        (b'{"session": "0123456789abcdef", "text": ' + DEEP + b"}", "application/json", 400),
        (
            b'{"session": "0123456789abcdef", "n": ' + b"9" * 50_000 + b', "text": "hi"}',
            "application/json",
            400,
        ),
        (b'{"session": "0123456789abcdef", "text": NaN}', "application/json", 400),
        (b'{"session": "0123456789abcdef", "text": "\xff\xfe"}', "application/json", 400),
    ],
)
@pytest.mark.parametrize("route", ["/api/chat", "/api/chat/remember"])
async def test_malformed_bodies_get_4xx_with_a_message(
    client: TestClient,  # type: ignore[type-arg]
    route: str,
    body: bytes,
    content_type: str,
    status: int,
) -> None:
    res = await client.post(route, data=body, headers={"Content-Type": content_type})
    assert res.status == status
    error = (await res.json())["error"]
    assert error and "Traceback" not in error


async def test_a_lone_surrogate_escape_is_dropped_not_refused(client: TestClient) -> None:  # type: ignore[type-arg]
    body = b'{"session": "0123456789abcdef", "text": "\\ud800 /start \\udfff \\ud83d\\ude00"}'
    res = await client.post("/api/chat", data=body, headers={"Content-Type": "application/json"})
    assert res.status == 200 and (await res.json())["replies"]


@pytest.mark.parametrize("path", ["/media/a%00b.png", "/media/%00", "/media/x%ED%A0%80.png"])
async def test_a_nul_in_a_media_path_is_a_400(client: TestClient, path: str) -> None:  # type: ignore[type-arg]
    res = await client.get(path)
    assert 400 <= res.status < 500


async def test_an_unexpected_error_is_a_plain_500_without_traceback(
    client: TestClient,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.channels.web.channel import WebChannel

    async def broken(self: WebChannel, request: object) -> None:
        raise RuntimeError("secret words of a child")

    monkeypatch.setattr(WebChannel, "labels", broken)
    # routes hold the bound method: patch the one the router calls
    for route in client.app.router.routes():
        if route.resource is not None and route.resource.canonical == "/api/chat/ui":
            monkeypatch.setattr(route, "_handler", broken.__get__(object()))
    res = await client.get("/api/chat/ui")
    text = await res.text()
    assert res.status == 500
    assert "Traceback" not in text and "secret" not in text
    assert "error" in json.loads(text)
    assert "RuntimeError" in caplog.text and "secret" not in caplog.text


async def test_long_message_is_answered_not_rejected(client: TestClient) -> None:  # type: ignore[type-arg]
    res = await client.post(
        "/api/chat", json={"session": str(uuid4()), "text": "đuối nước " * 1500}
    )
    assert res.status == 200 and (await res.json())["replies"]


async def test_media_paths_cannot_escape(client: TestClient) -> None:  # type: ignore[type-arg]
    res = await client.get("/media/..%2F..%2Fpyproject.toml")
    assert res.status == 404


@pytest.fixture
async def staffed(services: Services, database_url: str) -> AsyncIterator[tuple[App, TestClient]]:  # type: ignore[type-arg]
    """The web chat with a case desk (a staff chat on a channel nobody drains here)."""
    desk = DeskOptions(feeds=(UserRef("test", "desk"),), hours=parse_hours("00:00-24:00"))
    app = App.create(settings_for(database_url=database_url), services=replace(services, desk=desk))
    web_app = build_web_app(app)
    await app.start_channels(web_app)
    await app.pipeline.enrol_staff([WORKER])
    async with TestClient(TestServer(web_app)) as test_client:
        yield app, test_client
    await app.stop_channels()
    await app.close()


async def _events(client: TestClient, session: str, count: int) -> list[dict[str, Any]]:  # type: ignore[type-arg]
    """Read ``count`` replies from the page's event stream."""
    res = await client.get("/api/chat/events", params={"session": session})
    assert res.status == 200 and res.headers["Content-Type"].startswith("text/event-stream")
    replies: list[dict[str, Any]] = []
    async with asyncio.timeout(10):
        while len(replies) < count:
            line = (await res.content.readline()).decode()
            if line.startswith("data: "):
                replies.append(json.loads(line[len("data: ") :]))
    res.close()
    return replies


async def test_a_counsellors_answer_reaches_the_web_chat(
    staffed: tuple[App, TestClient],  # type: ignore[type-arg]
) -> None:
    """Bug: a case worker's reply to a web-chat user was lost ("no running channel 'web'")."""
    app, client = staffed
    session = str(uuid4())

    async def post(**body: str) -> list[dict[str, Any]]:
        res = await client.post("/api/chat", json={"session": session, **body})
        replies: list[dict[str, Any]] = (await res.json())["replies"]
        return replies

    await post(text="bố em ngày nào cũng đánh em bằng roi")
    await post(button="case:yes")
    async with app.database.session() as session_:
        case_id = (await session_.execute(select(CaseRow.id))).scalar_one()
    # the answer is queued while the child's page is closed: it waits for the next visit
    await app.pipeline.desk(WORKER, Acknowledge(case_id))
    await app.pipeline.desk(WORKER, Answer(case_id, "Em đang ở đâu? Em **có an toàn** không?"))
    first, second = await _events(client, session, 2)
    assert "read your message" in first["text"] or "đã đọc" in first["text"]
    assert "Em đang ở đâu?" in second["text"] and "<" not in second["text"]
    assert "&lt;" not in second["html"] and "**" in second["html"]  # plain text, shown as text
    # delivered once: a new stream has nothing more
    await app.pipeline.desk(WORKER, Answer(case_id, "Cô vẫn ở đây."))
    (third,) = await _events(client, session, 1)
    assert "Cô vẫn ở đây." in third["text"]


async def test_the_event_stream_refuses_a_bad_session(client: TestClient) -> None:  # type: ignore[type-arg]
    res = await client.get("/api/chat/events", params={"session": "short"})
    assert res.status == 400


async def test_read_more_is_rendered_html_not_raw_markdown(client: TestClient) -> None:  # type: ignore[type-arg]
    session = str(uuid4())
    await client.post("/api/chat", json={"session": session, "text": "/start"})
    await client.post("/api/chat", json={"session": session, "button": "lang:en"})
    res = await client.post(
        "/api/chat", json={"session": session, "button": "more:drowning-prevention"}
    )
    replies = (await res.json())["replies"]
    html = "".join(r["html"] for r in replies)
    assert "<h2>" in html or "<li>" in html
    assert "## " not in html and "**" not in html


async def test_the_first_load_is_light_and_loads_nothing_else(client: TestClient) -> None:  # type: ignore[type-arg]
    page = await client.get("/")
    body = await page.read()
    assert len(body) < 30_000
    html = body.decode()
    assert "<script src" not in html and "<link" not in html  # one request: nothing from a CDN
    assert (await client.get("/embed.js")).status == 200


async def test_replies_carry_the_language_and_its_labels(client: TestClient) -> None:  # type: ignore[type-arg]
    session = str(uuid4())
    await client.post("/api/chat", json={"session": session, "text": "/start"})
    res = await client.post("/api/chat", json={"session": session, "button": "lang:en"})
    assert (await res.json())["lang"] == "en"
    labels = await (await client.get("/api/chat/ui", params={"lang": "vi"})).json()
    assert labels["lang"] == "vi" and labels["ui"]["send"] == "Gửi"
    unknown = await (await client.get("/api/chat/ui", params={"lang": "xx"})).json()
    assert unknown["lang"] == "vi"


async def test_remembering_sets_a_cookie_only_when_asked(client: TestClient) -> None:  # type: ignore[type-arg]
    session = str(uuid4())
    res = await client.post("/api/chat", json={"session": session, "text": "/start"})
    assert "mn_chat" not in res.cookies
    kept = await client.post("/api/chat/remember", json={"session": session})
    cookie = kept.cookies["mn_chat"]
    assert cookie.value == session and cookie["httponly"]
    dropped = await client.post("/api/chat/remember", json={"keep": False})
    assert dropped.cookies["mn_chat"].value == ""
    bad = await client.post("/api/chat/remember", json={"session": "short"})
    assert bad.status == 400


async def _ask_web(client: TestClient, text: str, lang: str = "vi") -> list[dict[str, Any]]:  # type: ignore[type-arg]
    """An onboarded parent types ``text`` in the web chat: the replies it shows."""
    session = str(uuid4())
    for body in (
        {"text": "/start"},
        {"button": f"lang:{lang}"},
        {"button": "role:parent"},
        {"button": "commune:none"},
        {"button": "consent:self"},
    ):
        await client.post("/api/chat", json={"session": session, **body})
    res = await client.post("/api/chat", json={"session": session, "text": text})
    replies: list[dict[str, Any]] = (await res.json())["replies"]
    return replies


def _values(replies: list[dict[str, Any]]) -> list[str]:
    return [b["value"] for r in replies for row in r["buttons"] for b in row]


@pytest.mark.parametrize(
    ("text", "category_words"),
    [
        ("em bi danh dau lam, cuu em", "113"),  # unaccented, a child hurt now
        ("my uncle makes me keep a secret about touching me", "111"),  # "our secret"
    ],
)
async def test_children_at_risk_get_the_hotline_first_not_an_article(
    client: TestClient,  # type: ignore[type-arg]
    text: str,
    category_words: str,
) -> None:
    replies = await _ask_web(client, text, lang="en")
    first = replies[0]
    assert "not your fault" in first["text"]
    assert "111" in _values(replies) and category_words in _values(replies)
    assert not any(v.startswith("more:") for v in _values(replies))  # no article instead


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("day con hoc boi", "drowning-prevention"),  # teaching a child to swim: no emergency
        ("con tôi bị bạn bắt nạt ở trường, tôi nên làm gì", "bullying"),
        ("is it ok to smack my child when he misbehaves", "positive-discipline"),
    ],
)
async def test_a_parents_question_gets_its_article_not_the_crisis_answer(
    client: TestClient,  # type: ignore[type-arg]
    text: str,
    topic: str,
) -> None:
    replies = await _ask_web(client, text)
    values = _values(replies)
    assert any(v.startswith(f"more:{topic}") for v in values)  # its article, with "read more"
    assert "115" not in values and "113" not in values  # not told to call the police
    assert not any("emergency" in r["text"] or "khẩn cấp" in r["text"] for r in replies)


@pytest.fixture
async def limited(services: Services, database_url: str) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    settings = settings_for(database_url=database_url, web={"new_sessions_per_address": 3})
    app = App.create(settings, services=services)
    web_app = build_web_app(app)
    await app.start_channels(web_app)
    async with TestClient(TestServer(web_app)) as test_client:
        yield test_client
    await app.close()


async def test_new_sessions_per_address_are_limited_but_danger_is_answered(
    limited: TestClient,  # type: ignore[type-arg]
) -> None:
    sessions = [str(uuid4()) for _ in range(5)]
    for session in sessions[:3]:
        res = await limited.post("/api/chat", json={"session": session, "text": "xin chào"})
        assert res.status == 200
    res = await limited.post("/api/chat", json={"session": sessions[3], "text": "xin chào"})
    assert res.status == 429 and "111" in (await res.json())["error"]
    # over the limit, a child in danger still gets the crisis answer
    res = await limited.post(
        "/api/chat", json={"session": sessions[4], "text": "bố em ngày nào cũng đánh em bằng roi"}
    )
    replies = (await res.json())["replies"]
    assert res.status == 200
    assert "111" in [b["value"] for r in replies for row in r["buttons"] for b in row]
    # a session already started goes on
    res = await limited.post("/api/chat", json={"session": sessions[0], "text": "cảm ơn"})
    assert res.status == 200
