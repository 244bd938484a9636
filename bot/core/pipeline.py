"""Messages in, replies out: locale → safety check → dialog, one unit of work per message.

Replies to the user's own message are returned to the channel that asked (the fast path);
anything for someone else — the case desks, a case's user — is written to the outbox in the same
transaction as the rest of the turn and sent by a dispatcher after the commit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.core import crisis, numbered
from bot.core.buttons import Counsellor, Safe
from bot.core.callbacks import parse
from bot.core.cases import desk, flow
from bot.core.cases.desk import DeskAction
from bot.core.cases.model import Case, DeskActor
from bot.core.dialog import Dialog
from bot.core.dialog.commands import command_of
from bot.core.flood import FloodGate
from bot.core.i18n import _, use_locale
from bot.core.locks import LocalLocks, UserLocks
from bot.core.messages import Button, Inbound, Reply, UserRef
from bot.core.observe import NoObserver, Observer
from bot.core.outbox import Outgoing, Signal
from bot.core.ports import Clock, Store, StoreFactory
from bot.core.profile import Profile
from bot.core.services import RiskVerdict, Services
from bot.core.textnorm import clean
from bot.core.turn import Turn

log = logging.getLogger(__name__)

LAST_SEEN_GRANULARITY = timedelta(minutes=10)
SAFETY_BUTTONS = (Counsellor, Safe)  # never held back by the flood limit (_on_safety_path)
CHECK_IN = "check-in"


@dataclass(frozen=True)
class Answered:
    """A turn's replies and the language they are in (a page can follow it: ``<html lang>``)."""

    replies: list[Reply]
    locale: str


def _new_profile(user: UserRef, now: datetime, seen: datetime | None = None) -> Profile:
    """Someone seen for the first time, not stored (yet)."""
    return Profile(ref=user, created_at=now, last_seen_at=seen or now)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class NoSignal:
    def notify(self, recipients: Sequence[UserRef]) -> None:
        return None

    def withdrawn(self, recipients: Sequence[UserRef]) -> None:
        return None


