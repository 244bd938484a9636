"""The sender over real HTTP: splitting, escaping, buttons, media, flood limits, 403/429/400."""

from __future__ import annotations

import asyncio
import contextlib
import struct
import zlib
from collections.abc import AsyncIterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer

from bot.channels.telegram.ratelimit import RateLimiter
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.session import JsonSession
from bot.core.messages import Button, Media, MediaKind, Reply, UserRef
from bot.core.outbox import Envelope, Priority, Result
from tests.channels.telegram.conftest import fast_config
from tests.fakes.telegram_api import FakeTelegram

CHAT = 1001
TO = UserRef("telegram", str(CHAT))


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\0\0\0"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    (media / "pic.png").write_bytes(png())
    (media / "talk.ogg").write_bytes(b"OggS fake voice")
    (media / "song.mp3").write_bytes(b"ID3 fake audio")
    return tmp_path


class Marks:
    def __init__(self) -> None:
        self.unreachable: list[UserRef] = []

    async def __call__(self, who: UserRef) -> None:
        self.unreachable.append(who)


@pytest.fixture
def marks() -> Marks:
    return Marks()


@pytest.fixture
async def make_sender(
    fake_api: FakeTelegram, content_dir: Path, marks: Marks
) -> AsyncIterator[Any]:
    bots: list[Bot] = []

    def make(**overrides: Any) -> TelegramSender:
        config = fast_config(fake_api, content_dir, **overrides)
        session = JsonSession(api=TelegramAPIServer.from_base(fake_api.url))
        bot = Bot(config.token, session=session)
        bots.append(bot)
        return TelegramSender(bot, config, on_unreachable=marks)

    yield make
    for bot in bots:
        await bot.session.close()


@pytest.fixture
def sender(make_sender: Any) -> TelegramSender:
    sender: TelegramSender = make_sender()
    return sender


