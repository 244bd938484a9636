"""``/settings``: what the bot keeps about the user, and where to change it."""

from __future__ import annotations

from bot.core.buttons import SettingsButton, SettingsChoice
from bot.core.dialog import subscriptions
from bot.core.i18n import _
from bot.core.messages import Reply
from bot.core.profile import Role
from bot.core.services import Services
from bot.core.turn import Turn


def show(turn: Turn, services: Services) -> None:
    profile = turn.profile
    lang = services.languages.get(turn.locale)
    roles = {
        Role.PARENT: _("a parent or carer"),
        Role.CHILD: _("a student"),
        Role.TEACHER: _("a teacher or child-protection worker"),
        Role.OTHER: _("someone else"),
    }
    commune = services.communes.get(profile.commune)
    lines = [
        _("Your settings:"),
        _("Language: {language}").format(language=lang.label if lang else turn.locale),
        _("You are: {role}").format(role=roles[profile.role] if profile.role else "—"),
        _("Commune: {commune}").format(commune=commune.label if commune else _("not given")),
        subscriptions.describe(turn, services),
    ]
    rows = [
        (
            SettingsButton(SettingsChoice.LANGUAGE).button(_("🌐 Language")),
            SettingsButton(SettingsChoice.COMMUNE).button(_("📍 Commune")),
        ),
        (SettingsButton(SettingsChoice.SUBSCRIPTION).button(_("🔔 Tips and campaigns")),),
    ]
    if profile.subscribed:
        rows.append((SettingsButton(SettingsChoice.STOP).button(_("🔕 Stop all messages")),))
    turn.say(Reply("\n".join(lines), buttons=tuple(rows)))
