"""Raw Zalo events in, what they mean out (table-driven), and the signature check."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from bot.channels.zalo.adapter import Kind, parse, read
from bot.channels.zalo.signature import mac, refusal
from bot.core.messages import Attachment, Inbound, UserRef
from tests.fakes import zalo_events as ev

USER = "2468135790246813579"  # over 2**53: a float would change it
ME = UserRef("zalo", USER)


def roundtrip(event: dict[str, Any]) -> dict[str, Any]:
    return parse(json.dumps(event).encode())


@pytest.mark.parametrize(
    ("event", "kind", "inbound"),
    [
        (ev.text(USER, "xin chào"), Kind.MESSAGE, Inbound(ME, text="xin chào")),
        (ev.press(USER, "#lang:vi"), Kind.MESSAGE, Inbound(ME, callback="lang:vi")),
        (ev.press(USER, "#not-a-button"), Kind.MESSAGE, Inbound(ME, text="#not-a-button")),
        (ev.image(USER), Kind.MESSAGE, Inbound(ME, attachments=(Attachment("image"),))),
        (ev.sticker(USER), Kind.MESSAGE, Inbound(ME, attachments=(Attachment("sticker"),))),
        (ev.location(USER), Kind.MESSAGE, Inbound(ME, attachments=(Attachment("location"),))),
        (ev.follow(USER), Kind.FOLLOW, Inbound(ME, text="/start")),
        (ev.unfollow(USER), Kind.UNFOLLOW, None),
        (ev.chat_now(USER), Kind.IGNORED, None),
        (ev.text(USER, "   "), Kind.IGNORED, None),
        ({**ev.text(USER, "x"), "event_name": "oa_send_text"}, Kind.IGNORED, None),
        ({**ev.text(USER, "x"), "sender": {"id": "not-a-number"}}, Kind.IGNORED, None),
        ({**ev.follow(USER), "follower": "oops"}, Kind.IGNORED, None),
    ],
)
def test_events(event: dict[str, Any], kind: Kind, inbound: Inbound | None) -> None:
    got = read(roundtrip(event))
    assert got.kind is kind
    if inbound is None:
        assert got.inbound is None
    else:
        assert got.inbound is not None
        assert got.inbound == Inbound(**{**inbound.__dict__, "message_id": got.inbound.message_id})


def test_large_ids_unquoted_are_the_same_user() -> None:
    quoted = ev.text(USER, "a")
    raw = json.dumps(quoted).replace(f'"{USER}"', USER).encode()  # the id as a bare number
    assert read(parse(raw)).user == ME == read(roundtrip(quoted)).user


def test_a_redelivery_has_the_same_key_and_another_event_another() -> None:
    event = ev.text(USER, "a")
    assert read(roundtrip(event)).key == read(roundtrip(event)).key
    assert read(roundtrip(event)).key != read(roundtrip(ev.text(USER, "a"))).key
    follow = ev.follow(USER)
    assert read(roundtrip(follow)).key == read(roundtrip(follow)).key


def test_event_names_are_logged_only_when_they_look_like_names() -> None:
    assert read(roundtrip({**ev.chat_now(USER), "event_name": "x\nFORGED LOG LINE"})).name == (
        "unnamed"
    )


@pytest.mark.parametrize("body", [b"[]", b"not json", b'"text"'])
def test_anything_but_an_object_is_refused(body: bytes) -> None:
    with pytest.raises(ValueError):
        parse(body)


def test_the_signature_is_sha256_of_app_id_body_timestamp_and_oa_key() -> None:
    body = b'{"timestamp":"1700000000000"}'
    data = parse(body)
    good = "mac=" + mac("42", body, "1700000000000", "key")
    skew = timedelta(minutes=5)
    assert refusal(good, body, data, "42", "key", 1_700_000_000_000, skew) is None
    assert refusal(good, body, data, "42", "other", 1_700_000_000_000, skew) == "bad-signature"
    late = 1_700_000_000_000 + 301_000
    assert refusal(good, body, data, "42", "key", late, skew) == "stale-timestamp"
    assert refusal(good, b"{}", {}, "42", "key", 0, skew) == "no-timestamp"
