"""The Telegram staff group as a case desk: group messages → the core's desk actions.

In the group, a case worker

- replies to a case alert (or to any message quoting ``#<case>``) to answer the user;
- presses ✅ Acknowledge or ✖️ Close under an alert;
- or types ``/ack 12``, ``/note 12 text``, ``/refer 12 commune|police|health|111``,
  ``/close 12 [supported|referred|no-contact|not-a-case]``; the same commands as a reply to an
  alert may leave out the number.

Everything else in the group is colleagues talking: not for the bot. Whether the sender is staff
is the core's question (the ``staff`` table), not this module's.
"""

from __future__ import annotations

import re

from bot.core.buttons import DeskButton, DeskVerb
from bot.core.cases.desk import Acknowledge, Answer, Close, DeskAction, Note, Refer
from bot.core.cases.model import Outcome, Referral

CASE_REF = re.compile(r"#(\d{1,9})\b")
COMMAND = re.compile(r"^/(ack|note|refer|close|help)(?:@\w+)?(?:\s+(\d{1,9}))?(?:\s+(.*))?$", re.S)

USAGE = (
    "Case desk: reply to a case message to answer the user, or use the buttons under it.\n"
    "/ack N · /note N text · /refer N commune|police|health|111 · "
    "/close N [supported|referred|no-contact|not-a-case]"
)


class Usage(ValueError):
    """A desk command the bot understood as meant for it but could not read."""


def from_button(data: str) -> DeskAction | None:
    button = DeskButton.unpack(data)
    if button is None:
        return None
    if button.verb is DeskVerb.ACK:
        return Acknowledge(button.case)
    return Close(button.case)


def from_text(text: str, quoted: str | None) -> DeskAction | None:
    """The action a group message asks for; None if it is not for the bot; Usage if unreadable."""
    quoted_case = _case_in(quoted)
    command = COMMAND.match(text.strip())
    if command is None:
        if quoted_case is None:
            return None  # ordinary staff chat
        return Answer(quoted_case, text)
    verb, number, rest = command.group(1), command.group(2), (command.group(3) or "").strip()
    if verb == "help":
        raise Usage(USAGE)
    case = int(number) if number else quoted_case
    if case is None:
        raise Usage(f"/{verb}: which case? Write /{verb} <number>, or reply to the case message.")
    if verb == "ack":
        return Acknowledge(case)
    if verb == "note":
        if not rest:
            raise Usage("/note: write the note after the case number.")
        return Note(case, rest)
    if verb == "refer":
        try:
            return Refer(case, Referral(rest.lower()))
        except ValueError:
            raise Usage("/refer: to commune, police, health or 111.") from None
    if not rest:
        return Close(case)
    try:
        return Close(case, Outcome(rest.lower()))
    except ValueError:
        raise Usage(
            "/close: the outcome is supported, referred, no-contact or not-a-case."
        ) from None


def _case_in(text: str | None) -> int | None:
    match = CASE_REF.search(text or "")
    return int(match.group(1)) if match else None
