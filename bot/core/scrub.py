"""Remove personal data (phone numbers, e-mails, links, names) from text before it is stored."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_PHONE = re.compile(r"(?<!\w)\+?\d[\d .\-()]{6,}\d(?!\w)")
# "tên (là|tôi là|con là) Lan", "my name is Lan", "I am Lan": the words after are a name
_NAME = re.compile(
    r"(?i:\b(t[eê]n\s+(?:(?:t[oô]i|em|m[iì]nh|con|ch[aá]u|b[eé])\s+)?(?:l[aà]\s+)?|my name is\s+|i am called\s+))"
    r"([A-ZÀ-Ỹa-zà-ỹĐđ]+(?:\s+[A-ZÀ-ỸĐ][a-zà-ỹđ]+){0,3})"
)


def scrub(text: str) -> str:
    text = _EMAIL.sub("<email>", text)
    text = _URL.sub("<link>", text)
    text = _PHONE.sub("<phone>", text)
    return _NAME.sub(lambda m: m.group(1) + "<name>", text)
