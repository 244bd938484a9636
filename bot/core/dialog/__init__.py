"""The conversation: commands, buttons and free text, routed to small feature modules.

Commands come from one registry (``commands.COMMANDS``), buttons from typed data
(``bot.core.buttons``): each button type is routed to one handler. Anything else — data that does
not parse, a button of an old shape, a handler that refuses — gets a polite "this button has
expired" and changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.core import buttons as b
from bot.core import crisis
from bot.core.callbacks import CallbackData, parse
from bot.core.cases import flow
from bot.core.dialog import account, ask, browse, commune, onboarding, settings, subscriptions
from bot.core.dialog.commands import Command, command_of
from bot.core.i18n import _
from bot.core.menus import expired_button, main_menu
from bot.core.messages import Reply
from bot.core.profile import State
from bot.core.services import Services
from bot.core.turn import Turn

Data = TypeVar("Data", bound=CallbackData)
ButtonHandler = Callable[[Turn, Services, Any], Awaitable[bool]]
ONBOARDING = (State.ASK_LANGUAGE, State.ASK_ROLE, State.ASK_AGE, State.ASK_CONSENT)


# ---- button actions ---------------------------------------------------------------------------


async def _language(turn: Turn, services: Services, data: b.Language) -> bool:
    if not onboarding.on_language(turn, services, data.code):
        return False
    if turn.profile.state is State.ASK_LANGUAGE:
        onboarding.ask_role(turn)
    else:
        turn.say(Reply(_("Done. I will talk to you in this language."), buttons=main_menu()))
    return True


async def _role(turn: Turn, services: Services, data: b.RoleButton) -> bool:
    return turn.profile.state is State.ASK_ROLE and onboarding.on_role(turn, data.role, services)


async def _age(turn: Turn, services: Services, data: b.AgeButton) -> bool:
    return turn.profile.state is State.ASK_AGE and onboarding.on_age(turn, data.band, services)


async def _consent(turn: Turn, services: Services, data: b.ConsentButton) -> bool:
    return turn.profile.state is State.ASK_CONSENT and onboarding.on_consent(turn, data.choice)


async def _forget(turn: Turn, services: Services, data: b.Forget) -> bool:
    return await account.on_forget(turn, data.confirm)


async def _menu(turn: Turn, services: Services, data: b.Menu) -> bool:
    if data.choice is b.MenuChoice.TOPICS:
        browse.show_pillars(turn, services)
    elif data.choice is b.MenuChoice.TIP:
        browse.show_tip(turn, services)
    elif data.choice is b.MenuChoice.ASK:
        ask.prompt(turn)
    else:
        account.show_help(turn, COMMANDS)
    return True


async def _pillar(turn: Turn, services: Services, data: b.PillarButton) -> bool:
    return browse.on_pillar(turn, services, data.pillar)


async def _topic(turn: Turn, services: Services, data: b.TopicButton) -> bool:
    return browse.on_topic(turn, services, data.topic)


async def _article(turn: Turn, services: Services, data: b.ArticleButton) -> bool:
    return browse.on_article(turn, services, data.article)


async def _more(turn: Turn, services: Services, data: b.ReadMore) -> bool:
    return browse.on_more(turn, services, data.article)


async def _feedback(turn: Turn, services: Services, data: b.Feedback) -> bool:
    return await browse.on_feedback(turn, services, data.article, data.helpful)


async def _tip(turn: Turn, services: Services, data: b.NextTip) -> bool:
    browse.show_tip(turn, services)
    return True


async def _safe(turn: Turn, services: Services, data: b.Safe) -> bool:
    crisis.safe(turn)
    return True


async def _counsellor(turn: Turn, services: Services, data: b.Counsellor) -> bool:
    if data.choice is b.CounsellorChoice.YES:
        await flow.accept(turn, services)
    else:
        await flow.decline(turn)
    return True


async def _subscribe(turn: Turn, services: Services, data: b.Subscribe) -> bool:
    subscriptions.start(turn, services)
    return True


async def _frequency(turn: Turn, services: Services, data: b.FrequencyButton) -> bool:
    return subscriptions.on_frequency(turn, services, data.frequency)


async def _child_age(turn: Turn, services: Services, data: b.ChildAge) -> bool:
    return subscriptions.on_child_age(turn, services, data.band)


async def _topic_toggle(turn: Turn, services: Services, data: b.TopicToggle) -> bool:
    return subscriptions.on_topic(turn, services, data.pillar)


async def _topics_done(turn: Turn, services: Services, data: b.TopicsDone) -> bool:
    return subscriptions.on_done(turn, services)


async def _unsubscribe(turn: Turn, services: Services, data: b.Unsubscribe) -> bool:
    await subscriptions.stop(turn)
    return True


async def _settings(turn: Turn, services: Services, data: b.SettingsButton) -> bool:
    if data.choice is b.SettingsChoice.LANGUAGE:
        account.choose_language(turn, services)
    elif data.choice is b.SettingsChoice.COMMUNE:
        return commune.ask_commune(turn, services)
    elif data.choice is b.SettingsChoice.SUBSCRIPTION:
        subscriptions.start(turn, services)
    else:
        await subscriptions.stop(turn)
    return True


async def _commune(turn: Turn, services: Services, data: b.CommuneButton) -> bool:
    if not commune.on_commune(turn, services, data.code):
        return False
    if not turn.profile.onboarded:
        onboarding.ask_consent(turn)
    return True


async def _campaign_article(turn: Turn, services: Services, data: b.CampaignArticle) -> bool:
    """A campaign's "read more": the article, counted (without the user) for its statistics."""
    if not browse.on_article(turn, services, data.article):
        return False
    turn.record("campaign-open", subject=str(data.campaign), article=data.article)
    return True


