"""The canary for aiogram's internals this channel relies on (pyproject pins one minor version).

``session.py`` overrides ``AiohttpSession.make_request`` and calls ``create_session``,
``api.api_url``, ``prepare_value``, ``json_dumps``, ``check_response`` and
``TelegramNetworkError(method=, message=)``; ``methods.py`` pins ``Response[...]`` classes that
``check_response`` must be answering with. When a new aiogram changes any of these, a test here
fails and names what moved: adapt the channel, then move the pin in pyproject.toml and run
``make lock``.
"""

from __future__ import annotations

import gc
import inspect
import json
import tomllib
from collections.abc import AsyncIterator
from importlib.metadata import version
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import GetMe
from aiogram.methods.base import Response
from aiogram.types import Message, User
from aiohttp import web
from aiohttp.test_utils import TestServer
from packaging.requirements import Requirement
from packaging.version import Version

from bot.channels.telegram.methods import PinnedResponses, SendText, Sent
from bot.channels.telegram.session import JsonSession
from tests.conftest import ROOT

TOKEN = "123456:CANARY-token_abc"


def _aiogram_requirement() -> Requirement:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(r) for r in project["dependencies"] if r.startswith("aiogram")]
    assert len(found) == 1
    return found[0]


def test_aiogram_is_pinned_to_one_minor_version_and_that_one_is_installed() -> None:
    requirement = _aiogram_requirement()
    bounds = {spec.operator: Version(spec.version) for spec in requirement.specifier}
    assert set(bounds) == {">=", "<"}, "pin aiogram as >=3.X,<3.X+1 while we use its internals"
    low, high = bounds[">="], bounds["<"]
    assert (high.major, high.minor) == (low.major, low.minor + 1)
    assert requirement.specifier.contains(version("aiogram"))


@pytest.mark.parametrize(
    ("function", "parameters"),
    [
        (AiohttpSession.make_request, ["self", "bot", "method", "timeout"]),
        (AiohttpSession.create_session, ["self"]),
        (BaseSession.prepare_value, ["self", "value", "bot", "files", "_dumps_json"]),
        (BaseSession.check_response, ["self", "bot", "method", "status_code", "content"]),
        (TelegramNetworkError.__init__, ["self", "method", "message"]),
        (TelegramAPIServer.api_url, ["self", "token", "method"]),
    ],
)
def test_the_internals_we_call_keep_their_signatures(function: Any, parameters: list[str]) -> None:
    assert list(inspect.signature(function).parameters) == parameters


def test_the_session_still_has_what_the_json_session_reads() -> None:
    session = AiohttpSession()
    assert isinstance(session.timeout, float | int)
    assert callable(session.json_dumps) and json.loads(session.json_dumps({"a": "ă"})) == {"a": "ă"}
    assert JsonSession.make_request is not AiohttpSession.make_request  # ours is the override


def test_check_response_answers_with_the_pinned_response_classes() -> None:
    """``methods.PinnedResponses`` keeps ``Response[T]`` alive: that only helps while aiogram
    answers with ``Response[method.__returning__]``, the very class pydantic hands back."""
    pinned = PinnedResponses()
    gc.collect()
    bot = Bot(TOKEN)
    answer = JsonSession().check_response(
        bot, SendText(chat_id=1, text="x"), 200, '{"ok": true, "result": {"message_id": 7}}'
    )
    assert type(answer) is Response[Sent] and type(answer) in pinned.classes
    assert answer.result == Sent(message_id=7)
    me = JsonSession().check_response(
        bot, GetMe(), 200, '{"ok": true, "result": {"id": 1, "is_bot": true, "first_name": "b"}}'
    )
    assert type(me) in pinned.classes and isinstance(me.result, User)
    assert Response[Message] in pinned.classes


@pytest.fixture
async def api() -> AsyncIterator[tuple[TestServer, list[tuple[str, str, Any]]]]:
    """A Bot API stand-in that records each call's method, content type and body."""
    calls: list[tuple[str, str, Any]] = []

    async def handle(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        calls.append((method, request.content_type, await request.text()))
        if method == "getMe":
            result: Any = {"id": 1, "is_bot": True, "first_name": "Măng Non"}
        else:
            result = {"message_id": 3, "date": 0, "chat": {"id": 5, "type": "private"}}
        return web.json_response({"ok": True, "result": result})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server, calls
    await server.close()


async def test_bot_calls_go_through_our_make_request_as_json(
    api: tuple[TestServer, list[tuple[str, str, Any]]],
) -> None:
    server, calls = api
    session = JsonSession(api=TelegramAPIServer.from_base(str(server.make_url("")).rstrip("/")))
    bot = Bot(TOKEN, session=session)
    try:
        me = await bot.get_me()
        sent = await bot(SendText(chat_id=5, text="Xin chào", parse_mode="HTML"))
        generic = await bot.send_message(chat_id=5, text="Chào bạn")
    finally:
        await session.close()
    assert me.first_name == "Măng Non" and sent == Sent(message_id=3)
    assert isinstance(generic, Message) and generic.message_id == 3
    assert [(m, t) for m, t, _body in calls] == [
        ("getMe", "application/json"),
        ("sendMessage", "application/json"),
        ("sendMessage", "application/json"),
    ]
    assert json.loads(calls[1][2]) == {"chat_id": 5, "text": "Xin chào", "parse_mode": "HTML"}
    assert json.loads(calls[2][2])["text"] == "Chào bạn"
