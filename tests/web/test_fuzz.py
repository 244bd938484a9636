"""A property-based fuzz of every HTTP route of the server (issue #18): the web chat, the media
files, the health check and the whole admin (signed in, with a real CSRF token half the time),
with arbitrary paths, headers and bodies — bogus charsets, deep JSON, huge numbers, NULs, lone
surrogates. No answer is a 5xx and nothing leaks a traceback.

The event stream (``/api/chat/events``) is left out: with a well-formed session it stays open by
design. Bounded and derandomized so that ``make test`` stays quick and repeatable."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from hypothesis import given
from hypothesis import strategies as st
from yarl import URL

from bot import web as admin_routes
from bot.storage.admin import admin_stores
from tests.conftest import fuzz
from tests.web.conftest import Admin, add_account

SKIPPED = {"/api/chat/events"}
PLACEHOLDER = re.compile(r"\{(\w+)(?::([^}]+))?\}")
SESSION = "0123456789abcdef0123"
ACCOUNTS = itertools.count()


def _routes(admin: Admin) -> list[tuple[str, str]]:
    """(method, path template) of every route: the server's own and the admin's (``ROUTES``)."""
    found = {(method, "/admin" + path) for method, path, _ in admin_routes.ROUTES}
    for route in admin.client.app.router.routes():
        resource = route.resource
        if resource is None or route.method in ("HEAD", "*"):  # "*": the admin sub-application
            continue
        if resource.canonical not in SKIPPED:
            found.add((route.method, resource.canonical))
    return sorted(found)


SEGMENT = st.one_of(
    st.sampled_from(
        ["1", "0", "-1", "9" * 5000, "burns", "vi", "ack", "..", "%00", "a%00b", "%ED%A0%80"]
    ),
    st.binary(max_size=12).map(lambda b: quote_from_bytes(b, safe="")),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
CHAT = st.fixed_dictionaries(
    {"session": st.sampled_from([SESSION, "short", "x" * 70, ""])},
    optional={
        "text": st.one_of(
            st.text(st.characters(exclude_categories=("Co",)), max_size=30), st.integers()
        ),
        "button": st.one_of(
            st.sampled_from(["lang:vi", "case:yes", "forget:1", ""]), st.text(max_size=10)
        ),
        "keep": st.booleans(),
    },
)
BODY = st.one_of(
    st.just(b""),
    st.binary(max_size=64),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    CHAT.map(lambda v: json.dumps(v).encode()),
    st.integers(1, 60_000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 60_000).map(
        lambda n: b'{"session": "%s", "text": %s}' % (SESSION.encode(), b"9" * n)
    ),
    st.just(b'{"session": "' + SESSION.encode() + b'", "text": "\\ud800 hi \\udfff"}'),
    st.dictionaries(
        st.sampled_from(
            [
                "csrf",
                "username",
                "password",
                "text",
                "to",
                "outcome",
                "roles",
                "name",
                "new",
                "confirm",
            ]
        ),
        st.text(max_size=12),
        max_size=4,
    ).map(
        lambda form: "&".join(
            f"{k}={quote_from_bytes(v.encode('utf-8', 'surrogatepass'))}" for k, v in form.items()
        ).encode()
    ),
)
CONTENT_TYPE = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=bogus",
        "application/json; charset=latin-1",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=bogus",
        "multipart/form-data; boundary=x",
        "multipart/form-data",
        "text/plain; charset=utf-16",
        "",
        ";;;",
    ]
)
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=20)


@fuzz(150)
@given(data=st.data())
async def test_no_route_answers_5xx(admin: Admin, data: st.DataObject) -> None:
    if not admin.client.session.cookie_jar.filter_cookies(admin.client.make_url("/admin/")):
        # signed out by an earlier example (a fuzzed sign-out, password change or lock-out):
        # a new account each time, so the draws below never depend on what came before
        username = f"fuzzer{next(ACCOUNTS)}"
        await add_account(admin.app, username, "admin")
        await admin.login(username)
    method, template = data.draw(st.sampled_from(_routes(admin)), label="route")
    path = PLACEHOLDER.sub(lambda m: data.draw(SEGMENT, label=m.group(1)), template)
    if data.draw(st.booleans(), label="query"):
        path += "?" + data.draw(
            st.binary(max_size=20).map(lambda b: quote_from_bytes(b, safe="=&"))
        )
    headers: dict[str, Any] = {}
    content_type = data.draw(CONTENT_TYPE, label="content-type")
    if content_type is not None:
        headers["Content-Type"] = content_type
    if data.draw(st.booleans(), label="accept-language"):
        headers["Accept-Language"] = data.draw(HEADER_TEXT)
    if data.draw(st.booleans(), label="cookie"):
        headers["Cookie"] = "mn_chat=" + data.draw(HEADER_TEXT)
    body = data.draw(BODY, label="body") if method == "POST" else None
    if body is not None and data.draw(st.booleans(), label="csrf") and method == "POST":
        body = b"csrf=" + (await admin.csrf()).encode() + b"&" + body
    res = await admin.client.request(
        method, URL(path, encoded=True), data=body, headers=headers, allow_redirects=False
    )
    text = await res.text(errors="replace")
    assert res.status < 500, (method, path, res.status, text[:200])
    assert "Traceback" not in text


@pytest.mark.parametrize(
    "path", ["/media/%00", "/admin/cases/" + "9" * 5000, "/admin/content/%00/vi"]
)
async def test_odd_paths_are_client_errors(admin: Admin, path: str) -> None:
    await add_account(admin.app, "fuzzer", "admin")
    await admin.login("fuzzer")
    res = await admin.client.get(URL(path, encoded=True), allow_redirects=False)
    assert 300 <= res.status < 500


async def test_a_form_that_cannot_be_parsed_or_stored_is_a_client_error(admin: Admin) -> None:
    """A multipart body without its boundary, and a name with a NUL: 400 or
    a stored, cleaned account — never a 500 (both found by the fuzz above)."""
    await add_account(admin.app, "boss", "admin")
    await admin.login("boss")
    token = await admin.csrf()
    res = await admin.client.post(
        "/admin/accounts",
        data=b"--x\r\nbroken",
        headers={"Content-Type": "multipart/form-data; boundary=x", "X-CSRF-Token": token},
    )
    assert res.status == 400
    res = await admin.client.post(
        "/admin/accounts",
        data=b"csrf=" + token.encode() + b"&username=lan&roles=editor&name=La%00n",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert res.status == 200
    async with admin_stores(admin.app.database)() as store:
        account = await store.accounts.by_username("lan")
    assert account is not None and account.name == "Lan"
