"""A fuzz of the Telegram webhook (issue #18): signed updates with arbitrary text, button data
and language codes, and arbitrary bodies and headers. No answer is a 5xx, and no update makes
the handling log an error (the update reached the core and was answered or refused cleanly)."""

from __future__ import annotations

import json
import logging
from itertools import count

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.channels.telegram.test_webhook import HEADER, SECRET, Webhook, webhook  # noqa: F401
from tests.conftest import fuzz
from tests.fakes import telegram_updates as tg

ANY_TEXT = st.text(st.characters(exclude_categories=("Co",)), max_size=40)
LANG = st.one_of(st.none(), st.sampled_from(["vi", "en", "", "zz-ZZ"]), st.text(max_size=6))
UPDATE = st.one_of(
    st.builds(lambda u, t, lang: tg.text(u, t, lang), st.integers(1, 10**12), ANY_TEXT, LANG),
    st.builds(
        lambda u, d, lang: tg.callback(u, d, language_code=lang),
        st.integers(1, 10**12),
        st.one_of(ANY_TEXT, st.sampled_from(["lang:vi", "case:yes", "forget:1", "safe:ok"])),
        LANG,
    ),
    st.builds(lambda u, t: tg.edited(u, t), st.integers(1, 10**12), ANY_TEXT),
)
RAW = st.one_of(
    st.binary(max_size=64),
    st.integers(1, 60_000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 60_000).map(lambda n: b'{"update_id": ' + b"9" * n + b"}"),
)
CONTENT_TYPE = st.sampled_from(
    ["application/json", "application/json; charset=bogus", "text/plain", ""]
)
ids = count(1)


@fuzz(60)
@given(update=st.one_of(UPDATE, RAW), content_type=CONTENT_TYPE)
async def test_no_update_gets_5xx_or_an_error(
    webhook: Webhook,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
    update: object,
    content_type: str,
) -> None:
    caplog.clear()
    if isinstance(update, dict):
        body = json.dumps({"update_id": next(ids), **update}).encode()  # \ud800 as an escape
    else:
        assert isinstance(update, bytes)
        body = update
    with caplog.at_level(logging.ERROR):
        res = await webhook.client.post(
            "/telegram/hook", data=body, headers={HEADER: SECRET, "Content-Type": content_type}
        )
        await webhook.channel.idle()
    assert res.status < 500 and "Traceback" not in await res.text()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
