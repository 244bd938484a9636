"""Core replies → Zalo messages: text cut where Zalo needs it, buttons Zalo's way, numbered menus."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.channels.render import split_text
from bot.channels.zalo.render import MORE, Message, Style, numbered, render, with_attachment_id
from bot.channels.zalo.settings import ChoiceButton
from bot.core.messages import Button, Media, MediaKind, Reply

STYLE = Style(max_text=120, max_buttons=5)


def test_long_text_is_cut_at_sentence_then_word_boundaries() -> None:
    text = " ".join(f"Câu số {n} nói về an toàn cho trẻ." for n in range(30))
    chunks = split_text(text, 120)
    assert all(len(c) <= 120 for c in chunks) and " ".join(chunks) == text
    assert all(c.endswith(".") for c in chunks[:-1])  # whole sentences
    words = split_text("từ " * 100, 50)
    assert all(len(c) <= 50 and not c.endswith("t") for c in words)  # never inside a word


def test_choices_calls_and_links_become_zalos_buttons() -> None:
    reply = Reply(
        "Chọn một mục",
        buttons=(
            (Button.callback("📚 Chủ đề", "menu:topics"),),
            (Button.phone("☎️ Gọi 111", "111"), Button.link("Nguồn", "https://tongdai111.vn")),
            (Button.link("Thư", "mailto:a@b.vn"),),  # Zalo opens web links only: a text line
        ),
    )
    (message,) = render([reply], Path("."), STYLE)
    assert message.body["text"] == "Chọn một mục\n\n🔗 Thư: mailto:a@b.vn"
    assert message.buttons == [
        {"title": "📚 Chủ đề", "type": "oa.query.show", "payload": "#menu:topics"},
        {"title": "☎️ Gọi 111", "type": "oa.open.phone", "payload": {"phone_code": "111"}},
        {"title": "Nguồn", "type": "oa.open.url", "payload": {"url": "https://tongdai111.vn"}},
    ]
    hidden = render([reply], Path("."), Style(choice=ChoiceButton.HIDE))[0]
    assert hidden.buttons[0]["type"] == "oa.query.hide"


def test_more_buttons_than_zalo_takes_follow_on_a_second_message() -> None:
    rows = tuple((Button.callback(f"Bài {n}", f"art:a{n}"),) for n in range(7))
    first, more = render([Reply("Các bài viết", buttons=rows)], Path("."), STYLE)
    assert len(first.buttons) == 5 and len(more.buttons) == 2
    assert more.body["text"] == MORE and more.continues and not first.continues


def test_markdown_is_plain_text_and_the_buttons_sit_under_the_last_part() -> None:
    body = "**Đuối nước**\n\n" + "Luôn trông trẻ khi ở gần nước. " * 10
    reply = Reply(body, buttons=((Button.callback("👍", "fb:x:1"),),), markdown=True)
    messages = render([reply], Path("."), STYLE)
    assert "**" not in messages[0].body["text"] and messages[0].body["text"].startswith("Đuối")
    assert [m.has_buttons for m in messages] == [False] * (len(messages) - 1) + [True]


def test_a_menu_becomes_numbered_lines_and_says_what_each_number_means() -> None:
    rows = tuple((Button.callback(f"Bài {n}", f"art:a{n}"),) for n in range(7))
    rows += ((Button.phone("☎️ 111 – bảo vệ trẻ em", "111"),),)
    messages = render([Reply("Các bài viết", buttons=rows)], Path("."), STYLE)
    (menu,), choices = numbered(messages, start=3, max_text=1000)
    assert menu.body == {
        "text": "Các bài viết\n\n"
        + "\n".join(f"{n + 3}. Bài {n}" for n in range(7))
        + "\n☎️ 111 – bảo vệ trẻ em"
    }
    assert choices == [f"art:a{n}" for n in range(7)] and menu.numbered


@pytest.fixture
def content(tmp_path: Path) -> Path:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "a.png").write_bytes(b"png")
    (tmp_path / "media" / "b.ogg").write_bytes(b"ogg")
    return tmp_path


def test_images_come_first_audio_as_its_caption(content: Path) -> None:
    reply = Reply(
        "Bài viết",
        media=(
            Media(MediaKind.IMAGE, "media/a.png", "Hình minh hoạ"),
            Media(MediaKind.AUDIO, "media/b.ogg", "Nghe bằng tiếng Bru"),
            Media(MediaKind.IMAGE, "media/missing.png"),
            Media(MediaKind.IMAGE, "../outside.png"),
        ),
    )
    image, audio, text = render([reply], content, STYLE)
    assert image.image == content / "media" / "a.png" and image.body["text"] == "Hình minh hoạ"
    assert with_attachment_id(image, "img-1")["attachment"]["payload"]["elements"] == [
        {"media_type": "image", "attachment_id": "img-1"}
    ]
    assert audio == Message({"text": "Nghe bằng tiếng Bru"}) and text.body["text"] == "Bài viết"
