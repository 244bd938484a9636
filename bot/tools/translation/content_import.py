"""Merge a translated content pack back as **draft** content an editor must approve.

An article is written only when its title, summary and every paragraph are translated (fuzzy
entries do not count); it goes to ``content/articles/<topic>/<id>.<lang>.md`` with
``review: {level: draft}`` and ``translation_of: {lang: vi, hash: <the hash in the pack>}``, so
``mangnon content check`` reports it stale if the Vietnamese changed meanwhile. Tips go to
``content/tips/<group>.<lang>.yaml``, also as draft. Topic names are printed for an editor to add
to ``content/topics.yaml`` (they are served as soon as they are there).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog, Message
from pydantic import ValidationError

from bot.core.languages import SOURCE_LANG
from bot.core.library import Article, Library, Tip
from bot.core.library.model import Cited
from bot.core.library.schema import FrontMatter, ReviewLevel, TipFile
from bot.core.library.snippets import is_include
from bot.tools.translation.keys import ContentKey, parse
from bot.tools.translation.pack import paragraphs


@dataclass
class ContentReport:
    lang: str
    written: list[Path] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    incomplete: dict[str, str] = field(default_factory=dict)  # article id → "3/7 strings"
    invalid: dict[str, str] = field(default_factory=dict)  # article or tip id → why
    unknown: list[str] = field(default_factory=list)  # ids no longer in the library
    stale: list[str] = field(default_factory=list)  # translated from an older Vietnamese version
    replaced_approved: list[Path] = field(default_factory=list)
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # kind → id → name


def _text(message: Message) -> str:
    value = message.string
    if isinstance(value, tuple | list):
        value = value[0] if value else ""
    return (value or "").strip() if not message.fuzzy else ""


def _entries(catalog: Catalog) -> list[tuple[ContentKey, Message]]:
    return [(key, m) for m in catalog if m.id and (key := parse(m.context)) is not None]


def import_content(
    catalog: Catalog, lang: str, library: Library, content_dir: Path
) -> ContentReport:
    report = ContentReport(lang)
    articles: dict[str, dict[str, tuple[ContentKey, str]]] = defaultdict(dict)
    tips: dict[str, dict[str, str]] = defaultdict(dict)
    for key, message in _entries(catalog):
        text = _text(message)
        if key.kind == "article":
            articles[key.id][key.field] = (key, text)
        elif key.kind == "tip":
            tips[key.field][key.id] = text
        elif text:
            report.names.setdefault(key.kind, {})[key.id] = text
    for article_id, fields in sorted(articles.items()):
        _import_article(article_id, fields, lang, library, content_dir, report)
    for group, texts in sorted(tips.items()):
        _import_tips(group, texts, lang, library, content_dir, report)
    return report


# ---- articles -----------------------------------------------------------------------------------


def _import_article(
    article_id: str,
    fields: dict[str, tuple[ContentKey, str]],
    lang: str,
    library: Library,
    content_dir: Path,
    report: ContentReport,
) -> None:
    source = library.articles.get((article_id, SOURCE_LANG))
    if source is None:
        report.unknown.append(article_id)
        return
    done = sum(1 for _key, text in fields.values() if text)
    if done < len(fields) or "title" not in fields or "summary" not in fields:
        if done:
            report.incomplete[article_id] = f"{done}/{len(fields)} strings translated"
        return
    body = _body(source, {k.paragraph: t for k, t in fields.values() if k.paragraph is not None})
    if body is None:
        report.invalid[article_id] = "the body's paragraphs are not all in the file"
        return
    source_hash = fields["title"][0].hash
    if source_hash != source.hash:
        report.stale.append(article_id)
    meta = _front_matter(source, lang, fields["title"][1], fields["summary"][1], source_hash)
    try:
        FrontMatter.model_validate(meta)
    except ValidationError as exc:
        report.invalid[article_id] = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return
    path = content_dir / "articles" / source.topic / f"{article_id}.{lang}.md"
    existing = library.articles.get((article_id, lang))
    if existing is not None and _same(existing, meta, body):
        report.unchanged.append(article_id)
        return
    if existing is not None and existing.review.level is not ReviewLevel.DRAFT:
        report.replaced_approved.append(path)
    _write_article(path, meta, body)
    report.written.append(path)


def _body(source: Article, translated: dict[int, str]) -> str | None:
    """The translated paragraphs in the source's order; a ``{{snippet: id}}`` line (not in the
    pack) stays where the source has it. None when a paragraph is missing."""
    parts = []
    for n, paragraph in enumerate(paragraphs(source.written_body), start=1):
        if is_include(paragraph):
            parts.append(paragraph)
        elif n in translated:
            parts.append(translated[n])
        else:
            return None
    return "\n\n".join(parts) if translated else None


def _front_matter(
    source: Article, lang: str, title: str, summary: str, source_hash: str
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "id": source.id,
        "lang": lang,
        "topic": source.topic,
        "audiences": list(source.audiences),
        "age_bands": list(source.age_bands),
        "title": title,
        "summary": summary,
        "sources": [_ref(c) for c in source.sources],
        "review": {"level": "draft"},
        "translation_of": {"lang": SOURCE_LANG, "hash": source_hash},
    }
    if source.related:
        meta["related"] = list(source.related)
    media = [m.model_dump(exclude_defaults=True) for m in source.media if m.lang in (None, lang)]
    if media:
        meta["media"] = media
    return meta


def _same(existing: Article, meta: dict[str, Any], body: str) -> bool:
    return (
        existing.title == meta["title"]
        and existing.summary == meta["summary"]
        and existing.written_body.strip() == body.strip()
        and existing.translation_of is not None
        and existing.translation_of.hash == meta["translation_of"]["hash"]
    )


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _write_article(path: Path, meta: dict[str, Any], body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Imported from a translator pack: an editor must review it and raise review.level.\n"
    path.write_text(f"---\n{header}{_dump(meta)}---\n{body.strip()}\n", encoding="utf-8")


# ---- tips ---------------------------------------------------------------------------------------


def _import_tips(
    group: str,
    texts: dict[str, str],
    lang: str,
    library: Library,
    content_dir: Path,
    report: ContentReport,
) -> None:
    sources = {t.id: t for t in library.tips if t.lang == SOURCE_LANG}
    path = content_dir / "tips" / f"{group}.{lang}.yaml"
    current: dict[str, Tip] = {t.id: t for t in library.tips if t.lang == lang and t.path == path}
    entries: dict[str, dict[str, Any]] = {
        tip_id: _tip_entry(tip) for tip_id, tip in current.items()
    }
    changed = False
    for tip_id, text in texts.items():
        source = sources.get(tip_id)
        if source is None:
            report.unknown.append(tip_id)
            continue
        if not text or (tip_id in current and current[tip_id].text == text):
            continue
        entries[tip_id] = {**_tip_entry(source), "text": text}
        changed = True
    if not changed:
        return
    order = [
        t.id for t in library.tips if t.lang == SOURCE_LANG and t.path.name.startswith(group + ".")
    ]
    data = {
        "review": {"level": "draft"},
        "tips": [entries[i] for i in order if i in entries]
        + [e for i, e in entries.items() if i not in order],
    }
    try:
        TipFile.model_validate(data)
    except ValidationError as exc:
        report.invalid[f"tips {group}"] = str(exc)
        return
    if any(t.review.level is not ReviewLevel.DRAFT for t in current.values()):
        report.replaced_approved.append(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Safety tips ({lang}), imported from a translator pack: an editor must approve them.\n"
    )
    path.write_text(header + _dump(data), encoding="utf-8")
    report.written.append(path)


def _tip_entry(tip: Tip) -> dict[str, Any]:
    return {
        "id": tip.id,
        "topic": tip.topic,
        "audiences": list(tip.audiences),
        "age_bands": list(tip.age_bands),
        "text": tip.text,
        "sources": [_ref(c) for c in tip.sources],
    }


def _ref(cited: Cited) -> str | dict[str, str]:
    return {"id": cited.source.id, "at": cited.at} if cited.at else cited.source.id