class Pipeline:
    def __init__(
        self,
        services: Services,
        stores: StoreFactory,
        clock: Clock | None = None,
        locks: UserLocks | None = None,
        dialog: Dialog | None = None,
        signal: Signal | None = None,
        flood: FloodGate | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.services = services
        self.stores = stores
        self.clock = clock or SystemClock()
        self.locks = locks or LocalLocks()
        self.dialog = dialog or Dialog(services)
        self.signal: Signal = signal or NoSignal()
        self.observer: Observer = observer or NoObserver()
        self.flood = flood or FloodGate()

    def pick_locale(self, profile: Profile | None, hint: str | None) -> str:
        if profile is not None and profile.locale and profile.locale in self.services.languages:
            return profile.locale
        offered = self.services.offered_languages()
        if hint:
            base = hint.replace("_", "-").split("-")[0].lower()
            if base in offered:
                return base
        return self.services.options.default_locale

    async def handle(self, inbound: Inbound) -> list[Reply]:
        return (await self.answer(inbound)).replies

    async def answer(self, inbound: Inbound) -> Answered:
        """``handle``, and the language the turn answered in."""
        started = time.perf_counter()
        text = clean(inbound.text, self.services.options.max_message_chars)
        # The safety check needs no database: it runs first and its answer survives any failure.
        verdict = self.services.safety.assess(text, inbound.locale_hint) if text else None
        escalate = bool(verdict and verdict.escalate)
        failed = False
        try:
            async with self.locks.hold(inbound.user):
                replies, locale = await self._turn(inbound, text, verdict)
        except Exception:
            log.exception("message failed", extra={"channel": inbound.user.channel})
            replies = self._failure(inbound, verdict)
            locale = self.pick_locale(None, inbound.locale_hint)
            failed = True
        seconds = time.perf_counter() - started
        self.observer.turn(inbound.user.channel, seconds, verdict, failed)
        log.info(
            "handled",
            extra={
                "channel": inbound.user.channel,
                "kind": "button" if inbound.callback else "text",
                "escalated": escalate,
                "category": verdict.category if verdict else None,
                "replies": len(replies),
                "ms": round(seconds * 1000, 2),
            },
        )
        return Answered(replies, locale)

    def safety_only(self, inbound: Inbound) -> Answered | None:
        """For a message a channel will not take further (over a limit): the crisis answer when
        the safety check escalates, else None. Nothing is read or written."""
        text = clean(inbound.text, self.services.options.max_message_chars)
        verdict = self.services.safety.assess(text, inbound.locale_hint) if text else None
        if verdict is None or not verdict.escalate:
            return None
        locale = self.pick_locale(None, inbound.locale_hint)
        with use_locale(self.services.catalogs, locale):
            replies = crisis.replies_for(verdict.category, child=False, offer_counsellor=False)
        log.info(
            "handled",
            extra={"channel": inbound.user.channel, "escalated": True, "kind": "over-limit"},
        )
        return Answered(list(replies), locale)

    async def mark_reachable(self, user: UserRef, reachable: bool) -> None:
        """A channel learnt that the user blocked (or unblocked) the bot."""
        async with self.stores() as store:
            await store.users.reachable(user, reachable)
            await store.commit()

    async def profile(self, user: UserRef) -> Profile | None:
        """What the bot keeps about a user (a copy), for a channel deciding whether and how it
        may send to them: blocked, last seen. None for someone who never wrote or was forgotten."""
        async with self.stores() as store:
            return await store.users.get(user)

    async def remember_choices(self, user: UserRef, choices: tuple[str, ...]) -> None:
        """A channel showed these buttons (their data, in order) as a numbered menu: the user's
        next message may be one of the numbers (see ``bot.core.numbered``)."""
        async with self.locks.hold(user), self.stores() as store:
            profile = await store.users.get(user)
            if profile is None:
                return  # forgotten meanwhile: never write a profile back
            profile.memo.choices = choices
            await store.users.save(profile)
            await store.commit()

    async def _turn(
        self, inbound: Inbound, text: str, verdict: RiskVerdict | None
    ) -> tuple[list[Reply], str]:
        async with self.stores() as store:
            now = self.clock.now()
            # someone new is kept only once there is something to keep (see _keep)
            profile = await store.users.get(inbound.user) or _new_profile(inbound.user, now)
            if profile.memo.choices:  # the last menu was numbered: this message may pick from it
                picked = numbered.pick(text, profile.memo.choices)
                profile.memo.choices = ()
                if picked is not None and inbound.callback is None:
                    inbound, text = replace(inbound, text="", callback=picked), ""
            locale = self.pick_locale(profile, inbound.locale_hint)
            turn = Turn(
                inbound=inbound, text=text, profile=profile, store=store, now=now, locale=locale
            )
            case = await flow.open_case_of(turn)
            if (
                text
                and (verdict is None or not verdict.escalate)
                and profile.locale not in (None, inbound.locale_hint, "vi", "en")
            ):
                # the user's chosen language (say Bru) has its own lexicon: check that one too
                verdict = self.services.safety.assess(text, profile.locale)
            with use_locale(self.services.catalogs, locale):
                await self._respond(turn, verdict, case)
            if now - profile.last_seen_at >= LAST_SEEN_GRANULARITY:
                profile.last_seen_at = now  # coarse on purpose: less to write, less to know
            if not turn.forgotten:
                await self._keep(store, profile, now)
            for event in turn.events:
                await store.events.record(event)
            await self._queue(store, turn.outgoing, now)
            await store.commit()
        self._notify(turn.outgoing)
        if turn.withdrawn:
            self.signal.withdrawn(turn.withdrawn)
        # the language chosen in this turn, if the user just chose one
        return turn.replies, self.pick_locale(turn.profile, inbound.locale_hint)

    @staticmethod
    async def _keep(store: Store, profile: Profile, now: datetime) -> None:
        """Save the profile; someone new gets a row only when the turn left something to keep
        (a language, a role, consent, a dialog state, a case…): a message that only asked a
        question from a fresh web session writes no user (sessions are free to make up)."""
        if profile.id is None:
            if profile == _new_profile(profile.ref, profile.created_at, profile.last_seen_at):
                return
            profile.id = (await store.users.get_or_create(profile.ref, now)).id
        await store.users.save(profile)

    async def _respond(self, turn: Turn, verdict: RiskVerdict | None, case: Case | None) -> None:
        """Safety first, in every state; then an open case's relay; then the dialog."""
        if verdict is not None and verdict.escalate:
            if case is None:
                offered = await flow.offer(turn, self.services, verdict)
                first_aid = self._first_aid(turn, verdict)
                crisis.respond(turn, verdict, offer_counsellor=offered, first_aid=first_aid)
            else:  # a counsellor is already on it: the numbers again, and the words to the desk
                for reply in crisis.replies_for(
                    verdict.category, turn.profile.is_child, offer_counsellor=False
                ):
                    turn.say(reply)
                await flow.relay_to_desk(turn, self.services, case, escalated=True)
            return
        button = parse(turn.inbound.callback) if turn.inbound.callback is not None else None
        if turn.profile.memo.offered_case is not None and not isinstance(button, Counsellor):
            await flow.withdraw_offer(turn)  # the user moved on: the disclosure is not kept
        if not self._on_safety_path(verdict, button, case):
            allowed, first_refusal = await self.flood.check(turn.inbound.user, turn.now)
            if not allowed:
                if first_refusal:
                    turn.say(
                        Reply(
                            _(
                                "You are sending messages very fast. I will answer again in a minute."
                            ),
                            buttons=((self._hotline(),),),
                        )
                    )
                return
        is_control = turn.inbound.callback is not None or command_of(turn.text) is not None
        if case is not None and not is_control:
            await flow.relay_to_desk(turn, self.services, case, escalated=False)
        elif turn.inbound.edited:
            return  # an edit is safety-checked above, but never answered twice
        else:
            await self.dialog.handle(turn)
            if verdict is not None and verdict.level == CHECK_IN and not is_control:
                # an ambiguous message: answered as usual, then a gentle "are you safe?"
                offered = await flow.offer(turn, self.services, verdict)
                crisis.check_in(turn, verdict, offer_counsellor=offered)

    @staticmethod
    def _on_safety_path(verdict: RiskVerdict | None, button: object, case: Case | None) -> bool:
        """Never held back by the flood limit: a message the check wants to ask about ("are you
        safe?"), a safety button (a counsellor, "I'm OK") and anything from a user whose case
        is open (their words go to the desk). A crisis message never reaches the limit."""
        checked = verdict is not None and (verdict.escalate or verdict.level == CHECK_IN)
        return checked or isinstance(button, SAFETY_BUTTONS) or case is not None

    def _first_aid(self, turn: Turn, verdict: RiskVerdict) -> str | None:
        """In an emergency, the vetted article for what is happening (a burn, a poisoning…)."""
        index = self.services.content.index
        if verdict.category != "emergency" or index is None or not turn.text:
            return None
        topics = self.services.content.library.topics
        for hit in index.search(turn.text, turn.locale, limit=3):
            topic = topics.get(hit.topic)
            if topic is not None and topic.first_aid:
                return hit.id
        return None

    async def desk(self, account: DeskActor, action: DeskAction) -> list[Reply]:
        """A member of staff acts on a case from a desk chat (``UserRef``) or the web desk
        (``StaffId``); the notice is for them (empty when they are not active staff)."""
        now = self.clock.now()
        async with self.stores() as store:
            staff = await store.staff.by_account(account)
            if staff is None:
                return []  # not (or no longer) staff: a desk chat may hold others
            result = await desk.perform(action, staff, store, now, self.services)
            await self._queue(store, result.outgoing, now)
            await store.commit()
        self._notify(result.outgoing)
        return [Reply(result.notice)]

    async def enrol_staff(self, accounts: list[UserRef]) -> int:
        """Desk chat accounts named in a channel's settings become case workers (if new)."""
        now = self.clock.now()
        async with self.stores() as store:
            added = sum([await store.staff.enrol(account, now) for account in accounts])
            await store.commit()
        return added

    async def tick(self) -> None:
        """Periodic work (every ~30 s): re-alert cases nobody acknowledged, expire offers."""
        now = self.clock.now()
        async with self.stores() as store:
            outgoing = await desk.overdue_alerts(store, now, self.services)
            await store.cases.purge_offers(flow.offer_expiry(now))
            await self._queue(store, outgoing, now)
            await store.commit()
        self._notify(outgoing)

    @staticmethod
    async def _queue(store: Store, outgoing: list[Outgoing], now: datetime) -> None:
        for message in outgoing:
            await store.outbox.enqueue(message, now)

    def _notify(self, outgoing: list[Outgoing]) -> None:
        if outgoing:
            self.signal.notify([message.to for message in outgoing])

    @staticmethod
    def _hotline() -> Button:
        return Button.phone(_("☎️ Call 111 (free, 24/7)"), "111")

    def _failure(self, inbound: Inbound, verdict: RiskVerdict | None) -> list[Reply]:
        """Something broke (the database, a bug): never leave a child at risk without the numbers."""
        locale = self.pick_locale(None, inbound.locale_hint)
        with use_locale(self.services.catalogs, locale):
            sorry = Reply(
                _("Sorry, something went wrong on my side. Please try again in a moment.")
            )
            if verdict is not None and verdict.escalate:
                return [
                    *crisis.replies_for(verdict.category, child=False, offer_counsellor=False),
                    sorry,
                ]
            return [Reply(sorry.text, buttons=((self._hotline(),),))]
