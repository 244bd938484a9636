"""Graded answers: a check-in after the usual answer, and crisis words fitted to who speaks.

The verdict is scripted here (the detector has its own tests): what is tested is what the bot
does with each level."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from bot.core.hours import parse_hours
from bot.core.messages import UserRef
from bot.core.pipeline import Pipeline
from bot.core.ports import StoreFactory
from bot.core.safety import Category, Severity, Verdict
from bot.core.safety.verdict import Level, Who
from bot.core.services import DeskOptions, Services
from bot.storage.database import Database
from bot.storage.models import CaseRow
from tests.conftest import Chat, FakeClock

QUESTION = "làm sao phòng đuối nước cho trẻ"


class Scripted:
    """A safety check that answers ``verdict`` for every message."""

    def __init__(self, verdict: Verdict) -> None:
        self.verdict = verdict

    def assess(self, text: str, lang: str | None = None) -> Verdict:
        return self.verdict


def with_check(services: Services, verdict: Verdict, desk: bool) -> Services:
    feeds = (UserRef("telegram", "-1001"),) if desk else ()
    return dataclasses.replace(
        services,
        safety=Scripted(verdict),
        desk=DeskOptions(feeds=feeds, hours=parse_hours("00:00-24:00")),
    )


def verdict(
    level: Level, who: Who | None = Who.SELF, category: Category = Category.VIOLENCE
) -> Verdict:
    return Verdict(level=level, category=category, severity=Severity.MEDIUM, rules=(), who=who)


async def scripted_chat(
    services: Services,
    stores: StoreFactory,
    clock: FakeClock,
    scripted: Verdict,
    desk: bool,
    user: UserRef,
    role: tuple[str, ...] = ("en", "parent"),
) -> Chat:
    """Onboarded with the real check (the scripted one would judge /start too), then scripted."""
    await Chat(Pipeline(services, stores, clock=clock), user=user).onboard(*role)
    return Chat(Pipeline(with_check(services, scripted, desk), stores, clock=clock), user=user)


async def _cases(database: Database) -> int:
    async with database.session() as session:
        return int((await session.execute(select(func.count()).select_from(CaseRow))).scalar_one())


def _values(chat: Chat) -> list[str]:
    return [b.value for r in chat.last for row in r.buttons for b in row]


async def test_a_check_in_answers_the_question_then_asks_gently(
    services: Services, stores: StoreFactory, clock: FakeClock, database: Database
) -> None:
    calm = Chat(Pipeline(services, stores, clock=clock))
    await calm.onboard("vi", "parent")
    pipeline = Pipeline(
        with_check(services, verdict(Level.CHECK_IN), desk=True), stores, clock=clock
    )
    chat = Chat(pipeline, user=calm.user)
    await chat.send(QUESTION)
    assert chat.button("more:drowning-prevention")  # the usual answer comes first
    values = _values(chat)
    assert "111" in values and "safe:ok" in values and "case:yes" in values
    assert chat.last[-1].buttons  # the check-in is the last message
    assert await _cases(database) == 1  # held as an offered case, in case they say yes
    await chat.press("safe:ok")
    assert await _cases(database) == 0  # "I'm OK": nothing is kept
    assert "111" in chat.texts()


async def test_no_counsellor_is_offered_in_a_check_in_without_a_desk(
    services: Services, stores: StoreFactory, clock: FakeClock, database: Database
) -> None:
    pipeline = Pipeline(
        with_check(services, verdict(Level.CHECK_IN), desk=False), stores, clock=clock
    )
    chat = Chat(pipeline)
    await chat.onboard("en", "parent")
    await chat.send(QUESTION)
    values = _values(chat)
    assert "111" in values and "safe:ok" in values and "case:yes" not in values
    assert await _cases(database) == 0


async def test_a_check_in_never_follows_a_button_or_a_command(
    services: Services, stores: StoreFactory, clock: FakeClock
) -> None:
    pipeline = Pipeline(
        with_check(services, verdict(Level.CHECK_IN), desk=True), stores, clock=clock
    )
    chat = Chat(pipeline)
    await chat.onboard("en", "parent")
    await chat.send("/topics")
    assert "safe:ok" not in _values(chat)


async def test_crisis_words_fit_who_speaks_not_only_the_stored_role(
    services: Services, stores: StoreFactory, clock: FakeClock
) -> None:
    # stored as a parent, but writing about their own harm
    chat = await scripted_chat(
        services, stores, clock, verdict(Level.CRISIS, Who.SELF), False, UserRef("test", "self")
    )
    await chat.send("he hurts me every night")
    assert "not your fault" in chat.last[0].text
    child = await scripted_chat(  # a child telling of a friend
        services,
        stores,
        clock,
        verdict(Level.CRISIS, Who.OTHER_CHILD),
        False,
        UserRef("test", "child-telling-of-a-friend"),
        ("en", "child", "11-15"),
    )
    await child.send("my friend's dad beats her")
    assert "not your fault" not in child.last[0].text
    assert "safety comes first" in child.last[0].text


async def test_neglect_and_severe_bullying_have_their_own_words(
    services: Services, stores: StoreFactory, clock: FakeClock
) -> None:
    seen = {}
    for category in (Category.NEGLECT, Category.BULLYING_SEVERE):
        chat = await scripted_chat(
            services,
            stores,
            clock,
            verdict(Level.CRISIS, Who.SELF, category),
            False,
            UserRef("test", category.value),
            ("en", "child", "11-15"),
        )
        await chat.send("...")
        seen[category] = chat.last[0].text
        assert "111" in _values(chat) and "113" in _values(chat)
    assert "care" in seen[Category.NEGLECT] and "threaten" in seen[Category.BULLYING_SEVERE]


class OnlyFor(Scripted):
    """``verdict`` for one message, the real check for every other."""

    def __init__(self, verdict: Verdict, text: str, real: object) -> None:
        super().__init__(verdict)
        self.text, self.real = text, real

    def assess(self, text: str, lang: str | None = None) -> Verdict:
        return self.verdict if text == self.text else self.real.assess(text, lang)  # type: ignore[attr-defined, no-any-return]


async def test_a_check_in_after_a_flood_still_asks_are_you_safe(
    services: Services, stores: StoreFactory, clock: FakeClock
) -> None:
    calm = Chat(Pipeline(services, stores, clock=clock))
    await calm.onboard("en", "parent")
    checked = OnlyFor(verdict(Level.CHECK_IN), QUESTION, services.safety)
    flooded = dataclasses.replace(
        with_check(services, verdict(Level.CHECK_IN), True), safety=checked
    )
    chat = Chat(Pipeline(flooded, stores, clock=clock), user=calm.user)
    for n in range(30):
        await chat.send(f"hello {n}")
    assert chat.last == []  # the flood limit holds the dialog back
    await chat.send(QUESTION)
    values = _values(chat)
    assert "111" in values and "safe:ok" in values and "case:yes" in values
    await chat.press("safe:ok")
    assert "111" in chat.texts()