async def test_long_text_is_split_on_word_boundaries_with_the_keyboard_last(
    sender: TelegramSender, fake_api: FakeTelegram
) -> None:
    words = [f"từ{i}" for i in range(2500)]
    text = " ".join(words)
    buttons = ((Button.callback("Next", "tip"),),)
    await sender.send(TO, [Reply(text, buttons=buttons)])
    calls = fake_api.sent(CHAT)
    assert len(calls) >= 3
    assert all(len(c.text.encode("utf-16-le")) // 2 <= 4096 for c in calls)
    assert " ".join(c.text for c in calls).split() == words
    assert [bool(c.keyboard) for c in calls] == [False] * (len(calls) - 1) + [True]


async def test_emoji_count_double_towards_the_limit(
    sender: TelegramSender, fake_api: FakeTelegram
) -> None:
    await sender.send(TO, [Reply(" ".join(["🙂🙂"] * 1500))])  # 4,499 characters, 7,499 units
    calls = fake_api.sent(CHAT)
    assert len(calls) == 2 and all(len(c.text.encode("utf-16-le")) // 2 <= 4096 for c in calls)


async def test_all_content_is_html_escaped(sender: TelegramSender, fake_api: FakeTelegram) -> None:
    reply = Reply(
        "<b>Tom & Jerry</b> <script>x</script>",
        buttons=((Button.phone("Call <us> & co", "111"),),),
        media=(Media(MediaKind.IMAGE, "media/pic.png", caption="1 < 2 & 3"),),
    )
    await sender.send(TO, [reply])
    photo, message = fake_api.sent(CHAT)
    assert photo.params["caption"] == "1 &lt; 2 &amp; 3" and photo.params["parse_mode"] == "HTML"
    assert message.params["parse_mode"] == "HTML"
    assert message.text.startswith(
        "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;"
    )
    assert "Call &lt;us&gt; &amp; co: 111" in message.text


async def test_buttons_callback_link_and_phone(
    sender: TelegramSender, fake_api: FakeTelegram
) -> None:
    reply = Reply(
        "Help is here.",
        buttons=(
            (
                Button.callback("📚 Topics", "menu:topics"),
                Button.phone("☎️ Call 111 (free, 24/7)", "111"),
            ),
            (Button.link("Website", "https://example.org/x"),),
            (Button.phone("Police", "113"),),
            (Button.callback("Too long", "x" * 65),),
        ),
    )
    await sender.send(TO, [reply])
    (call,) = fake_api.sent(CHAT)
    assert call.keyboard == [
        [{"text": "📚 Topics", "callback_data": "menu:topics"}],
        [{"text": "Website", "url": "https://example.org/x"}],
    ]
    assert call.text == "Help is here.\n\n☎️ Call 111 (free, 24/7)\n☎️ Police: 113"


async def test_media_from_the_content_directory_uploaded_once(
    sender: TelegramSender, fake_api: FakeTelegram
) -> None:
    reply = Reply(
        "Listen or read.",
        buttons=((Button.callback("👍", "fb:a:1"),),),
        media=(
            Media(MediaKind.AUDIO, "media/talk.ogg"),
            Media(MediaKind.AUDIO, "media/song.mp3", caption="A song"),
            Media(MediaKind.IMAGE, "media/pic.png"),
        ),
    )
    await sender.send(TO, [reply])
    calls = fake_api.sent(CHAT)
    assert [c.method for c in calls] == ["sendVoice", "sendAudio", "sendPhoto", "sendMessage"]
    assert all(c.files for c in calls[:3]) and calls[-1].keyboard
    assert calls[2].files and next(iter(calls[2].files.values())) == png()

    await sender.send(TO, [reply])
    again = fake_api.sent(CHAT)[4:]
    assert [c.files for c in again[:3]] == [{}, {}, {}]  # Telegram's file_id, no upload
    assert [again[0].params["voice"], again[2].params["photo"]] == [
        f"file-{calls[0].params['voice']}",
        f"file-{calls[2].params['photo']}",
    ]


async def test_missing_media_or_a_path_outside_content_is_skipped(
    sender: TelegramSender, fake_api: FakeTelegram
) -> None:
    media = (Media(MediaKind.IMAGE, "media/none.png"), Media(MediaKind.IMAGE, "../../etc/passwd"))
    await sender.send(TO, [Reply("Still here.", media=media)])
    assert [c.method for c in fake_api.sent(CHAT)] == ["sendMessage"]


@contextlib.asynccontextmanager
async def virtual_sender(
    fake_api: FakeTelegram, content_dir: Path, marks: Marks, **overrides: Any
) -> AsyncIterator[tuple[TelegramSender, list[float]]]:
    """A sender whose rate limiter runs on a virtual clock (sleeping advances it), with the
    virtual time at which each message was let through: a busy machine cannot make it flaky."""
    now = [0.0]
    sent_at: list[float] = []

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    config = fast_config(fake_api, content_dir, **overrides)
    bot = Bot(config.token, session=JsonSession(api=TelegramAPIServer.from_base(fake_api.url)))
    limiter = RateLimiter(config, clock=lambda: now[0], sleep=sleep)
    wait = limiter.wait

    async def recorded(chat_id: int, priority: int = Priority.CASE) -> None:
        await wait(chat_id, priority)
        sent_at.append(now[0])

    limiter.wait = recorded  # type: ignore[method-assign]
    try:
        yield TelegramSender(bot, config, on_unreachable=marks, limiter=limiter), sent_at
    finally:
        await bot.session.close()


async def test_per_chat_limit_with_a_small_burst(
    fake_api: FakeTelegram, content_dir: Path, marks: Marks
) -> None:
    async with virtual_sender(
        fake_api, content_dir, marks, per_chat_rate=10.0, per_chat_burst=2
    ) as (sender, times):
        await sender.send(TO, [Reply(f"m{i}") for i in range(5)])
    gaps = [b - a for a, b in pairwise(times)]
    assert gaps[0] < 0.01  # the burst (only the bot-wide spacing between them)
    # then the sustained rate: the k-th message no sooner than (k - 1) tenths after the first
    assert all(times[k] - times[0] >= (k - 1) * 0.1 - 1e-9 for k in range(2, 5))
    assert len(fake_api.sent(CHAT)) == 5


async def test_groups_are_slower_and_the_whole_bot_has_a_limit(
    fake_api: FakeTelegram, content_dir: Path, marks: Marks
) -> None:
    async with virtual_sender(
        fake_api, content_dir, marks, group_rate=5.0, group_burst=1, global_rate=2.0
    ) as (sender, times):
        await sender.send(UserRef("telegram", "-100500"), [Reply("a"), Reply("b")])
        for chat in (11, 12, 13):
            await sender.send(UserRef("telegram", str(chat)), [Reply("hi")])
    assert times[1] - times[0] >= 0.2 - 1e-9  # two messages to a group at 5/s
    # two a second for the whole bot: no second holds a third
    assert all(c - a >= 1.0 - 1e-9 for a, c in zip(times, times[2:], strict=False))
    assert len(fake_api.sent()) == 5


async def test_403_marks_unreachable_once_and_stops_the_batch(
    sender: TelegramSender, fake_api: FakeTelegram, marks: Marks
) -> None:
    fake_api.block(CHAT)
    await sender.send(TO, [Reply("one"), Reply("two")])
    await sender.send(TO, [Reply("three")])
    assert [c.status for c in fake_api.of("sendMessage")] == [403]
    assert marks.unreachable == [TO]
    assert sender.reachable_again(TO) and not sender.reachable_again(TO)


async def test_chat_not_found_is_unreachable_other_400s_skip_one_message(
    sender: TelegramSender, fake_api: FakeTelegram, marks: Marks
) -> None:
    fake_api.fail(
        "sendMessage", CHAT, status=400, description="Bad Request: can't parse entities: x"
    )
    await sender.send(TO, [Reply("one"), Reply("two")])
    assert [c.status for c in fake_api.of("sendMessage")] == [400, 200] and marks.unreachable == []
    fake_api.fail("sendMessage", 7, status=400, description="Bad Request: chat not found")
    await sender.send(UserRef("telegram", "7"), [Reply("x"), Reply("y")])
    assert marks.unreachable == [UserRef("telegram", "7")]


async def test_server_errors_are_retried_then_given_up(
    make_sender: Any, fake_api: FakeTelegram
) -> None:
    sender = make_sender(max_attempts=2)
    fake_api.fail("sendMessage", CHAT, status=500, description="Internal Server Error", times=1)
    await sender.send(TO, [Reply("one")])
    assert [c.status for c in fake_api.of("sendMessage")] == [500, 200]
    fake_api.fail("sendMessage", CHAT, status=429, retry_after=1, times=5)
    await sender.send(TO, [Reply("two")])
    assert [c.status for c in fake_api.of("sendMessage")][2:] == [429, 429]


async def test_only_telegram_users(sender: TelegramSender) -> None:
    with pytest.raises(ValueError, match="web"):
        await sender.send(UserRef("web", "abc"), [Reply("x")])


async def test_a_text_send_needs_only_the_message_id_back(
    sender: TelegramSender, fake_api: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer to sendMessage is not parsed into a whole Message (see methods.py): a field
    aiogram's Message would refuse does not turn a delivered message into an error."""
    monkeypatch.setattr(
        fake_api, "_m_sendMessage", lambda params, files: {"message_id": 7, "chat": "?"}
    )
    buttons = ((Button.callback("Next", "tip"),),)
    await sender.send(TO, [Reply("Hello <you>", buttons=buttons)])
    (call,) = fake_api.sent(CHAT)
    assert call.status == 200 and call.text == "Hello &lt;you&gt;"
    assert call.params["parse_mode"] == "HTML" and call.callbacks() == ["tip"]
    assert call.params["link_preview_options"] == {"is_disabled": True}


async def test_calls_go_as_json_and_uploads_as_multipart(
    sender: TelegramSender, fake_api: FakeTelegram
) -> None:
    text = "Trẻ em có quyền được bảo vệ & <an toàn> 🙂"
    reply = Reply(
        text,
        media=(Media(MediaKind.IMAGE, "media/pic.png"),),
        buttons=((Button.callback("Tiếp", "tip"),),),
    )
    await sender.send(TO, [reply])
    photo, message = fake_api.sent(CHAT)
    assert photo.content_type == "multipart/form-data" and photo.files
    assert message.content_type == "application/json"
    assert message.text == "Trẻ em có quyền được bảo vệ &amp; &lt;an toàn&gt; 🙂"
    assert message.keyboard == [[{"text": "Tiếp", "callback_data": "tip"}]]


async def test_a_429_is_waited_out_and_every_message_still_goes(
    make_sender: Any, fake_api: FakeTelegram
) -> None:
    """The server allows 3 a second; a sender configured for more is told 429 and waits."""
    fake_api.limit(3)
    sender = make_sender(global_rate=50.0, max_attempts=10)
    envelopes = [
        Envelope(i, UserRef("telegram", str(100 + i)), (Reply(f"m{i}"),), 1, "campaign", 9)
        for i in range(6)
    ]
    results = await asyncio.gather(*(sender.deliver(e) for e in envelopes))
    assert all(r.result is Result.SENT and r.ref for r in results)
    assert fake_api.too_many >= 1  # it did hit the limit, and went on after retry_after
    assert sorted(c.chat_id for c in fake_api.sent() if c.chat_id) == list(range(100, 106))


async def test_paid_broadcasts_say_so_and_replies_do_not(
    make_sender: Any, fake_api: FakeTelegram
) -> None:
    sender = make_sender(paid_broadcast=True)
    await sender.deliver(Envelope(1, TO, (Reply("campaign"),), 1, "campaign", 9))
    await sender.send(TO, [Reply("a reply")])
    first, second = fake_api.sent(CHAT)
    assert first.params.get("allow_paid_broadcast") is True
    assert "allow_paid_broadcast" not in second.params
