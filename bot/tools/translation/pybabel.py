"""``pybabel`` run in-process with the project's options, so every developer extracts alike.

The equivalent shell commands are in docs/TRANSLATORS.md.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from contextlib import chdir
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface

from bot.core.i18n import DOMAIN, TEMPLATE, read_catalog

KEYWORDS = ("_", "ngettext:1,2")  # what bot.core.i18n translates, and nothing else
COMMENT_TAG = "TRANSLATORS:"  # a `# TRANSLATORS: ...` comment above a string reaches translators
PROJECT = "Măng Non"


class PybabelError(RuntimeError):
    pass


def run(args: Sequence[str]) -> None:
    """Run one pybabel command; raise :class:`PybabelError` when it fails."""
    logging.getLogger("babel").propagate = False
    try:
        code = CommandLineInterface().run(["pybabel", "--quiet", *args])  # type: ignore[no-untyped-call]
    except SystemExit as exc:  # optparse exits on bad arguments
        code = exc.code if isinstance(exc.code, int) else 1
    if code:
        raise PybabelError(f"pybabel {args[0]} failed (exit {code})")


def extract_args(source: str, output: Path) -> list[str]:
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    return [
        "extract",
        "--no-default-keywords",
        *keywords,
        "--add-comments",
        COMMENT_TAG,
        "--add-location",
        "file",  # no line numbers: the template changes only when strings do
        "--project",
        PROJECT,
        "--copyright-holder",
        "Măng Non contributors",
        "-o",
        str(output),
        source,
    ]


def _extract_to(source_dir: Path, output: Path) -> None:
    """Extract with locations relative to the project (``bot/core/...``), wherever we run from."""
    source_dir = source_dir.resolve()
    with chdir(source_dir.parent):
        run(extract_args(source_dir.name, output.resolve()))


def _signature(catalog: Catalog) -> list[tuple[object, ...]]:
    return [
        (m.id, m.context, tuple(m.locations), tuple(m.auto_comments), tuple(sorted(m.flags)))
        for m in catalog
        if m.id
    ]


def extract(source_dir: Path, locales_dir: Path) -> bool:
    """Write ``locales/messages.pot`` from the source; False when nothing changed.

    The file is replaced only when a string, its comment or its file changed, so the template's
    creation date does not churn.
    """
    template = locales_dir / TEMPLATE
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / TEMPLATE
        _extract_to(source_dir, fresh)
        if template.is_file() and _signature(read_catalog(template)) == _signature(
            read_catalog(fresh)
        ):
            return False
        locales_dir.mkdir(parents=True, exist_ok=True)
        template.write_bytes(fresh.read_bytes())
    return True


def extracted(source_dir: Path) -> Catalog:
    """The strings in the source right now, without touching the template."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / TEMPLATE
        _extract_to(source_dir, fresh)
        return read_catalog(fresh)


def update(locales_dir: Path, langs: Sequence[str]) -> None:
    """Merge the template into each language's catalog (new strings empty, changed ones fuzzy)."""
    for lang in langs:
        run(
            [
                "update",
                "-D",
                DOMAIN,
                "-i",
                str(locales_dir / TEMPLATE),
                "-d",
                str(locales_dir),
                "-l",
                lang,
                "--ignore-obsolete",
                "--ignore-pot-creation-date",
                "--previous",
            ]
        )


def compile_mo(locales_dir: Path, langs: Sequence[str]) -> None:
    """Build ``.mo`` files (for external tools; the bot compiles catalogs in memory)."""
    for lang in langs:
        run(["compile", "-D", DOMAIN, "-d", str(locales_dir), "-l", lang, "--statistics"])
