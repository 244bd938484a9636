"""Core replies → the JSON the web chat page shows (HTML made here, safely)."""

from __future__ import annotations

import html
from typing import Any

from bot.channels.markdown import to_html
from bot.core.messages import Button, Reply


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """``html`` is safe to insert: Markdown rendered without raw HTML, plain text escaped."""
    body = to_html(reply.text) if reply.markdown else _plain_html(reply.text)
    return {
        "text": reply.text,
        "html": body,
        "buttons": [[_button(b) for b in row] for row in reply.buttons],
        "media": [
            {
                "kind": m.kind.value,
                "url": f"/media/{m.path.removeprefix('media/')}",
                "caption": m.caption,
            }
            for m in reply.media
        ],
    }


def _plain_html(text: str) -> str:
    return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"


def _button(button: Button) -> dict[str, str]:
    return {"label": button.label, "kind": button.kind.value, "value": button.value}
