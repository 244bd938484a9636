"""Is a webhook call really from Zalo, and recent? Checked before anything else is done with it.

Zalo signs each event: ``X-ZEvent-Signature: mac=<hex>`` where ``hex`` is the plain SHA-256 (not
an HMAC) of app id + the raw body + the event's ``timestamp`` field + the **OA secret key** (not the
app secret). The timestamp (milliseconds) must also be within ``max_skew`` of our clock, so a
recorded event cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

HEADER = "X-ZEvent-Signature"
PREFIX = "mac="


def mac(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    signed = app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()
    return hashlib.sha256(signed).hexdigest()


def header_value(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """What Zalo sends (and what tests and the benchmark send as Zalo)."""
    return PREFIX + mac(app_id, body, timestamp, oa_secret_key)


def refusal(
    header: str,
    body: bytes,
    data: dict[str, Any],
    app_id: str,
    oa_secret_key: str,
    now_ms: int,
    max_skew: timedelta,
) -> str | None:
    """None when the event is signed and recent; else why not (for the log: no values)."""
    timestamp = data.get("timestamp")
    if not isinstance(timestamp, str) or not timestamp.isdigit():
        return "no-timestamp"
    given = header.strip()
    given = given[len(PREFIX) :] if given.lower().startswith(PREFIX) else given
    expected = mac(app_id, body, timestamp, oa_secret_key)
    if not hmac.compare_digest(given.lower().encode(), expected.encode()):
        return "bad-signature"
    if abs(now_ms - int(timestamp)) > max_skew.total_seconds() * 1000:
        return "stale-timestamp"
    return None
