"""The catalogs in the repository are in step with the code, and the catalog machinery works."""

from __future__ import annotations

import ast
import gettext
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from bot.cli import main
from bot.core.i18n import Catalogs, _, ngettext, read_catalog, use_locale
from bot.core.languages import LanguageRegistry
from bot.tools.translation import check
from bot.tools.translation.catalogs import po_path, write_catalog
from tests.conftest import ROOT
from tests.i18n.conftest import LOCALES, copy_locales, marked

KEYWORDS = {"_", "ngettext"}


def test_every_string_in_the_code_is_in_the_catalogs_and_translated_into_vi_and_en() -> None:
    registry = LanguageRegistry.load(LOCALES / "languages.yaml")
    problems = check.problems(LOCALES, ROOT / "bot", registry)
    assert not problems, (
        "the catalogs are behind the code. Run `mangnon i18n extract && mangnon i18n update`, "
        "translate the new strings in locales/vi/LC_MESSAGES/messages.po (docs/TRANSLATORS.md):\n"
        + "\n".join(problems)
    )


def test_translations_are_only_ever_looked_up_with_literal_strings() -> None:
    """``_(variable)`` cannot be extracted: the string would silently stay untranslated."""
    offenders = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if path.name == "i18n.py" and path.parent.name == "core":
            continue  # where _ itself is defined
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in KEYWORDS
            ):
                literal = [
                    a
                    for a in node.args[:2]
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                ]
                wanted = 2 if node.func.id == "ngettext" else 1
                if len(literal) < wanted:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"translate string literals only (use a dict of _() texts): {offenders}"


def test_vi_and_en_are_complete_and_minority_catalogs_exist_empty() -> None:
    catalogs = Catalogs.load(LOCALES)
    assert catalogs.coverage("vi") == catalogs.coverage("en") == 1.0
    registry = LanguageRegistry.load(LOCALES / "languages.yaml")
    for code in ("bru", "pac", "tth", "hnj", "blt", "km", "tyz"):
        assert catalogs.has(code), code
        header = po_path(LOCALES, code).read_text(encoding="utf-8")
        language = registry.get(code)
        assert language is not None
        assert (
            f'"Language: {code}\\n"' in header
            and f"Plural-Forms: {language.plural_forms}" in header
        )


def test_fallback_chain_runs_bru_then_vi_then_the_english_source(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path)
    catalog = read_catalog(po_path(LOCALES, "bru"))
    catalog["📚 Topics"].string = marked("bru", "📚 Topics")
    write_catalog(po_path(locales, "bru"), catalog)
    vi = read_catalog(po_path(locales, "vi"))
    vi["💡 Another tip"].string = ""  # a gap in Vietnamese too
    write_catalog(po_path(locales, "vi"), vi)
    catalogs = Catalogs.load(locales)
    assert catalogs.chain("bru") == ("bru", "vi")
    with use_locale(catalogs, "bru"):
        assert _("📚 Topics") == marked("bru", "📚 Topics")
        assert _("ℹ️ Help") == "ℹ️ Trợ giúp"
        assert _("💡 Another tip") == "💡 Another tip"
        assert ngettext("{n} tip", "{n} tips", 1) == "{n} tip"
    with use_locale(catalogs, "en"):
        assert _("ℹ️ Help") == "ℹ️ Help"
    assert _("ℹ️ Help") == "ℹ️ Help"  # outside a message: the source


def _po(tmp_path: Path, lang: str, entries: dict[str, str], fuzzy: tuple[str, ...] = ()) -> Path:
    catalog = Catalog(locale=lang)
    catalog.mime_headers = [("Plural-Forms", "nplurals=1; plural=0;")]
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr, flags={"fuzzy"} if msgid in fuzzy else set())
    path = po_path(tmp_path, lang)
    write_catalog(path, catalog)
    return path


def test_coverage_ignores_fuzzy_and_unsafe_translations(tmp_path: Path) -> None:
    _po(tmp_path, "vi", {"a": "A", "b": "B", "Sources: {sources}": "S {sources}", "d": "D"})
    _po(
        tmp_path,
        "bru",
        {"a": "x", "b": "y", "Sources: {sources}": "z {oops}", "d": ""},
        fuzzy=("b",),
    )
    catalogs = Catalogs.load(tmp_path, chains={"bru": ("vi",)})
    assert catalogs.coverage("bru") == 0.25
    assert catalogs.missing("bru") == ["Sources: {sources}", "b", "d"]
    with use_locale(catalogs, "bru"):
        assert _("Sources: {sources}") == "S {sources}"  # the unsafe one is dropped, not served
        assert _("b") == "B"  # fuzzy is not served


def test_a_broken_catalog_is_skipped_not_fatal(tmp_path: Path) -> None:
    _po(tmp_path, "vi", {"a": "A"})
    broken = po_path(tmp_path, "bru")
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b'msgid "a"\nmsgstr "\xff\n')
    catalogs = Catalogs.load(tmp_path)
    assert catalogs.has("vi")


def test_init_writes_the_header_pybabel_cannot_and_update_compile_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    locales = copy_locales(tmp_path / "locales", langs=("vi",))
    monkeypatch.setenv("LOCALES_DIR", str(locales))
    assert main(["i18n", "init", "bru"]) == 0
    text = po_path(locales, "bru").read_text(encoding="utf-8")
    assert '"Language: bru\\n"' in text and '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
    assert main(["i18n", "init", "bru"]) == 1  # never overwrites a translator's work
    assert main(["i18n", "init", "xx"]) == 1  # not registered
    assert main(["i18n", "update", "--lang", "bru"]) == 0
    assert main(["i18n", "compile", "--lang", "bru", "--lang", "vi"]) == 0
    mo = po_path(locales, "bru").with_suffix(".mo")
    with mo.open("rb") as fh:
        assert gettext.GNUTranslations(fh).info()["plural-forms"] == "nplurals=1; plural=0;"
    assert "bru" in capsys.readouterr().out


def test_extract_and_update_bring_a_new_string_to_every_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a developer does after adding a string (docs/TRANSLATORS.md), on a copy of the repo."""
    source = tmp_path / "bot"
    shutil.copytree(ROOT / "bot", source, ignore=shutil.ignore_patterns("__pycache__"))
    (source / "core" / "extra.py").write_text(
        'from bot.core.i18n import _\n\nX = _("A brand-new string")\n'
    )
    locales = copy_locales(tmp_path / "locales", langs=("vi", "en"))
    registry = LanguageRegistry.load(locales / "languages.yaml")
    found = check.problems(locales, source, registry, complete=("vi", "en"))
    assert any("A brand-new string" in p and "mangnon i18n extract" in p for p in found)

    monkeypatch.setattr("bot.cli.i18n.SOURCE_DIR", source)
    monkeypatch.setenv("LOCALES_DIR", str(locales))
    assert main(["i18n", "extract"]) == 0
    assert main(["i18n", "update"]) == 0
    en = read_catalog(po_path(locales, "en"))
    assert (
        en["A brand-new string"].string == "A brand-new string"
    )  # English: copied from the source
    vi = read_catalog(po_path(locales, "vi"))
    assert vi["A brand-new string"].string == ""
    left = check.problems(locales, source, registry, complete=("vi", "en"))
    missing_catalogs = [
        p for p in left if "is missing" in p
    ]  # the minority catalogs were not copied
    assert [p for p in left if p not in missing_catalogs] == [
        p for p in left if "untranslated" in p and "A brand-new string" in p
    ]
    assert main(["i18n", "check"]) == 1
