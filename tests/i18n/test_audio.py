"""Recordings in the user's own language come first: many readers of minority languages listen."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.core.messages import MediaKind
from tests.i18n.conftest import CONTENT, ChatFactory, add_partial, build_services, copy_locales

TOPICS = """\
pillars:
  - id: injury
    icon: "🩹"
    name: {vi: "Phòng chống tai nạn thương tích", en: "Preventing injuries"}
    topics:
      - id: drowning-prevention
        name: {vi: "Phòng chống đuối nước", en: "Preventing drowning"}
"""

ARTICLE = """\
---
id: drowning-prevention
lang: vi
topic: drowning-prevention
audiences: [parents]
age_bands: [all]
title: "Phòng chống đuối nước cho trẻ"
summary: "Luôn trông trẻ khi ở gần nước."
sources: [who-drowning]
review: {level: internal, reviewer: "Nhóm biên tập Măng Non", reviewed_on: 2026-11-29, next_review: 2027-11-29}
media:
  - {type: image, file: "media/all/pond.jpg"}
  - {type: audio, file: "media/vi/drowning.ogg", lang: vi}
  - {type: audio, file: "media/bru/drowning.ogg", lang: bru}
---
Đậy kín giếng, lu và bể nước.
"""


def _content(root: Path) -> Path:
    (root / "articles" / "drowning-prevention").mkdir(parents=True)
    (root / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    shutil.copy(CONTENT / "sources.yaml", root / "sources.yaml")
    (root / "articles" / "drowning-prevention" / "drowning-prevention.vi.md").write_text(
        ARTICLE, encoding="utf-8"
    )
    for file in ("all/pond.jpg", "vi/drowning.ogg", "bru/drowning.ogg"):
        (root / "media" / file).parent.mkdir(parents=True, exist_ok=True)
        (root / "media" / file).write_bytes(b"stand-in")
    return root


async def test_audio_in_the_users_language_comes_first(
    tmp_path: Path, make_chat: ChatFactory
) -> None:
    locales = copy_locales(tmp_path / "locales")
    add_partial(locales, "bru", ["📚 Topics"])
    services = build_services(locales, _content(tmp_path / "content"), beta=True)
    assert not services.content.library.problems

    bru = make_chat(services)
    await bru.send("/start")
    await bru.press("lang:bru")
    await bru.tap("art:drowning-prevention")
    media = bru.last[0].media
    assert [(m.kind, m.path) for m in media] == [
        (MediaKind.AUDIO, "media/bru/drowning.ogg"),  # the Bru recording, although the text is vi
        (MediaKind.IMAGE, "media/all/pond.jpg"),
    ]

    vi = make_chat(services)
    vi.user = type(vi.user)("test", "vi-reader")
    await vi.send("/start")
    await vi.press("lang:vi")
    await vi.tap("art:drowning-prevention")
    assert [m.path for m in vi.last[0].media] == ["media/vi/drowning.ogg", "media/all/pond.jpg"]
