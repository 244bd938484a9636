"""Core :class:`Reply` → the Telegram messages that show it (HTML parse mode).

Every piece of content is escaped with :func:`html.escape`: the core's texts are plain text, so
``<`` or ``&`` in an article can never break a message or inject markup. Texts are split at
Telegram's limits on paragraph, line or word boundaries (``bot.channels.render.split_text``);
escaping happens after splitting, so an entity like ``&amp;`` is never cut in two.

Telegram has no "call" button (no ``tel:`` URLs in inline keyboards), so a PHONE button becomes
a line of text at the end of the message, "☎️ <label>: <number>", which phones let the user tap
or copy; rows left empty by this are dropped. Media go first and the text after them, so the
keyboard, always on the last message, sits under the words it belongs to.
"""

from __future__ import annotations

import functools
import html
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.markdown import to_telegram_html
from bot.channels.render import split_text
from bot.channels.telegram.adapter import MAX_CALLBACK_BYTES
from bot.core.messages import Button, ButtonKind, Media, MediaKind, Reply

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096  # characters after entity parsing, counted in UTF-16 code units
CAPTION_LIMIT = 1024
URL_SCHEMES = ("https://", "http://", "tg://")
VOICE_SUFFIXES = {".ogg", ".oga", ".opus"}  # sendVoice wants OGG/Opus; anything else is audio

MediaMethod = Literal["photo", "audio", "voice"]


@dataclass(frozen=True)
class TextPart:
    html: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class MediaPart:
    method: MediaMethod
    path: Path
    caption: str = ""  # HTML
    keyboard: InlineKeyboardMarkup | None = None


Part = TextPart | MediaPart


def render(reply: Reply, content_dir: Path) -> list[Part]:
    keyboard, lines = markup(reply.buttons)
    parts: list[Part] = []
    for media in reply.media:
        parts.extend(_media(media, content_dir))
    if reply.markdown:  # HTML once rendered: escape the number lines only
        body = to_telegram_html(reply.text)
        numbers = html.escape("\n".join(lines), quote=False)
        text = "\n\n".join(t for t in (body, numbers) if t)
        parts.extend(TextPart(chunk) for chunk in split(text, TEXT_LIMIT) if chunk)
    else:
        text = "\n\n".join(t for t in (reply.text.strip(), "\n".join(lines)) if t)
        if text:
            parts.extend(
                TextPart(html.escape(chunk, quote=False)) for chunk in split(text, TEXT_LIMIT)
            )
    if not parts:
        if keyboard is not None:
            log.warning(
                "a reply with buttons but no text was not sent", extra={"channel": "telegram"}
            )
        return []
    if keyboard is not None:
        parts[-1] = replace(parts[-1], keyboard=keyboard)
    return parts


@functools.lru_cache(maxsize=512)
def render_shared(reply: Reply, content_dir: Path) -> tuple[Part, ...]:
    """:func:`render`, once per distinct reply: a campaign's 100,000 messages share a few
    payloads (one per language), and parsing the Markdown was most of the cost of sending one."""
    return tuple(render(reply, content_dir))


@functools.lru_cache(maxsize=4096)
def markup(
    buttons: tuple[tuple[Button, ...], ...],
) -> tuple[InlineKeyboardMarkup | None, tuple[str, ...]]:
    """The inline keyboard for ``buttons`` and the lines of text for those it cannot show.

    Menus, pickers and an article's buttons are the same for everyone who sees them: each is
    built (and validated by aiogram's models, which are immutable) once, not once per message.
    """
    rows, lines = keyboard_rows(buttons)
    return (InlineKeyboardMarkup(inline_keyboard=rows) if rows else None), tuple(lines)


def keyboard_rows(
    buttons: tuple[tuple[Button, ...], ...],
) -> tuple[list[list[InlineKeyboardButton]], list[str]]:
    """Inline keyboard rows, and the lines of text for buttons Telegram cannot show."""
    rows: list[list[InlineKeyboardButton]] = []
    lines: list[str] = []
    for row in buttons:
        out: list[InlineKeyboardButton] = []
        for button in row:
            if button.kind is ButtonKind.CALLBACK:
                if len(button.value.encode()) <= MAX_CALLBACK_BYTES:
                    out.append(InlineKeyboardButton(text=button.label, callback_data=button.value))
                else:  # Telegram would refuse the whole message
                    log.error("button data over 64 bytes dropped", extra={"channel": "telegram"})
            elif button.kind is ButtonKind.LINK and button.value.startswith(URL_SCHEMES):
                out.append(InlineKeyboardButton(text=button.label, url=button.value))
            elif button.kind is ButtonKind.LINK:
                lines.append(f"🔗 {button.label}: {button.value}")
            else:
                lines.append(phone_line(button))
        if out:
            rows.append(out)
    return rows, lines


def phone_line(button: Button) -> str:
    label = button.label if not button.label[:1].isalnum() else f"☎️ {button.label}"
    return label if button.value in label else f"{label}: {button.value}"


def split(text: str, limit: int) -> list[str]:
    """``split_text``, measured as Telegram measures: in UTF-16 code units (an emoji counts 2)."""
    if utf16_len(text) == len(text):
        return split_text(text, limit)
    chunks: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        window = _fitting(rest, limit)
        head = split_text(rest[: window + 1], window)[0] or rest[:window]
        chunks.append(head)
        rest = rest[len(head) :].lstrip()
    if rest or not chunks:
        chunks.append(rest)
    return chunks


def _fitting(text: str, limit: int) -> int:
    """How many characters of ``text`` fit in ``limit`` UTF-16 code units."""
    units = 0
    for count, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return count
    return len(text)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _media(media: Media, content_dir: Path) -> list[Part]:
    root = content_dir.resolve()
    path = (root / media.path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        log.error("media file missing; sent without it", extra={"channel": "telegram"})
        return []
    method: MediaMethod = "photo"
    if media.kind is MediaKind.AUDIO:
        method = "voice" if path.suffix.lower() in VOICE_SUFFIXES else "audio"
    caption, *rest = split(media.caption.strip(), CAPTION_LIMIT) if media.caption.strip() else [""]
    parts: list[Part] = [MediaPart(method, path, html.escape(caption, quote=False))]
    parts.extend(TextPart(html.escape(chunk, quote=False)) for chunk in rest)
    return parts
