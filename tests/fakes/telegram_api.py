"""A fake Telegram Bot API server: aiohttp on 127.0.0.1, a random port, real HTTP.

Point a bot at ``fake.url`` (``TelegramAPIServer.from_base``): it answers getMe, getUpdates (long
polling over a queue of updates the test pushes), the send* methods, answerCallbackQuery,
setMyCommands, setWebhook, deleteWebhook, editMessage*, and records every call with its parsed
parameters. ``fail`` makes the next matching calls answer an error (429 with ``retry_after``,
500...); ``block`` makes a chat answer 403 as a user who blocked the bot does; ``limit`` makes it
enforce a flood limit as Telegram does: a send that would put more than ``rate`` sends in any
one-second window is answered 429 (``retry_after`` 1) and counted in ``too_many``.

Run alone (``python -m tests.fakes.telegram_api``) it serves a small control API for other
processes, such as the benchmark: ``POST /_fake/updates`` (a JSON list), ``GET /_fake/stats``,
``POST /_fake/limit`` (``{"rate": 30}``, or null to lift it), ``POST /_fake/reset``.
``stalls``/``stall_for``: the next sends are done (recorded as sent) but answered only after
``stall_for`` seconds, as a Bot API that times out after doing the work.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

NESTED = {
    "reply_markup",
    "commands",
    "scope",
    "allowed_updates",
    "link_preview_options",
    "reply_parameters",
    "entities",
    "caption_entities",
}
FILE_METHODS = {
    "sendPhoto": "photo",
    "sendAudio": "audio",
    "sendVoice": "voice",
    "sendDocument": "document",
}
SENDS = {"sendMessage", *FILE_METHODS, "editMessageText", "editMessageReplyMarkup", "copyMessage"}
BOT_ID = 424242


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)
    status: int = 200
    content_type: str = ""  # how the call came: application/json, or a form

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.params.get("reply_markup") or {}
        rows: list[list[dict[str, Any]]] = markup.get("inline_keyboard", [])
        return rows

    def callbacks(self) -> list[str]:
        return [b["callback_data"] for row in self.keyboard for b in row if "callback_data" in b]


@dataclass
class Failure:
    method: str | None
    chat_id: int | None
    status: int
    description: str
    retry_after: int | None = None
    times: int | None = 1  # None: for ever

    def matches(self, method: str, chat_id: int | None) -> bool:
        return (self.method is None or self.method == method) and (
            self.chat_id is None or self.chat_id == chat_id
        )


class FakeTelegram:
    def __init__(self, token: str = "123456:TEST-token_abc") -> None:
        self.token = token
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.blocked: set[int] = set()
        self.pending: list[dict[str, Any]] = []
        self.confirmed = 0  # every update_id below this was confirmed by the bot (offset)
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Event()  # set and replaced on every change
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.rate: int | None = None  # sends allowed in any one-second window (None: no limit)
        self.too_many = 0  # sends answered 429 by the limit
        self.record = True  # keep every call (a benchmark of 100,000 sends only counts them)
        self.counts: Counter[str] = Counter()
        self._window: deque[float] = deque()  # the accepted sends of the last second
        self.busiest = 0  # the most sends accepted in one second
        self.stalls = 0  # the next this many sends are done, but answered only after `stall_for`
        self.stall_for = 0.0

    # ---- lifecycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self, control: bool = False) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/bot{token}/{method}", self._api)
        if control:
            app.router.add_post("/_fake/updates", self._control_push)
            app.router.add_get("/_fake/stats", self._control_stats)
            app.router.add_post("/_fake/limit", self._control_limit)
            app.router.add_post("/_fake/reset", self._control_reset)
        return app

    async def start(self, control: bool = False, port: int = 0) -> FakeTelegram:
        self._runner = web.AppRunner(self.app(control), access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def close(self) -> None:
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- what a test does -----------------------------------------------------------------

    def push(self, *updates: dict[str, Any]) -> list[int]:
        """Queue updates for getUpdates; returns their update_ids."""
        ids = []
        for update in updates:
            update_id = next(self._ids)
            self.pending.append({"update_id": update_id, **update})
            ids.append(update_id)
        self._notify()
        return ids

    def next_update_id(self) -> int:
        return next(self._ids)

    def fail(
        self,
        method: str | None = None,
        chat_id: int | None = None,
        status: int = 429,
        retry_after: int | None = 1,
        times: int | None = 1,
        description: str | None = None,
    ) -> None:
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}" if status == 429 else "Error"
            )
        self.failures.append(
            Failure(
                method, chat_id, status, description, retry_after if status == 429 else None, times
            )
        )

    def limit(self, rate: int | None) -> None:
        """Answer 429 to a send that would make more than ``rate`` in any one second."""
        self.rate = rate
        self._window.clear()

    def _over_limit(self, method: str) -> bool:
        if method not in SENDS:
            return False
        now = time.monotonic()
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if self.rate is not None and len(self._window) >= self.rate:
            self.too_many += 1
            return True
        self._window.append(now)
        self.busiest = max(self.busiest, len(self._window))
        return False

    def block(self, chat_id: int) -> None:
        self.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.blocked.discard(chat_id)

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        """Successful messages the bot sent (to one chat, of one method)."""
        return [
            c
            for c in self.calls
            if c.status == 200
            and c.method in SENDS
            and (chat_id is None or c.chat_id == chat_id)
            and (method is None or c.method == method)
        ]

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_confirmed(self, update_id: int, within: float = 5.0) -> None:
        """Until the bot has taken ``update_id`` (asked for updates after it)."""
        await self.wait_until(lambda: self.confirmed > update_id, within)

    async def wait_until(self, condition: Callable[[], bool], within: float = 5.0) -> None:
        async with asyncio.timeout(within):
            while not condition():
                await self._changed.wait()

    # ---- the Bot API ----------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await _params(request)
        call = Call(method, params, files, content_type=request.content_type)
        if self.record:
            self.calls.append(call)
        try:
            if self._over_limit(method):
                call.status = 429
                return _error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            failure = self._failure(method, call.chat_id)
            if failure is not None:
                call.status = failure.status
                extra = {"retry_after": failure.retry_after} if failure.retry_after else None
                return _error(failure.status, failure.description, extra)
            if method == "getUpdates":
                return _ok(await self._get_updates(params))
            handler = getattr(self, f"_m_{method}", None)
            if handler is None:
                call.status = 404
                return _error(404, "Not Found: method not found")
            result = handler(params, files)
            if self.stalls and method in SENDS:  # done, but the answer comes too late
                self.stalls -= 1
                self.counts[method] += 1
                self._notify()
                await asyncio.sleep(self.stall_for)
            return _ok(result)
        finally:
            if call.status == 200:
                self.counts[method] += 1
            self._notify()

    def _failure(self, method: str, chat_id: int | None) -> Failure | None:
        if chat_id is not None and chat_id in self.blocked and method in SENDS:
            return Failure(
                method, chat_id, 403, "Forbidden: bot was blocked by the user", times=None
            )
        for failure in self.failures:
            if failure.matches(method, chat_id):
                if failure.times is not None:
                    failure.times -= 1
                    if failure.times <= 0:
                        self.failures.remove(failure)
                return failure
        return None

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        if offset:
            self.confirmed = max(self.confirmed, offset)
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        self._notify()
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        if timeout > 0:
            with contextlib.suppress(TimeoutError):
                await self.wait_until(lambda: bool(self.pending) or self._closing, timeout)
        return self.pending[:limit]

    def _message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id < 0:
            chat["title"] = "Case desk"
        else:
            chat["first_name"] = "User"
        message = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat}
        message.update(content)
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    def _file(self, params: dict[str, Any], field_name: str) -> dict[str, Any]:
        """An uploaded file (``attach://name``) gets the id ``file-attach://name``."""
        value = str(params.get(field_name, ""))
        file_id = f"file-{value}" if value.startswith("attach://") else value
        return {"file_id": file_id, "file_unique_id": f"u{file_id}"}

    def _m_getMe(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Măng Non",
            "username": "mangnon_test_bot",
        }

    def _m_sendMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._message(params, text=params.get("text", ""))

    def _m_sendPhoto(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        photo = {**self._file(params, "photo"), "width": 1, "height": 1}
        return self._message(params, photo=[photo], caption=params.get("caption"))

    def _m_sendAudio(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._message(params, audio={**self._file(params, "audio"), "duration": 1})

    def _m_sendVoice(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._message(params, voice={**self._file(params, "voice"), "duration": 1})

    def _m_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._message(params, text="")

    def _m_editMessageText(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._message(params, text=params.get("text", ""))

    def _true(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    _m_answerCallbackQuery = _true
    _m_setMyCommands = _true
    _m_deleteMyCommands = _true
    _m_setWebhook = _true
    _m_deleteWebhook = _true
    _m_leaveChat = _true

    # ---- control API (for another process) --------------------------------------------------

    async def _control_push(self, request: web.Request) -> web.Response:
        updates = await request.json()
        return web.json_response({"ids": self.push(*updates)})

    async def _control_stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "confirmed": self.confirmed,
                "pending": len(self.pending),
                "calls": self.counts,
                "too_many": self.too_many,
                "busiest_second": self.busiest,
            }
        )

    async def _control_limit(self, request: web.Request) -> web.Response:
        self.limit((await request.json()).get("rate"))
        return web.json_response({"rate": self.rate})

    async def _control_reset(self, request: web.Request) -> web.Response:
        """Forget the calls so far (a benchmark's rounds each start from nothing)."""
        self.calls.clear()
        self.counts.clear()
        self.too_many = self.busiest = 0
        self._window.clear()
        return web.json_response({})

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


async def _params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        params = await request.json()
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = value.file.read()
            elif key in NESTED:
                params[key] = json.loads(str(value))
            else:
                params[key] = value
    params.update(request.query)
    return params, files


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


async def _serve(port: int) -> None:
    fake = FakeTelegram()
    fake.record = False  # another process drives it: it reads the counts, not the calls
    await fake.start(control=True, port=port)
    print(fake.url, flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    asyncio.run(_serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
