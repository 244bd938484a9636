"""``mangnon i18n``: catalogs (extract, update, compile, init, check), translator packs, coverage."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog

from bot.config import load_settings
from bot.core.i18n import Catalogs, read_catalog
from bot.core.languages import INTERFACE_SOURCE, Language, LanguageRegistry
from bot.core.library import Library
from bot.tools.translation import catalogs as po
from bot.tools.translation import check, pybabel
from bot.tools.translation.content_import import ContentReport, import_content
from bot.tools.translation.keys import parse
from bot.tools.translation.pack import CONTENT_PROJECT, export_pack
from bot.tools.translation.status import language_status, table

SOURCE_DIR = Path(__file__).resolve().parent.parent  # the bot package


def register(commands: Any) -> None:
    i18n = commands.add_parser("i18n", help="translations: catalogs, translator packs, coverage")
    sub = i18n.add_subparsers(dest="i18n_command", required=True, metavar="ACTION")
    sub.add_parser(
        "extract", help="collect the interface strings into locales/messages.pot"
    ).set_defaults(func=_extract)
    update = sub.add_parser("update", help="merge messages.pot into every language's catalog")
    update.add_argument("--lang", action="append", help="only this language (repeatable)")
    update.set_defaults(func=_update)
    compile_ = sub.add_parser("compile", help="build .mo files (the bot itself compiles in memory)")
    compile_.add_argument("--lang", action="append", help="only this language (repeatable)")
    compile_.set_defaults(func=_compile)
    init = sub.add_parser("init", help="create the catalog of a registered language (CLDR or not)")
    init.add_argument("lang", help="a code from locales/languages.yaml")
    init.add_argument("--force", action="store_true", help="start the catalog again, empty")
    init.set_defaults(func=_init)
    check_ = sub.add_parser("check", help="fail if catalogs lag the code or vi/en are incomplete")
    check_.set_defaults(func=_check)
    export = sub.add_parser("export", help="write a translator pack (interface and content PO)")
    export.add_argument("--lang", required=True, help="the language to translate into")
    export.add_argument("--out", type=Path, help="directory (default var/translation/<lang>)")
    export.set_defaults(func=_export)
    import_ = sub.add_parser("import", help="merge translated pack files back (content as draft)")
    import_.add_argument("files", nargs="+", type=Path, metavar="FILE")
    import_.add_argument("--lang", help="override the language given in the file's header")
    import_.set_defaults(func=_import)
    status = sub.add_parser("status", help="per-language coverage of interface and content")
    status.add_argument("--json", action="store_true", help="one JSON document")
    status.set_defaults(func=_status)


def _paths() -> tuple[Path, Path]:
    settings = load_settings()
    return settings.locales_dir, settings.content_dir


def _registry(locales_dir: Path) -> LanguageRegistry:
    return LanguageRegistry.load(locales_dir / "languages.yaml")


def _fail(message: str, code: int = 1) -> int:
    print(f"mangnon i18n: {message}", file=sys.stderr)
    return code


def _language(registry: LanguageRegistry, code: str) -> Language | None:
    language = registry.get(code)
    if language is None:
        _fail(
            f"{code!r} is not in locales/languages.yaml; add it there first (see docs/TRANSLATORS.md)"
        )
    return language


def _extract(args: argparse.Namespace) -> int:
    locales_dir, _content = _paths()
    try:
        changed = pybabel.extract(SOURCE_DIR, locales_dir)
    except pybabel.PybabelError as exc:
        return _fail(str(exc))
    count = sum(1 for m in read_catalog(po.template_path(locales_dir)) if m.id)
    state = "updated" if changed else "unchanged"
    print(f"{po.template_path(locales_dir)}: {count} strings ({state})")
    return 0


def _catalog_langs(locales_dir: Path, wanted: list[str] | None) -> list[str]:
    registry = _registry(locales_dir)
    codes = wanted or [lang.code for lang in registry.real]
    return [c for c in codes if po.po_path(locales_dir, c).is_file()]


def _update(args: argparse.Namespace) -> int:
    locales_dir, _content = _paths()
    if not po.template_path(locales_dir).is_file():
        return _fail("no locales/messages.pot: run `mangnon i18n extract` first")
    langs = _catalog_langs(locales_dir, args.lang)
    try:
        pybabel.update(locales_dir, langs)
    except pybabel.PybabelError as exc:
        return _fail(str(exc))
    if INTERFACE_SOURCE in langs:
        filled = po.fill_from_source(po.po_path(locales_dir, INTERFACE_SOURCE))
        if filled:
            print(
                f"{po.po_path(locales_dir, INTERFACE_SOURCE)}: {filled} new English strings copied from the source"
            )
    catalogs = Catalogs.load(locales_dir)
    for lang in langs:
        missing = len(catalogs.missing(lang))
        print(
            f"{po.po_path(locales_dir, lang)}: {catalogs.coverage(lang):.0%} translated, {missing} to do"
        )
    return 0


def _compile(args: argparse.Namespace) -> int:
    locales_dir, _content = _paths()
    langs = _catalog_langs(locales_dir, args.lang)
    try:
        pybabel.compile_mo(locales_dir, langs)
    except pybabel.PybabelError as exc:
        return _fail(str(exc))
    print(f"compiled {len(langs)} catalogs: {', '.join(langs)}")
    return 0


def _init(args: argparse.Namespace) -> int:
    locales_dir, _content = _paths()
    language = _language(_registry(locales_dir), args.lang)
    if language is None:
        return 1
    try:
        path = po.init_catalog(locales_dir, language, force=args.force)
    except (FileExistsError, FileNotFoundError) as exc:
        return _fail(str(exc))
    print(f"{path}: created ({language.name_en}, {language.plural_forms})")
    return 0


def _check(args: argparse.Namespace) -> int:
    locales_dir, _content = _paths()
    found = check.problems(locales_dir, SOURCE_DIR, _registry(locales_dir))
    for problem in found:
        print(problem)
    if found:
        print(f"{len(found)} catalog problems; see docs/TRANSLATORS.md", file=sys.stderr)
        return 1
    print("catalogs are up to date; vi and en are complete")
    return 0


def _export(args: argparse.Namespace) -> int:
    locales_dir, content_dir = _paths()
    language = _language(_registry(locales_dir), args.lang)
    if language is None:
        return 1
    if language.pseudo or language.code == "vi":
        return _fail(f"{language.code} is not translated by translators")
    out = args.out or Path("var") / "translation" / language.code
    try:
        pack = export_pack(locales_dir, Library.load(content_dir), language, out, date.today())
    except FileNotFoundError as exc:
        return _fail(str(exc))
    print(f"{pack.interface}: {pack.interface_strings} interface strings")
    print(f"{pack.content}: {pack.content_strings} content strings (names, articles, tips)")
    print(f"{pack.readme}: instructions for the translator")
    return 0


def _is_content(catalog: Catalog) -> bool:
    if catalog.project == CONTENT_PROJECT:
        return True
    return any(parse(m.context) is not None for m in catalog if m.id)


def _import(args: argparse.Namespace) -> int:
    locales_dir, content_dir = _paths()
    registry = _registry(locales_dir)
    status = 0
    for path in args.files:
        try:
            catalog = read_catalog(path)
        except Exception as exc:  # a PO file broken in transit
            status = _fail(f"{path}: not a readable PO file: {exc}")
            continue
        code = args.lang or catalog.locale_identifier
        language = _language(registry, code) if code else None
        if language is None or language.pseudo or language.code == "vi":
            status = _fail(f"{path}: give the language with --lang (header says {code!r})")
            continue
        if _is_content(catalog):
            report = import_content(catalog, language.code, Library.load(content_dir), content_dir)
            _print_content(path, report)
            status = status or (1 if report.invalid else 0)
        else:
            status = _import_interface(path, catalog, language, locales_dir) or status
    return status


def _import_interface(path: Path, incoming: Catalog, language: Language, locales_dir: Path) -> int:
    target_path = po.po_path(locales_dir, language.code)
    try:
        if not target_path.is_file():
            po.init_catalog(locales_dir, language)
        target = read_catalog(target_path)
    except FileNotFoundError as exc:
        return _fail(str(exc))
    report = po.merge_translations(target, incoming, language.code)
    po.write_catalog(target_path, target)
    print(
        f"{path} → {target_path}: {report.added} new, {report.changed} changed, "
        f"{report.unchanged} unchanged, {report.untranslated} untranslated or fuzzy"
    )
    for key in report.rejected:
        print(f"  rejected (placeholders differ from the source): {key!r}")
    for key in report.unknown:
        print(f"  ignored (no longer used by the bot): {key!r}")
    return 1 if report.rejected else 0


def _print_content(path: Path, report: ContentReport) -> None:
    print(
        f"{path}: {len(report.written)} files written as draft, {len(report.unchanged)} unchanged"
    )
    for written in report.written:
        print(f"  draft: {written}")
    for replaced in report.replaced_approved:
        print(f"  note: {replaced} was reviewed; it is a draft again and not served until reviewed")
    for article_id in report.stale:
        print(f"  stale: {article_id} was translated from an older Vietnamese version")
    for article_id, why in report.incomplete.items():
        print(f"  skipped, incomplete: {article_id} ({why})")
    for item, why in report.invalid.items():
        print(f"  skipped, invalid: {item}: {why}")
    for item in report.unknown:
        print(f"  ignored, no longer in the library: {item}")
    if report.names:
        print(
            "  names to review and add to content/topics.yaml (name: {..., "
            + report.lang
            + ": ...}):"
        )
        for kind, names in report.names.items():
            for item, name in names.items():
                print(f"    {kind} {item}: {json.dumps(name, ensure_ascii=False)}")
    print(
        "  next: an editor reviews each draft, sets review: {level: internal, reviewer: ..., "
        "reviewed_on: ..., next_review: ...},"
    )
    print("  then runs `mangnon content check`")


def _status(args: argparse.Namespace) -> int:
    settings = load_settings()
    registry = _registry(settings.locales_dir)
    catalogs = Catalogs.load(settings.locales_dir, settings.default_locale, registry.chains())
    rows = language_status(
        registry,
        catalogs,
        Library.load(settings.content_dir, fallbacks=registry.fallbacks),
        date.today(),
        settings.lang_min_coverage,
        beta=settings.lang_beta,
        default_locale=settings.default_locale,
    )
    if args.json:
        print(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=2))
    else:
        print(table(rows))
        print(
            f"picker: languages at or above LANG_MIN_COVERAGE={settings.lang_min_coverage:.0%} "
            "of the interface are offered"
        )
    return 0
