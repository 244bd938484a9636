"""Core :class:`Reply` → the messages Zalo's consultation endpoint takes (plain text).

- Text: the library's Markdown becomes plain lines (``to_plain``), split at ``max_text`` on a
  paragraph, line, sentence or word boundary.
- Images: one message each, before the text (the sender uploads the file and fills in its
  attachment id). Zalo OA has no audio messages: a recording's caption is sent as text.
- Buttons, on the last text message, at most ``max_buttons`` a message (the rest follow on a
  "⋯" message): a choice is ``oa.query.show`` (or ``.hide``) whose payload is ``#`` + the
  button's data, which comes back as the user's text; a phone number (111, 113…) is
  ``oa.open.phone``; a web link is ``oa.open.url``.
- Numbered (:func:`numbered`): when Zalo refuses buttons, or they are turned off, a message's
  choices become lines "1. …" that the user answers with the number (the data each number
  stands for goes to the core); phone numbers and links become text lines.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.channels.markdown import to_plain
from bot.channels.render import split_text
from bot.channels.zalo.settings import ChoiceButton
from bot.core.messages import Button, ButtonKind, Media, MediaKind, Reply

log = logging.getLogger(__name__)

CALLBACK_MARK = "#"  # a choice's payload: "#" + its data, sent back as the user's text
TITLE_LIMIT = 100  # characters of a button's title
MORE = "⋯"  # the text of a message that only carries more buttons
URL_SCHEMES = ("https://", "http://")


@dataclass(frozen=True)
class Message:
    """One message: the ``message`` object of a call, and an image to upload into it first."""

    body: dict[str, Any]
    image: Path | None = None
    numbered: bool = False  # its buttons became numbered lines

    @property
    def has_buttons(self) -> bool:
        return "buttons" in self.body.get("attachment", {}).get("payload", {})

    @property
    def buttons(self) -> list[dict[str, Any]]:
        buttons: list[dict[str, Any]] = self.body["attachment"]["payload"]["buttons"]
        return buttons

    @property
    def continues(self) -> bool:
        """Only more buttons for the message before (over ``max_buttons``)."""
        return self.body.get("text") == MORE and self.has_buttons


@dataclass(frozen=True)
class Style:
    max_text: int = 2000
    max_buttons: int = 5
    choice: ChoiceButton = ChoiceButton.SHOW


def render(replies: Sequence[Reply], content_dir: Path, style: Style) -> list[Message]:
    """The messages that show ``replies``, in order."""
    out: list[Message] = []
    for reply in replies:
        for media in reply.media:
            out.extend(_media(media, content_dir, style))
        body = to_plain(reply.text) if reply.markdown else reply.text.strip()
        buttons, lines = zalo_buttons(reply.buttons, style.choice)
        texts = _texts(_join(body, lines), style.max_text)
        if not texts and buttons:
            texts = [{"text": MORE}]
        groups = [
            buttons[i : i + style.max_buttons] for i in range(0, len(buttons), style.max_buttons)
        ]
        for index, group in enumerate(groups):
            if index > 0:
                texts.append({"text": MORE})
            texts[-1] = {**texts[-1], "attachment": _template(group)}
        out.extend(Message(text) for text in texts)
    return out


def zalo_buttons(
    rows: tuple[tuple[Button, ...], ...], choice: ChoiceButton
) -> tuple[list[dict[str, Any]], list[str]]:
    """Zalo's buttons for ``rows``, and text lines for those it cannot show."""
    buttons: list[dict[str, Any]] = []
    lines: list[str] = []
    for button in (b for row in rows for b in row):
        title = button.label[:TITLE_LIMIT]
        if button.kind is ButtonKind.CALLBACK:
            payload = CALLBACK_MARK + button.value
            buttons.append({"title": title, "type": choice.value, "payload": payload})
        elif button.kind is ButtonKind.PHONE:
            buttons.append(
                {"title": title, "type": "oa.open.phone", "payload": {"phone_code": button.value}}
            )
        elif button.value.startswith(URL_SCHEMES):
            buttons.append(
                {"title": title, "type": "oa.open.url", "payload": {"url": button.value}}
            )
        else:
            lines.append(link_line(button))
    return buttons, lines


def numbered(messages: list[Message], start: int, max_text: int) -> tuple[list[Message], list[str]]:
    """A message and its continuations without buttons: one menu of lines "``start``. …" for
    the choices (and their data, in order), phone numbers and links as text lines; split again
    if it grew past ``max_text``."""
    text = str(messages[0].body.get("text", ""))
    lines: list[str] = []
    others: list[str] = []
    choices: list[str] = []
    for button in (b for message in messages for b in message.buttons):
        payload = button["payload"]
        if button["type"] == "oa.open.phone":
            others.append(phone_line(Button.phone(button["title"], payload["phone_code"])))
        elif button["type"] == "oa.open.url":
            others.append(link_line(Button.link(button["title"], payload["url"])))
        else:
            choices.append(str(payload).removeprefix(CALLBACK_MARK))
            lines.append(f"{start + len(choices) - 1}. {button['title']}")
    texts = _texts(_join("" if text == MORE else text, lines + others), max_text)
    return [Message(t, numbered=True) for t in texts], choices


def phone_line(button: Button) -> str:
    label = button.label if not button.label[:1].isalnum() else f"☎️ {button.label}"
    return label if button.value in label else f"{label}: {button.value}"


def link_line(button: Button) -> str:
    return f"🔗 {button.label}: {button.value}"


def _join(body: str, lines: list[str]) -> str:
    return "\n\n".join(part for part in (body, "\n".join(lines)) if part)


def _texts(text: str, max_text: int) -> list[dict[str, Any]]:
    return [{"text": chunk} for chunk in split_text(text, max_text) if chunk] if text else []


def _template(buttons: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "template", "payload": {"buttons": buttons}}


def _media(media: Media, content_dir: Path, style: Style) -> list[Message]:
    caption = media.caption.strip()
    if media.kind is not MediaKind.IMAGE:
        return [Message(text) for text in _texts(caption, style.max_text)]
    root = content_dir.resolve()
    path = (root / media.path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        log.error("media file missing; sent without it", extra={"channel": "zalo"})
        return [Message(text) for text in _texts(caption, style.max_text)]
    texts = _texts(caption, style.max_text)
    first = texts[0] if texts else {}
    image = {
        **first,
        "attachment": {
            "type": "template",
            "payload": {"template_type": "media", "elements": [{"media_type": "image"}]},
        },
    }
    return [Message(image, image=path), *(Message(text) for text in texts[1:])]


def with_attachment_id(message: Message, attachment_id: str) -> dict[str, Any]:
    """The image message's body once its file is uploaded."""
    body = dict(message.body)
    payload = dict(body["attachment"]["payload"])
    payload["elements"] = [{"media_type": "image", "attachment_id": attachment_id}]
    body["attachment"] = {**body["attachment"], "payload": payload}
    return body
