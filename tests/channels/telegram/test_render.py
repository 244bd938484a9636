"""Reply → Telegram messages, without a network."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.telegram.render import MediaPart, TextPart, phone_line, render, split, utf16_len
from bot.core.messages import Button, Media, MediaKind, Reply


@pytest.fixture
def content(tmp_path: Path) -> Path:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.png").write_bytes(b"png")
    (tmp_path / "media" / "b.oga").write_bytes(b"ogg")
    return tmp_path


@pytest.mark.parametrize(
    ("label", "number", "line"),
    [
        ("☎️ Call 111 (free, 24/7)", "111", "☎️ Call 111 (free, 24/7)"),
        ("🚓 113 – police", "113", "🚓 113 – police"),
        ("Police", "113", "☎️ Police: 113"),
        ("🚑 Ambulance", "115", "🚑 Ambulance: 115"),
    ],
)
def test_phone_buttons_become_lines(label: str, number: str, line: str) -> None:
    assert phone_line(Button.phone(label, number)) == line


def test_only_phone_buttons_leave_no_keyboard(content: Path) -> None:
    (part,) = render(Reply("Call now.", buttons=((Button.phone("☎️ 111", "111"),),)), content)
    assert part == TextPart("Call now.\n\n☎️ 111")


def test_links_that_telegram_refuses_become_text(content: Path) -> None:
    reply = Reply(
        "See:", buttons=((Button.link("Site", "ftp://x"), Button.link("Ok", "https://x")),)
    )
    (part,) = render(reply, content)
    assert isinstance(part, TextPart) and part.keyboard is not None
    assert [b.url for b in part.keyboard.inline_keyboard[0]] == ["https://x"]
    assert part.html.endswith("🔗 Site: ftp://x")


def test_media_first_keyboard_last_and_long_captions_continue_as_text(content: Path) -> None:
    reply = Reply(
        "",
        buttons=((Button.callback("Next", "tip"),),),
        media=(
            Media(MediaKind.IMAGE, "media/a.png", caption="word " * 400),
            Media(MediaKind.AUDIO, "media/b.oga"),
        ),
    )
    parts = render(reply, content)
    assert [type(p).__name__ for p in parts] == ["MediaPart", "TextPart", "MediaPart"]
    photo, rest, voice = parts
    assert isinstance(photo, MediaPart) and isinstance(voice, MediaPart)
    assert photo.method == "photo" and len(photo.caption) <= 1024 and photo.keyboard is None
    assert isinstance(rest, TextPart) and rest.html.startswith("word")
    assert voice.method == "voice" and voice.keyboard is not None


def test_nothing_to_show_sends_nothing(content: Path) -> None:
    assert render(Reply("  ", buttons=((Button.callback("x", "menu:tip"),),)), content) == []


def test_escaping_after_splitting_never_cuts_an_entity(content: Path) -> None:
    parts = render(Reply("&" * 5000), content)
    assert [p.html.count("&amp;") for p in parts if isinstance(p, TextPart)] == [4096, 904]


@pytest.mark.parametrize(
    "text",
    ["a b " * 3000, "🙂 " * 3000, "ạ" * 9000, "x\n\n" + "🙂" * 5000, "word"],
)
def test_split_fits_in_utf16_and_keeps_every_character(text: str) -> None:
    chunks = split(text, 4096)
    assert all(utf16_len(c) <= 4096 for c in chunks)
    assert "".join(chunks).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )


def test_a_keyboard_seen_before_is_built_once_and_others_are_their_own(content: Path) -> None:
    menu = ((Button.callback("📚 Chủ đề", "menu:topics"), Button.callback("💡 Mẹo", "menu:tip")),)
    first = render(Reply("Xin chào", buttons=menu), content)[-1]
    again = render(Reply("Chào lại", buttons=menu), content)[-1]
    other = render(Reply("Khác", buttons=((Button.callback("💡 Mẹo", "menu:tip"),),)), content)[-1]
    assert first.keyboard is not None and first.keyboard is again.keyboard
    assert other.keyboard is not None and other.keyboard is not first.keyboard
    assert [b.callback_data for b in other.keyboard.inline_keyboard[0]] == ["menu:tip"]
