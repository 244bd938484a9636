"""The commune picker: optional, in onboarding and ``/settings``.

The user types part of the commune's name, with or without accents, and picks from what matches
(``bot.core.communes``); the official code is kept, and campaigns can be aimed at a commune.
Choosing none (or removing it) is always offered.
"""

from __future__ import annotations

from bot.core.buttons import CommuneButton
from bot.core.i18n import _
from bot.core.menus import main_menu
from bot.core.messages import Reply
from bot.core.profile import State
from bot.core.services import Services
from bot.core.turn import Turn

NONE = "none"  # the commune button that skips (onboarding) or removes (settings)


def ask_commune(turn: Turn, services: Services) -> bool:
    """Ask for the commune (False when the deployment has no commune list)."""
    if not len(services.communes):
        return False
    turn.profile.state = State.ASK_COMMUNE
    skip = _("Remove my commune") if turn.profile.commune else _("Skip")
    turn.say(
        Reply(
            _(
                "Which commune (xã, phường) do you live in? Type part of its name, for example “Gio Linh”. It helps us send news for your area. You can skip this."
            ),
            buttons=((CommuneButton(NONE).button(skip),),),
        )
    )
    return True


def on_commune_text(turn: Turn, services: Services) -> None:
    """What the user typed while asked for a commune: the communes that match, to pick from."""
    found = services.communes.search(turn.text)
    skip = (CommuneButton(NONE).button(_("Skip")),)
    if not found:
        turn.say(
            Reply(
                _(
                    "I could not find a commune with that name. Type part of the name again (for example “Cam Lộ” or “cam lo”), or skip."
                ),
                buttons=(skip,),
            )
        )
        return
    rows = tuple((CommuneButton(c.code).button(c.label),) for c in found)
    turn.say(Reply(_("Which one is yours?"), buttons=(*rows, skip)))


def on_commune(turn: Turn, services: Services, code: str) -> bool:
    profile = turn.profile
    if code != NONE and services.communes.get(code) is None:
        return False
    if profile.state is not State.ASK_COMMUNE:
        return False  # an old picker: nothing changes without a fresh question
    profile.commune = None if code == NONE else code
    turn.record("commune", subject="set" if profile.commune else "none")
    if not profile.onboarded:
        return True  # onboarding goes on (the dialog asks for consent next)
    profile.state = State.READY
    commune = services.communes.get(profile.commune)
    text = (
        _("Saved: {commune}.").format(commune=commune.label)
        if commune
        else _("Done: I do not keep a commune for you.")
    )
    turn.say(Reply(text, buttons=main_menu()))
    return True
