"""The translator pack for one language: two PO files any translation tool opens (Poedit, Weblate…).

* ``<lang>-interface.po`` — the bot's buttons and messages. The msgid is the English source; the
  Vietnamese text is shown beside it as a translator comment, since most translators of Viet Nam's
  minority languages work from Vietnamese.
* ``<lang>-content.po`` — topic names, then every approved article (title, summary, body paragraph
  by paragraph), then the tips. The msgid is the Vietnamese source; English is beside it when it
  exists. Earlier translations are filled in, marked fuzzy when the Vietnamese changed since.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.catalog import Catalog

from bot.core.i18n import message_key, read_catalog
from bot.core.languages import SOURCE_LANG, Language
from bot.core.library import Article, Library, Tip
from bot.core.library.snippets import is_include
from bot.tools.translation.catalogs import (
    new_catalog,
    po_path,
    read_template,
    write_catalog,
)
from bot.tools.translation.keys import ContentKey, article_key, tip_key
from bot.tools.translation.pybabel import PROJECT

INTERFACE_PROJECT = f"{PROJECT} interface"
CONTENT_PROJECT = f"{PROJECT} content"
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_MARKDOWN = re.compile(r"^\s*(#|[-*] |\d+\. )|\*\*", re.MULTILINE)


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in _PARAGRAPH_BREAK.split(body.strip()) if p.strip()]


@dataclass(frozen=True)
class Pack:
    interface: Path
    content: Path
    readme: Path
    interface_strings: int
    content_strings: int


# ---- interface ----------------------------------------------------------------------------------


def interface_catalog(locales_dir: Path, language: Language) -> Catalog:
    """The language's catalog brought up to the template, with the Vietnamese beside each string."""
    template = read_template(locales_dir)
    path = po_path(locales_dir, language.code)
    catalog = read_catalog(path) if path.is_file() else new_catalog(language, template)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.project = INTERFACE_PROJECT
    catalog.mime_headers = [("Plural-Forms", language.plural_forms)]
    vi_path = po_path(locales_dir, SOURCE_LANG)
    vietnamese = (
        {message_key(m): m.string for m in read_catalog(vi_path) if m.id}
        if vi_path.is_file()
        else {}
    )
    for message in catalog:
        if not message.id:
            continue
        vi = vietnamese.get(message_key(message))
        texts = [s for s in (vi if isinstance(vi, tuple | list) else (vi,)) if s]
        message.auto_comments = [
            *(c for c in message.auto_comments if not c.startswith("Tiếng Việt:")),
            *(f"Tiếng Việt: {text}" for text in texts),
        ]
    return catalog


# ---- content ------------------------------------------------------------------------------------


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return path.name


class _ContentBuilder:
    def __init__(self, library: Library, language: Language) -> None:
        self.library = library
        self.lang = language.code
        self.catalog = new_catalog(language, Catalog(), project=CONTENT_PROJECT)

    def add(
        self,
        key: ContentKey,
        source: str,
        comments: list[str],
        where: str,
        previous: str = "",
        stale: bool = False,
    ) -> None:
        flags = {"fuzzy"} if previous and stale else set()
        self.catalog.add(
            source,
            previous,
            locations=[(where, 0)],
            auto_comments=comments,
            flags=flags,
            context=key.context,
        )

    def names(self) -> None:
        for pillar in self.library.pillars:
            where = "content/topics.yaml"
            self.add(
                ContentKey("pillar", pillar.id),
                pillar.names.get(SOURCE_LANG, pillar.id),
                [f"Name of a subject (pillar) {pillar.id}", *self._english(pillar.names)],
                where,
                pillar.names.get(self.lang, ""),
            )
            for topic_id in pillar.topics:
                topic = self.library.topics[topic_id]
                self.add(
                    ContentKey("topic", topic_id),
                    topic.names.get(SOURCE_LANG, topic_id),
                    [f"Name of a topic {topic_id}", *self._english(topic.names)],
                    where,
                    topic.names.get(self.lang, ""),
                )

    @staticmethod
    def _english(names: dict[str, str]) -> list[str]:
        return [f"English: {names['en']}"] if "en" in names else []

    def article(self, source: Article) -> None:
        english = self.library.articles.get((source.id, "en"))
        previous = self.library.articles.get((source.id, self.lang))
        stale = bool(
            previous
            and (previous.translation_of is None or previous.translation_of.hash != source.hash)
        )
        where = _relative(source.path, self.library.root)
        about = f"Article {source.id} (topic {source.topic}, for {', '.join(source.audiences)})"
        for field in ("title", "summary"):
            self.add(
                article_key(source.id, field, source.hash),
                getattr(source, field),
                [
                    f"{about}: {field}",
                    *([f"English: {getattr(english, field)}"] if english else []),
                ],
                where,
                getattr(previous, field) if previous else "",
                stale,
            )
        # as written, so the numbering matches the source file's paragraphs
        body = paragraphs(source.written_body)
        english_body = paragraphs(english.written_body) if english else []
        previous_body = paragraphs(previous.written_body) if previous else []
        for n, paragraph in enumerate(body, start=1):
            if is_include(paragraph):  # a shared snippet: translated once, on its own
                continue
            comments = [f"{about}: paragraph {n} of {len(body)}"]
            if _MARKDOWN.search(paragraph):
                comments.append("Keep the Markdown marks (#, -, 1., **) where they are.")
            if len(english_body) == len(body):
                comments.append(f"English: {english_body[n - 1]}")
            self.add(
                article_key(source.id, f"body.{n}", source.hash),
                paragraph,
                comments,
                where,
                previous_body[n - 1] if len(previous_body) == len(body) else "",
                stale,
            )

    def tips(self, today: date) -> None:
        theirs = {t.id: t for t in self.library.tips if t.lang == self.lang}
        english = {t.id: t for t in self.library.tips if t.lang == "en"}
        for tip in sorted(_source_tips(self.library, today), key=lambda t: (t.path.name, t.id)):
            group = tip.path.name.split(".")[0]
            previous = theirs.get(tip.id)
            self.add(
                tip_key(group, tip.id),
                tip.text,
                [
                    f"Safety tip {tip.id} (topic {tip.topic}, for {', '.join(tip.audiences)})",
                    *([f"English: {english[tip.id].text}"] if tip.id in english else []),
                ],
                _relative(tip.path, self.library.root),
                previous.text if previous else "",
            )