# ---- commands -------------------------------------------------------------------------------


async def _cmd_start(turn: Turn, services: Services) -> None:
    onboarding.start(turn, services)


async def _cmd_help(turn: Turn, services: Services) -> None:
    account.show_help(turn, COMMANDS)


async def _cmd_language(turn: Turn, services: Services) -> None:
    account.choose_language(turn, services)


async def _cmd_stop(turn: Turn, services: Services) -> None:
    await subscriptions.stop(turn)


async def _cmd_subscribe(turn: Turn, services: Services) -> None:
    subscriptions.start(turn, services)


async def _cmd_settings(turn: Turn, services: Services) -> None:
    settings.show(turn, services)


async def _cmd_forget(turn: Turn, services: Services) -> None:
    account.ask_forget(turn)


async def _cmd_topics(turn: Turn, services: Services) -> None:
    browse.show_pillars(turn, services)


async def _cmd_tip(turn: Turn, services: Services) -> None:
    browse.show_tip(turn, services)


COMMANDS: tuple[Command, ...] = (
    Command("start", lambda: _("Start, or go back to the main menu"), _cmd_start),
    Command("topics", lambda: _("Browse topics"), _cmd_topics),
    Command("tip", lambda: _("Get a safety tip"), _cmd_tip),
    Command("subscribe", lambda: _("Get a weekly tip or campaign news"), _cmd_subscribe),
    Command("settings", lambda: _("Your language, commune and subscriptions"), _cmd_settings),
    Command("language", lambda: _("Change language"), _cmd_language),
    Command("help", lambda: _("Help and emergency numbers"), _cmd_help),
    Command("stop", lambda: _("Stop all messages from me"), _cmd_stop),
    Command("forget", lambda: _("Delete your data"), _cmd_forget),
)


class Dialog:
    def __init__(self, services: Services, commands: tuple[Command, ...] = COMMANDS) -> None:
        self.services = services
        self.command_list = commands
        self.commands = {command.name: command for command in commands}
        self.buttons: dict[type[CallbackData], ButtonHandler] = {}
        self.on(b.Language, _language)
        self.on(b.RoleButton, _role)
        self.on(b.AgeButton, _age)
        self.on(b.ConsentButton, _consent)
        self.on(b.Forget, _forget)
        self.on(b.Menu, _menu)
        self.on(b.PillarButton, _pillar)
        self.on(b.TopicButton, _topic)
        self.on(b.ArticleButton, _article)
        self.on(b.ReadMore, _more)
        self.on(b.Feedback, _feedback)
        self.on(b.NextTip, _tip)
        self.on(b.Counsellor, _counsellor)
        self.on(b.Safe, _safe)
        self.on(b.Subscribe, _subscribe)
        self.on(b.FrequencyButton, _frequency)
        self.on(b.ChildAge, _child_age)
        self.on(b.TopicToggle, _topic_toggle)
        self.on(b.TopicsDone, _topics_done)
        self.on(b.Unsubscribe, _unsubscribe)
        self.on(b.SettingsButton, _settings)
        self.on(b.CommuneButton, _commune)
        self.on(b.CampaignArticle, _campaign_article)

    def on(
        self, kind: type[Data], handler: Callable[[Turn, Services, Data], Awaitable[bool]]
    ) -> None:
        """Route buttons carrying ``kind`` to ``handler`` (True: handled; False: expired)."""
        self.buttons[kind] = handler

    async def handle(self, turn: Turn) -> None:
        inbound = turn.inbound
        if turn.profile.state is State.ASK_COMMUNE and turn.profile.onboarded:
            picked = inbound.callback is not None and isinstance(
                parse(inbound.callback), b.CommuneButton
            )
            if not picked and (inbound.callback is not None or command_of(turn.text)):
                turn.profile.state = State.READY  # moved on: the next words are not a commune
        if inbound.callback is not None:
            await self._button(turn, inbound.callback)
            return
        name = command_of(turn.text)
        if name is not None:
            command = self.commands.get(name)
            if command is None:
                turn.say(
                    Reply(
                        _("I do not know that command.")
                        + "\n\n"
                        + account.help_text(self.command_list)
                    )
                )
            else:
                await command.handler(turn, self.services)
            return
        await self._text(turn)

    async def _button(self, turn: Turn, raw: str) -> None:
        data = parse(raw)
        handler = self.buttons.get(type(data)) if data is not None else None
        if data is None or handler is None or not await handler(turn, self.services, data):
            turn.record("expired-button")
            turn.say(expired_button())

    async def _text(self, turn: Turn) -> None:
        state = turn.profile.state
        if subscriptions.is_stop_word(turn.text):
            await subscriptions.stop(turn)  # "dừng", "hủy", "stop": at once, in any state
            return
        if state is State.ASK_COMMUNE:
            commune.on_commune_text(turn, self.services)
            return
        if state in ONBOARDING:
            turn.say(Reply(_("Please choose one of the options below.")))
            onboarding.reprompt(turn, self.services)
            return
        if state is State.CONFIRM_FORGET:
            turn.profile.state = State.READY  # typing something else cancels the deletion
        await ask.answer(turn, self.services)
        if state is State.NEW:
            turn.say(Reply(_("To choose your language and get advice that fits you, send /start.")))
