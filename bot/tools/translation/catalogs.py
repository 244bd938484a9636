"""Interface catalogs on disk: create one for any registered language, merge a translator's work.

``pybabel init`` needs CLDR data, which most of Viet Nam's minority languages lack; here the header
(``Language``, ``Plural-Forms``) comes from the language registry instead, so ``bru`` works like
``vi``. Once created, ``pybabel update`` and ``compile`` handle the catalog normally.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import write_po

from bot.core.i18n import (
    DOMAIN,
    TEMPLATE,
    is_translated,
    message_key,
    placeholders,
    read_catalog,
)
from bot.core.languages import Language
from bot.tools.translation.pybabel import PROJECT

WIDTH = 76


def po_path(locales_dir: Path, lang: str) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def template_path(locales_dir: Path) -> Path:
    return locales_dir / TEMPLATE


def read_template(locales_dir: Path) -> Catalog:
    path = template_path(locales_dir)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `mangnon i18n extract` first")
    return read_catalog(path)


def write_catalog(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=WIDTH)


def new_catalog(language: Language, template: Catalog, project: str = PROJECT) -> Catalog:
    """An empty catalog for a language, its header written from the registry."""
    catalog = Catalog(
        locale=language.code,
        domain=DOMAIN,
        project=project,
        version="1",
        copyright_holder="Măng Non contributors",
        creation_date=template.creation_date,
        revision_date=datetime.now(UTC),
        language_team=f"{language.name_en} <{language.code}>",
        fuzzy=False,
    )
    catalog.header_comment = (
        f"# {language.name_en} ({language.code}) translations for {project}.\n"
        f"# {language.name_vi}. Translators: see docs/TRANSLATORS.md.\n"
        "# This file is distributed under the same license as the project."
    )
    # explicit, so it is written even when CLDR does not know the language
    catalog.mime_headers = [("Plural-Forms", language.plural_forms)]
    for message in template:
        if message.id:
            catalog[message.id] = _blank(message)
    return catalog


def _blank(message: Message) -> Message:
    blank = copy.copy(message)
    blank.string = ("",) * len(message.id) if isinstance(message.id, tuple | list) else ""
    blank.flags = {f for f in message.flags if f != "fuzzy"}
    return blank


def init_catalog(locales_dir: Path, language: Language, force: bool = False) -> Path:
    """Create ``locales/<code>/LC_MESSAGES/messages.po`` from the template."""
    path = po_path(locales_dir, language.code)
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists (use --force to start it again)")
    write_catalog(path, new_catalog(language, read_template(locales_dir)))
    return path


@dataclass
class MergeReport:
    lang: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    untranslated: int = 0
    unknown: list[str] = field(default_factory=list)  # msgids the bot no longer uses
    rejected: list[str] = field(default_factory=list)  # placeholders changed


def merge_translations(target: Catalog, incoming: Catalog, lang: str) -> MergeReport:
    """Copy each finished translation from ``incoming`` into ``target`` (same msgids only)."""
    report = MergeReport(lang)
    by_key = {message_key(m): m for m in target if m.id}
    for message in incoming:
        if not message.id:
            continue
        key = message_key(message)
        mine = by_key.get(key)
        if mine is None:
            if message.string and any(message.string):
                report.unknown.append(key)
            continue
        if not message.string or message.fuzzy or not any(_strings(message)):
            report.untranslated += 1
            continue
        if not is_translated(message) or _drops_placeholder(message):
            report.rejected.append(key)
            continue
        plural = isinstance(mine.id, tuple | list)
        strings = _fit(_strings(message), target.num_plurals if plural else 1)
        if _fit(_strings(mine), len(strings)) == strings and not mine.fuzzy:
            report.unchanged += 1
            continue
        if any(_strings(mine)) and not mine.fuzzy:
            report.changed += 1
        else:
            report.added += 1
        mine.string = strings if plural else strings[0]
        mine.flags.discard("fuzzy")
    return report


def _drops_placeholder(message: Message) -> bool:
    if isinstance(message.id, tuple | list):
        return False
    return placeholders(_strings(message)[0]) != placeholders(message.id)


def _strings(message: Message) -> tuple[str, ...]:
    value = message.string
    return tuple(value) if isinstance(value, tuple | list) else (value or "",)


def _fit(strings: tuple[str, ...], count: int) -> tuple[str, ...]:
    """Plural forms in the number the target catalog expects (the last form repeats)."""
    if len(strings) >= count:
        return strings[:count]
    return strings + (strings[-1],) * (count - len(strings))


def fill_from_source(path: Path) -> int:
    """In the English catalog, give every new or changed string its msgid (English is the source).

    A copy-editor may still change the English wording there without touching the code.
    """
    catalog = read_catalog(path)
    filled = 0
    for message in catalog:
        if not message.id or (is_translated(message) and not message.fuzzy):
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        if isinstance(message.id, tuple | list):
            message.string = _fit(tuple(ids), catalog.num_plurals)
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
        message.previous_id = []
        filled += 1
    if filled:
        write_catalog(path, catalog)
    return filled
