"""The pseudo-locale: every interface string wrapped in ⟦…⟧, placeholders untouched.

A screen shown in the pseudo-locale exposes, at a glance or to a test, any text that did not pass
through gettext: it is the text outside the brackets.
"""

from __future__ import annotations

import re

from babel.messages.catalog import Catalog

from bot.core.languages import Language
from bot.tools.translation.catalogs import new_catalog

OPEN, CLOSE = "⟦", "⟧"
PSEUDO_CODE = "qps"

_WRAPPED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")


def pseudo_text(msgid: str) -> str:
    return f"{OPEN}{msgid}{CLOSE}"


def pseudo_catalog(language: Language, template: Catalog) -> Catalog:
    catalog = new_catalog(language, template)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            singular, plural = message.id[0], message.id[-1]
            forms = [singular] + [plural] * (catalog.num_plurals - 1)
            message.string = tuple(pseudo_text(form) for form in forms)
        else:
            message.string = pseudo_text(message.id)
    return catalog


def outside_brackets(text: str) -> str:
    """What is left of a text once every pseudo-translated part is removed (innermost first)."""
    previous = None
    while previous != text:
        previous, text = text, _WRAPPED.sub("", text)
    return text
