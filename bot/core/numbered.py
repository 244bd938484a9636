"""Menus answered with a number, for channels that show buttons as numbered lines of text.

A channel that cannot show a reply's buttons (Zalo when it refuses them, a terminal) lists them as
"1. …", "2. …" and tells the pipeline which button data each number stands for; that list is kept
in the user's ``Memo.choices``. The user's next message, if it is one of the numbers, is taken as a
press of that button; any next message forgets the list, so a number typed later is just text.
"""

from __future__ import annotations

MAX_DIGITS = 2  # menus are short: "12" may be a number, "2026" is a year


def pick(text: str, choices: tuple[str, ...]) -> str | None:
    """The button data ``text`` picks ("2", "2.", " 2)"), or None when it is not a choice."""
    number = text.strip().rstrip(".)")
    if not number.isdecimal() or len(number) > MAX_DIGITS:
        return None
    index = int(number) - 1
    return choices[index] if 0 <= index < len(choices) else None
