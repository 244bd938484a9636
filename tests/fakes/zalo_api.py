"""A fake Zalo Official Account API: aiohttp on 127.0.0.1, a random port, real HTTP.

Point the channel's ``ZALO_API_BASE`` and ``ZALO_OAUTH_BASE`` at ``fake.url``. It answers:

- ``POST /v3.0/oa/message/cs`` (the ``access_token`` header must be the current token, else -216;
  an unfollowed user gets -213, a user outside the window -230; ``refuse_buttons`` refuses any
  message with buttons; ``fail`` scripts the next answers' error codes);
- ``POST /v2.0/oa/upload/image`` (an attachment id) and ``GET /v2.0/oa/getoa``;
- ``POST /v4/oa/access_token`` (the ``secret_key`` header and a single-use refresh token: each
  refresh gives a new pair and spends the old refresh token; ``refresh_delay`` slows it down,
  ``refuse_refresh`` makes it fail) — every refresh is counted.

Every message call is recorded (``calls``; ``sent()`` are the accepted ones). Zalo's habit of
answering failures with HTTP 200 and ``"error" != 0`` is kept. Run alone
(``python -m tests.fakes.zalo_api``) it also serves ``GET /_fake/stats`` for the benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APP_ID = "1234567890123456789"
APP_SECRET = "fake-app-secret"
OA_SECRET_KEY = "fake-oa-secret-key"
BUTTONS_REFUSED = -201  # what this fake answers to buttons when told to refuse them


@dataclass
class Call:
    user_id: str
    message: dict[str, Any]
    token: str
    error: int = 0
    at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        return str(self.message.get("text", ""))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        payload = self.message.get("attachment", {}).get("payload", {})
        buttons: list[dict[str, Any]] = payload.get("buttons", [])
        return buttons

    def choices(self) -> list[str]:
        """The payloads of its choice buttons (what comes back when one is pressed)."""
        return [b["payload"] for b in self.buttons if b["type"].startswith("oa.query.")]

    def phones(self) -> list[str]:
        return [b["payload"]["phone_code"] for b in self.buttons if b["type"] == "oa.open.phone"]

    @property
    def image(self) -> str | None:
        payload = self.message.get("attachment", {}).get("payload", {})
        if payload.get("template_type") != "media":
            return None
        return str(payload["elements"][0].get("attachment_id"))


@dataclass
class Failure:
    error: int
    user_id: str | None = None
    times: int = 1


class FakeZalo:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.unfollowed: set[str] = set()
        self.outside_window: set[str] = set()
        self.refuse_buttons = False
        self.refuse_refresh = False
        self.refresh_delay = 0.0
        self.refreshes = 0  # successful refreshes
        self.refresh_calls = 0
        self.uploads = 0
        self._numbers = itertools.count(1)
        self.access = "access-0"
        self.refresh = "refresh-0"
        self.valid_access: set[str] = {self.access}
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ---- lifecycle ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3.0/oa/message/cs", self._send)
        app.router.add_post("/v2.0/oa/upload/image", self._upload)
        app.router.add_get("/v2.0/oa/getoa", self._get_oa)
        app.router.add_post("/v4/oa/access_token", self._refresh)
        app.router.add_get("/_fake/stats", self._stats)
        return app

    async def start(self, port: int = 0) -> FakeZalo:
        self._runner = web.AppRunner(self.app(), access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeZalo:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- what a test does -----------------------------------------------------------------

    def fail(self, error: int, user_id: str | None = None, times: int = 1) -> None:
        """The next ``times`` messages (to ``user_id``, or anyone) get ``error``."""
        self.failures.append(Failure(error, user_id, times))

    def expire_access(self) -> None:
        """Zalo stops taking the current access token (-216) until the pair is refreshed."""
        self.valid_access.clear()

    def sent(self, user_id: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.error == 0 and user_id in (None, c.user_id)]

    async def wait_until(self, condition: Callable[[], bool], within: float = 5.0) -> None:
        async with asyncio.timeout(within):
            while not condition():
                await self._changed.wait()

    # ---- the API ------------------------------------------------------------------------

    async def _send(self, request: web.Request) -> web.Response:
        body = await request.json()
        user_id = str(body["recipient"]["user_id"])
        call = Call(user_id, body["message"], request.headers.get("access_token", ""))
        call.error = self._error_for(call)
        self.calls.append(call)
        self._notify()
        if call.error:
            return _zalo(call.error)
        return _zalo(0, {"message_id": f"m{next(self._numbers)}", "user_id": user_id})

    def _error_for(self, call: Call) -> int:
        if call.token not in self.valid_access:
            return -216
        if call.user_id in self.unfollowed:
            return -213
        if call.user_id in self.outside_window:
            return -230
        for failure in self.failures:
            if failure.user_id in (None, call.user_id):
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
                return failure.error
        if self.refuse_buttons and call.buttons:
            return BUTTONS_REFUSED
        return 0

    async def _upload(self, request: web.Request) -> web.Response:
        if request.headers.get("access_token") not in self.valid_access:
            return _zalo(-216)
        form = await request.post()
        if not isinstance(form.get("file"), web.FileField):
            return _zalo(-201)
        self.uploads += 1
        return _zalo(0, {"attachment_id": f"img-{self.uploads}"})

    async def _get_oa(self, request: web.Request) -> web.Response:
        if request.headers.get("access_token") not in self.valid_access:
            return _zalo(-216)
        return _zalo(0, {"oa_id": "579745863508352884", "name": "Măng Non"})

    async def _refresh(self, request: web.Request) -> web.Response:
        self.refresh_calls += 1
        form = await request.post()
        if self.refresh_delay:
            await asyncio.sleep(self.refresh_delay)
        if (
            self.refuse_refresh
            or request.headers.get("secret_key") != APP_SECRET
            or form.get("app_id") != APP_ID
            or form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.refresh
        ):
            return web.json_response(
                {"error": -14014, "error_name": "Invalid refresh token", "error_description": ""}
            )
        number = next(self._numbers)
        self.access, self.refresh = f"access-{number}", f"refresh-{number}"
        self.valid_access = {self.access}
        self.refreshes += 1
        self._notify()
        return web.json_response(
            {"access_token": self.access, "refresh_token": self.refresh, "expires_in": "90000"}
        )

    async def _stats(self, request: web.Request) -> web.Response:
        """For another process: messages accepted, and when each reached us, by user."""
        arrivals: dict[str, list[float]] = {}
        for call in self.sent():
            arrivals.setdefault(call.user_id, []).append(call.at)
        return web.json_response(
            {"sent": len(self.sent()), "refreshes": self.refreshes, "arrivals": arrivals}
        )

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


def _zalo(error: int, data: dict[str, Any] | None = None) -> web.Response:
    """Zalo's envelope: HTTP 200 whatever happened, ``error`` says."""
    body: dict[str, Any] = {"error": error, "message": "Success" if error == 0 else "Failed"}
    if data is not None:
        body["data"] = data
    return web.Response(text=json.dumps(body), content_type="application/json")


async def _serve(port: int) -> None:
    fake = await FakeZalo().start(port=port)
    print(fake.url, flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    asyncio.run(_serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
