"""The few Zalo Official Account API calls the channel makes, over one aiohttp session.

Zalo answers most failures with HTTP 200 and ``"error": <negative code>``: calls return that code
(0 is success) and the caller decides; transport failures and non-200 answers raise
:class:`ZaloUnavailable` (worth another try). Tokens go in the ``access_token`` header (not
``Authorization``); refreshing the pair takes the app secret in a ``secret_key`` header. Nothing
here logs: callers log codes, never texts or tokens.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

SEND = "/v3.0/oa/message/cs"  # consultation messages: replies within the interaction window
UPLOAD_IMAGE = "/v2.0/oa/upload/image"
GET_OA = "/v2.0/oa/getoa"
REFRESH = "/v4/oa/access_token"
TIMEOUT = aiohttp.ClientTimeout(total=10)
JSON = {"Content-Type": "application/json"}


class ZaloUnavailable(Exception):
    """The call did not get a usable answer (network, timeout, HTTP 5xx, not JSON)."""


class RefreshRefused(Exception):
    """Zalo refused the refresh token (spent, expired, or not this app's)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"error {code}")
        self.code = code


@dataclass(frozen=True)
class FreshTokens:
    access: str
    refresh: str
    expires_in: int  # seconds


def error_code(answer: dict[str, Any]) -> int:
    """Zalo's ``error`` field (a number or a numeric string); 0 when absent."""
    try:
        return int(answer.get("error", 0))
    except (TypeError, ValueError):
        return -1


class ZaloApi:
    def __init__(self, api_base: str, oauth_base: str, app_id: str, app_secret: str) -> None:
        self.api_base = api_base
        self.oauth_base = oauth_base
        self.app_id = app_id
        self._app_secret = app_secret
        self._http: aiohttp.ClientSession | None = None

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def send(self, token: str, user_id: str, message: dict[str, Any]) -> int:
        body = {"recipient": {"user_id": user_id}, "message": message}
        data = json.dumps(body, ensure_ascii=False).encode()
        answer = await self._call("POST", self.api_base + SEND, token, data=data, headers=JSON)
        return error_code(answer)

    async def upload_image(self, token: str, path: Path) -> tuple[int, str | None]:
        form = aiohttp.FormData()
        form.add_field("file", await asyncio.to_thread(path.read_bytes), filename=path.name)
        answer = await self._call("POST", self.api_base + UPLOAD_IMAGE, token, data=form)
        data = answer.get("data")
        attachment = data.get("attachment_id") if isinstance(data, dict) else None
        return error_code(answer), str(attachment) if attachment else None

    async def check(self, token: str) -> int:
        """The OA's own profile: does Zalo take this access token?"""
        return error_code(await self._call("GET", self.api_base + GET_OA, token))

    async def refresh(self, refresh_token: str) -> FreshTokens:
        form = {
            "refresh_token": refresh_token,
            "app_id": self.app_id,
            "grant_type": "refresh_token",
        }
        answer = await self._request(
            "POST",
            self.oauth_base + REFRESH,
            data=form,
            headers={"secret_key": self._app_secret},
            refusals=True,
        )
        access, refresh = answer.get("access_token"), answer.get("refresh_token")
        if not isinstance(access, str) or not isinstance(refresh, str) or not access or not refresh:
            raise RefreshRefused(error_code(answer) or -1)
        try:
            expires_in = int(answer.get("expires_in", 0))
        except (TypeError, ValueError):
            expires_in = 0
        return FreshTokens(access, refresh, expires_in)

    async def _call(self, method: str, url: str, token: str, **kwargs: Any) -> dict[str, Any]:
        headers = {"access_token": token, **kwargs.pop("headers", {})}
        return await self._request(method, url, headers=headers, **kwargs)

    async def _request(
        self, method: str, url: str, refusals: bool = False, **kwargs: Any
    ) -> dict[str, Any]:
        """The JSON answer of a 200 (or, with ``refusals``, of a 4xx too: the OAuth server may
        say why it refuses a token with one)."""
        try:
            async with self.http.request(method, url, **kwargs) as response:
                if response.status != 200 and not (refusals and 400 <= response.status < 500):
                    raise ZaloUnavailable(f"HTTP {response.status}")
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ZaloUnavailable(type(exc).__name__) from None
        if not isinstance(answer, dict):
            raise ZaloUnavailable("not a JSON object")
        return answer
