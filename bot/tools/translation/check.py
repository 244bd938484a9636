"""Are the catalogs in step with the code? ``mangnon i18n check``, ``make test`` and CI ask this.

Every problem names what is wrong and the command that fixes it.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Message

from bot.core.i18n import (
    DOMAIN,
    is_translated,
    message_key,
    placeholders,
    read_catalog,
    safe_placeholders,
)
from bot.core.languages import LanguageRegistry
from bot.tools.translation.catalogs import po_path, template_path
from bot.tools.translation.pybabel import extracted

COMPLETE = ("vi", "en")  # the languages every string must be translated into before merging
FIX_TEMPLATE = "mangnon i18n extract && mangnon i18n update"


def _list(keys: set[str] | list[str], limit: int = 12) -> str:
    shown = sorted(keys)[:limit]
    more = f"\n    … and {len(keys) - limit} more" if len(keys) > limit else ""
    return "".join(f"\n    {k!r}" for k in shown) + more


def problems(
    locales_dir: Path,
    source_dir: Path,
    registry: LanguageRegistry,
    complete: tuple[str, ...] = COMPLETE,
) -> list[str]:
    found: list[str] = []
    code = {message_key(m) for m in extracted(source_dir) if m.id}
    pot = template_path(locales_dir)
    template = {message_key(m) for m in read_catalog(pot) if m.id} if pot.is_file() else set()
    if code - template:
        found.append(
            f"{pot} lacks strings that are in the code: run `{FIX_TEMPLATE}`:{_list(code - template)}"
        )
    if template - code:
        found.append(
            f"{pot} has strings the code no longer uses: run `{FIX_TEMPLATE}`:{_list(template - code)}"
        )
    for language in registry.real:
        path = po_path(locales_dir, language.code)
        if not path.is_file():
            found.append(f"{path} is missing: run `mangnon i18n init {language.code}`")
            continue
        catalog = read_catalog(path)
        keys = {message_key(m) for m in catalog if m.id}
        if code - keys:
            found.append(f"{path} lacks new strings: run `{FIX_TEMPLATE}`:{_list(code - keys)}")
        broken = [message_key(m) for m in catalog if _placeholders_differ(m)]
        if broken:
            found.append(
                f"{path}: translations whose {{placeholders}} differ from the source:{_list(broken)}"
            )
        if language.code in complete:
            done = {message_key(m) for m in catalog if is_translated(m)}
            if code - done:
                found.append(
                    f"{path}: untranslated or fuzzy strings ({language.code} must be complete): "
                    f"translate them in that file (see docs/TRANSLATORS.md):{_list(code - done)}"
                )
    for path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = path.parent.parent.name
        if lang not in registry:
            found.append(
                f"{path}: {lang} is not in locales/languages.yaml: register it or remove it"
            )
    return found


def _placeholders_differ(message: Message) -> bool:
    """A finished translation that drops or adds a ``{placeholder}`` (plural forms may drop)."""
    if not message.id or message.fuzzy or not is_translated(message):
        return False
    if isinstance(message.id, tuple | list):
        return not safe_placeholders(message)
    return placeholders(str(message.string)) != placeholders(message.id)