def _source_tips(library: Library, today: date) -> list[Tip]:
    return [
        t for t in library.tips if t.lang == SOURCE_LANG and t.servable(today, library.min_level)
    ]


def source_articles(library: Library, today: date) -> list[Article]:
    """The Vietnamese articles a translator should translate: the ones served, not expired."""
    return sorted(
        (a for a in library.servable(today) if a.lang == SOURCE_LANG),
        key=lambda a: (a.topic, a.id),
    )


def content_catalog(library: Library, language: Language, today: date) -> Catalog:
    builder = _ContentBuilder(library, language)
    builder.names()
    for article in source_articles(library, today):
        builder.article(article)
    builder.tips(today)
    return builder.catalog


# ---- the pack -----------------------------------------------------------------------------------

README = """\
Măng Non — gói dịch / translation pack: {name_vi} ({code})
Created {created}.

VI  Bạn hãy mở hai tệp .po bằng Poedit (miễn phí) hoặc công cụ dịch quen dùng.
    - {code}-interface.po: các nút và tin nhắn của bot. Dòng "Tiếng Việt:" là bản tiếng Việt.
    - {code}-content.po: tên chủ đề, bài viết (tiêu đề, tóm tắt, từng đoạn) và mẹo an toàn.
    Giữ nguyên các dấu {{...}} (ví dụ {{sources}}), biểu tượng cảm xúc và số điện thoại (111).
    Ô có dấu "fuzzy" là bản dịch cũ của một câu tiếng Việt đã đổi: hãy xem lại rồi bỏ dấu.
    Dịch xong, gửi lại hai tệp cho nhóm Măng Non. Bài viết sẽ được biên tập viên duyệt trước
    khi gửi đến người dùng.

EN  Open both .po files with Poedit (free) or your usual translation tool.
    Keep {{...}} placeholders, emoji and phone numbers exactly. "Fuzzy" entries are earlier
    translations of text that changed: check them, then clear the flag. Send both files back;
    articles are reviewed by an editor before users see them.
"""


def export_pack(
    locales_dir: Path, library: Library, language: Language, out_dir: Path, today: date
) -> Pack:
    out_dir.mkdir(parents=True, exist_ok=True)
    interface = interface_catalog(locales_dir, language)
    content = content_catalog(library, language, today)
    interface_path = out_dir / f"{language.code}-interface.po"
    content_path = out_dir / f"{language.code}-content.po"
    readme_path = out_dir / "README.txt"
    write_catalog(interface_path, interface)
    write_catalog(content_path, content)
    created = datetime.now(UTC).strftime("%Y-%m-%d")
    readme_path.write_text(
        README.format(name_vi=language.name_vi, code=language.code, created=created),
        encoding="utf-8",
    )
    return Pack(
        interface_path,
        content_path,
        readme_path,
        sum(1 for m in interface if m.id),
        sum(1 for m in content if m.id),
    )
