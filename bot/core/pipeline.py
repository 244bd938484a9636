"""Messages in, replies out: locale → safety check → dialog, one unit of work per message."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from bot.core import crisis
from bot.core.cases import desk, flow
from bot.core.cases.model import Case
from bot.core.dialog import COMMAND, Dialog
from bot.core.flood import FloodGate
from bot.core.i18n import _, use_locale
from bot.core.locks import LocalLocks, UserLocks
from bot.core.messages import Button, Inbound, Reply, UserRef
from bot.core.ports import Clock, Outbox, StoreFactory
from bot.core.profile import Profile
from bot.core.services import RiskVerdict, Services
from bot.core.textnorm import clean
from bot.core.turn import Turn

log = logging.getLogger(__name__)

LAST_SEEN_GRANULARITY = timedelta(minutes=10)

# topics whose articles carry first-aid steps for an emergency happening now
INJURY_TOPICS = frozenset(
    {
        "first-aid",
        "drowning-prevention",
        "burns",
        "poisoning",
        "falls",
        "electrical-safety",
        "animal-bites",
        "choking",
        "uxo-safety",
        "flood-storm-safety",
        "traffic-safety",
    }
)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class Pipeline:
    def __init__(
        self,
        services: Services,
        stores: StoreFactory,
        clock: Clock | None = None,
        locks: UserLocks | None = None,
        dialog: Dialog | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.services = services
        self.stores = stores
        self.clock = clock or SystemClock()
        self.locks = locks or LocalLocks()
        self.dialog = dialog or Dialog(services)
        self.outbox = outbox
        self.flood = FloodGate()

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
        started = time.perf_counter()
        if desk.is_desk_message(inbound, self.services):
            return await self._desk(inbound)
        text = clean(inbound.text, self.services.options.max_message_chars)
        # The safety check needs no database: it runs first and its answer survives any failure.
        verdict = self.services.safety.assess(text, inbound.locale_hint) if text else None
        escalate = bool(verdict and verdict.escalate)
        try:
            async with self.locks.hold(inbound.user):
                replies = await self._turn(inbound, text, verdict)
        except Exception:
            log.exception("message failed", extra={"channel": inbound.user.channel})
            replies = self._failure(inbound, verdict)
        replies = await self._deliver_elsewhere(inbound.user, replies)
        log.info(
            "handled",
            extra={
                "channel": inbound.user.channel,
                "kind": "button" if inbound.callback else "text",
                "escalated": escalate,
                "category": verdict.category if verdict else None,
                "replies": len(replies),
                "ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        return replies

    async def _deliver_elsewhere(self, user: UserRef, replies: list[Reply]) -> list[Reply]:
        """Send replies addressed to others (the case desk, a relayed answer); return the user's own."""
        own = [r for r in replies if r.to is None or r.to == user]
        others: dict[UserRef, list[Reply]] = {}
        for reply in replies:
            if reply.to is not None and reply.to != user:
                others.setdefault(reply.to, []).append(reply)
        for to, batch in others.items():
            await self.send(to, batch)
        return own

    async def send(self, to: UserRef, replies: list[Reply]) -> None:
        if self.outbox is None:
            log.error("no outbox: cannot deliver to another user", extra={"channel": to.channel})
            return
        try:
            await self.outbox.send(to, replies)
        except Exception:
            log.exception("delivery failed", extra={"channel": to.channel})

    async def mark_reachable(self, user: UserRef, reachable: bool) -> None:
        """A channel learnt that the user blocked (or unblocked) the bot."""
        async with self.stores() as store:
            await store.users.reachable(user, reachable)
            await store.commit()

    async def _turn(self, inbound: Inbound, text: str, verdict: RiskVerdict | None) -> list[Reply]:
        async with self.stores() as store:
            now = self.clock.now()
            profile = await store.users.get_or_create(inbound.user, now)
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
                await store.users.save(profile)
            for event in turn.events:
                await store.events.record(event)
            await store.commit()
            return turn.replies

    async def _respond(self, turn: Turn, verdict: RiskVerdict | None, case: Case | None) -> None:
        """Safety first, in every state; then an open case's relay; then the dialog."""
        if verdict is not None and verdict.escalate:
            if case is None:
                crisis.respond(turn, verdict, first_aid=self._first_aid(turn, verdict))
                flow.remember_disclosure(turn, verdict)
            else:  # a counsellor is already on it: the numbers again, and the words to the desk
                for reply in crisis.replies_for(
                    verdict.category, turn.profile.is_child, offer_counsellor=False
                ):
                    turn.say(reply)
                await flow.relay_to_desk(turn, self.services, case, escalated=True)
            return
        allowed, first_refusal = self.flood.check(turn.inbound.user, turn.now)
        if not allowed:
            if first_refusal:
                turn.say(
                    Reply(_("You are sending messages very fast. I will answer again in a minute."))
                )
            return
        is_control = turn.inbound.callback is not None or bool(COMMAND.match(turn.text))
        if case is not None and not is_control:
            await flow.relay_to_desk(turn, self.services, case, escalated=False)
        elif turn.inbound.edited:
            return  # an edit is safety-checked above, but never answered twice
        else:
            await self.dialog.handle(turn)

    def _first_aid(self, turn: Turn, verdict: RiskVerdict) -> str | None:
        """In an emergency, the vetted article for what is happening (a burn, a poisoning…)."""
        index = self.services.content.index
        if verdict.category != "emergency" or index is None or not turn.text:
            return None
        for hit in index.search(turn.text, turn.locale, limit=3):
            if hit.topic in INJURY_TOPICS:
                return hit.id
        return None

    async def _desk(self, inbound: Inbound) -> list[Reply]:
        try:
            async with self.stores() as store:
                replies = await desk.handle_desk(inbound, store, self.clock.now(), self.services)
                await store.commit()
        except Exception:
            log.exception("desk message failed", extra={"channel": inbound.user.channel})
            return []
        return await self._deliver_elsewhere(inbound.user, replies)

    async def tick(self) -> None:
        """Periodic work (every ~30 s from the server): re-alert cases nobody acknowledged."""
        async with self.stores() as store:
            replies = await desk.overdue_alerts(store, self.clock.now(), self.services)
            await store.commit()
        for reply in replies:
            if reply.to is not None:
                await self.send(reply.to, [reply])

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
            return [
                Reply(sorry.text, buttons=((Button.phone(_("☎️ Call 111 (free, 24/7)"), "111"),),))
            ]
