"""Campaign actions, for every front end (the CLI and the web admin): create, preview,
submit, approve (four eyes), test-send, send, pause, resume, cancel, statistics — each checked
against the campaign's status, written to its audit log, and done in one transaction.

Sending writes one outbox row per recipient (``Priority.BROADCAST``, unique per campaign run and
recipient) pointing at a payload per language; the dispatchers deliver them, quiet hours hold
them, and a recipient who opts out has theirs withdrawn. ``tick()`` starts scheduled runs and
closes finished ones.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.campaigns import spec, tips
from bot.core.campaigns.model import (
    AuditEntry,
    Campaign,
    CampaignDraft,
    CampaignStats,
    CampaignStatus,
    Progress,
    ScheduleKind,
)
from bot.core.campaigns.ports import Payload
from bot.core.campaigns.render import replies_for
from bot.core.cases.model import Staff, StaffId, StaffRole
from bot.core.messages import Reply, UserRef, reply_to_data
from bot.core.outbox import Outgoing, Priority, Signal, Status
from bot.core.ports import Clock, Store, StoreFactory
from bot.core.services import Services

log = logging.getLogger(__name__)

S = CampaignStatus
SYSTEM = "system"  # the actor of what the schedule does by itself

# who acts: a member of staff by name (the CLI's --by) or by id (signed in to the web admin)
Actor = str | StaffId


class CampaignError(Exception):
    """An action that cannot be done now; the message says why (for staff)."""


@dataclass(frozen=True)
class Preview:
    audience: int
    versions: list[tuple[str, str, tuple[Reply, ...]]]  # (recipient language, label, replies)


class Campaigns:
    def __init__(
        self,
        stores: StoreFactory,
        services: Services,
        clock: Clock,
        signal: Signal,
        zone: ZoneInfo,
        content_dir: Path,
        channels: frozenset[str] = frozenset(),
        tip_schedule: tips.TipSchedule | None = None,
    ) -> None:
        self.stores = stores
        self.services = services
        self.clock = clock
        self.signal = signal
        self.zone = zone
        self.content_dir = content_dir
        self.channels = channels
        self.tip_schedule = tip_schedule

    # ---- writing and approving ------------------------------------------------------------

    def checks(self) -> spec.Checks:
        services = self.services
        library = services.content.library
        media_root = self.content_dir.resolve()

        def media(path: str) -> bool:
            target = (media_root / path).resolve()
            return target.is_relative_to(media_root) and target.is_file()

        def commune(value: str) -> str | None:
            found = services.communes.resolve(value)
            return found.code if found else None

        return spec.Checks(
            default_locale=services.options.default_locale,
            languages=lambda code: code in services.languages,
            article=lambda article_id: any(a == article_id for a, _ in library.articles),
            pillars=frozenset(p.id for p in library.pillars),
            commune=commune,
            media=media,
            channels=self.channels,
            zone=self.zone,
        )

    async def create(self, path: Path, by: Actor | None = None) -> Campaign:
        """A draft from a campaign file (raises spec.CampaignFileError naming file and line)."""
        return await self._add(spec.load(path, self.checks()), by)

    async def create_from(self, data: dict[str, Any], by: Actor) -> Campaign:
        """A draft from data in a campaign file's shape (the web admin's compose form), checked
        by the same rules as a file (raises spec.CampaignFileError naming each field)."""
        return await self._add(spec.from_data(data, self.checks()), by)

    async def _add(self, draft: CampaignDraft, by: Actor | None) -> Campaign:
        now = self.clock.now()
        async with self.stores() as store:
            author = await self._staff(store, by, StaffRole.EDITOR) if by else None
            campaign = await store.campaigns.add(draft, author.pseudonym if author else None, now)
            await self._audit(
                store,
                campaign.id,
                author.pseudonym if author else "console",
                "created",
                draft.source,
            )
            await store.commit()
        return campaign

    async def listing(self) -> Sequence[Campaign]:
        async with self.stores() as store:
            return await store.campaigns.listing()

    async def get(self, campaign_id: int) -> tuple[Campaign, Sequence[AuditEntry]]:
        async with self.stores() as store:
            campaign = await self._get(store, campaign_id)
            return campaign, await store.campaigns.audit_log(campaign_id)

    async def preview(self, campaign_id: int) -> Preview:
        """The audience's size now, and the message as each language's readers will get it:
        every language written, and one that falls back to the default (said so)."""
        async with self.stores() as store:
            campaign = await self._get(store, campaign_id)
            size = await store.campaigns.audience_size(campaign.audience, self.clock.now())
        today = self.clock.now().astimezone(self.zone).date()
        versions = [
            (lang, f"{lang}", replies_for(campaign, lang, self.services, today))
            for lang in campaign.messages
        ]
        missing = [c for c in self.services.offered_languages() if c not in campaign.messages]
        if missing:
            lang = missing[0]
            versions.append(
                (lang, f"{lang} (falls back)", replies_for(campaign, lang, self.services, today))
            )
        return Preview(size, versions)

    async def submit(self, campaign_id: int, by: Actor) -> Campaign:
        async with self.stores() as store:
            staff = await self._staff(store, by, StaffRole.EDITOR)
            campaign = await self._get(store, campaign_id)
            author = campaign.author or staff.pseudonym
            await self._move(
                store,
                campaign,
                (S.DRAFT,),
                S.SUBMITTED,
                submitted_by=staff.pseudonym,
                author=author,
            )
            await self._audit(store, campaign_id, staff.pseudonym, "submitted")
            await store.commit()
        return await self._fresh(campaign_id)

    async def approve(self, campaign_id: int, by: Actor) -> Campaign:
        """Four eyes: the approver is neither the author nor the submitter; the audience size
        at approval is recorded with the approval."""
        now = self.clock.now()
        async with self.stores() as store:
            staff = await self._staff(store, by, StaffRole.APPROVER)
            campaign = await self._get(store, campaign_id)
            if staff.pseudonym in (campaign.author, campaign.submitted_by):
                raise CampaignError(
                    "four eyes: a campaign must be approved by someone other than its author "
                    "and the person who submitted it"
                )
            size = await store.campaigns.audience_size(campaign.audience, now)
            await self._move(
                store,
                campaign,
                (S.SUBMITTED,),
                S.APPROVED,
                approved_by=staff.pseudonym,
                audience_size=size,
            )
            await self._audit(store, campaign_id, staff.pseudonym, "approved", f"audience {size}")
            await store.commit()
        return await self._fresh(campaign_id)

    async def reject(self, campaign_id: int, by: Actor, reason: str = "") -> Campaign:
        async with self.stores() as store:
            staff = await self._staff(store, by, StaffRole.APPROVER)
            campaign = await self._get(store, campaign_id)
            await self._move(
                store,
                campaign,
                (S.SUBMITTED, S.APPROVED),
                S.DRAFT,
                approved_by=None,
                submitted_by=None,
            )
            await self._audit(store, campaign_id, staff.pseudonym, "rejected", reason[:200])
            await store.commit()
        return await self._fresh(campaign_id)

    async def test(
        self, campaign_id: int, by: Actor, to: UserRef | None = None, lang: str | None = None
    ) -> list[str]:
        """Send the campaign to a member of staff's own chat account (or ``to``) at once, in
        every language written (or ``lang``): what recipients will see. The languages sent."""
        now = self.clock.now()
        async with self.stores() as store:
            staff = await self._staff(store, by, None)
            campaign = await self._get(store, campaign_id)
            target = to or await store.staff.account_of(staff)
            if target is None:
                raise CampaignError(
                    f"{staff.pseudonym} has no chat account on record to send a test to: "
                    "record one (--telegram ID when adding the member of staff), or name one "
                    "(--to CHANNEL:ID)"
                )
            langs = [lang] if lang else list(campaign.messages)
            if lang is not None and lang not in self.services.languages:
                raise CampaignError(f"unknown language {lang!r}")
            today = now.astimezone(self.zone).date()
            for code in langs:
                replies = replies_for(campaign, code, self.services, today)
                await store.outbox.enqueue(
                    Outgoing(target, replies, priority=Priority.CASE, kind="campaign-test"), now
                )
            await self._audit(store, campaign_id, staff.pseudonym, "test-sent", ", ".join(langs))
            await store.commit()
        self.signal.notify([target])
        return langs

    # ---- sending -----------------------------------------------------------------------------

    async def send(self, campaign_id: int, actor: str) -> Campaign:
        """An approved campaign goes: at once when it has no schedule (or its time has come),
        else it waits for its time (scheduled)."""
        now = self.clock.now()
        async with self.stores() as store:
            campaign = await self._get(store, campaign_id)
            if campaign.status is not S.APPROVED:
                raise CampaignError(self._cannot(campaign, "send", "approved"))
            first = campaign.schedule.first_run(now, self.zone)
            if first is None and campaign.schedule.kind is ScheduleKind.WEEKLY:
                raise CampaignError("its weekly schedule has no run left (the until date passed)")
            if first is not None and first > now:
                await self._move(store, campaign, (S.APPROVED,), S.SCHEDULED, next_run_at=first)
                await self._audit(
                    store, campaign_id, actor, "scheduled", first.isoformat(timespec="minutes")
                )
                await store.commit()
                return await self._fresh(campaign_id)
            queued = await self._run(store, campaign, (S.APPROVED,), now, actor)
            await store.commit()
        log.info("campaign sending", extra={"kind": "campaign", "count": queued})
        self.signal.notify([])
        return await self._fresh(campaign_id)

    async def _run(
        self,
        store: Store,
        campaign: Campaign,
        from_statuses: tuple[S, ...],
        now: datetime,
        actor: str,
    ) -> int:
        """Queue one run: the audience as it is now, one row each, a payload per language."""
        run = campaign.runs + 1
        after = campaign.next_run_at or now
        next_run = campaign.schedule.next_run(after, self.zone)
        moved = await store.campaigns.transition(
            campaign.id,
            from_statuses,
            S.SENDING,
            now,
            runs=run,
            next_run_at=next_run,
            started_at=campaign.started_at or now,
        )
        if not moved:
            raise CampaignError(f"campaign #{campaign.id} changed meanwhile; look again")
        today = now.astimezone(self.zone).date()
        locales = await store.campaigns.audience_locales(campaign.audience, now)
        payloads = {
            locale: [reply_to_data(r) for r in replies_for(campaign, locale, self.services, today)]
            for locale in locales
        }
        fallback = [reply_to_data(r) for r in replies_for(campaign, None, self.services, today)]
        queued = await store.campaigns.enqueue(
            campaign.id, run, campaign.audience, payloads, fallback, int(Priority.BROADCAST), now
        )
        await store.campaigns.transition(
            campaign.id, (S.SENDING,), S.SENDING, now, audience_size=queued
        )
        await self._audit(store, campaign.id, actor, "sending", f"run {run}: {queued} recipients")
        return queued

    async def pause(self, campaign_id: int, actor: str) -> Campaign:
        async with self.stores() as store:
            campaign = await self._get(store, campaign_id)
            await self._move(store, campaign, (S.SENDING, S.SCHEDULED), S.PAUSED)
            held = await store.campaigns.move_rows(
                campaign_id, Status.PENDING.value, Status.PAUSED.value
            )
            await self._audit(store, campaign_id, actor, "paused", f"{held} waiting")
            await store.commit()
        return await self._fresh(campaign_id)

    async def resume(self, campaign_id: int, actor: str) -> Campaign:
        now = self.clock.now()
        async with self.stores() as store:
            campaign = await self._get(store, campaign_id)
            if campaign.status is not S.PAUSED:
                raise CampaignError(self._cannot(campaign, "resume", "paused"))
            released = await store.campaigns.move_rows(
                campaign_id, Status.PAUSED.value, Status.PENDING.value
            )
            progress = await store.campaigns.progress(campaign_id)
            if released or progress.waiting:
                await self._move(store, campaign, (S.PAUSED,), S.SENDING)
            else:
                next_run = campaign.next_run_at
                if campaign.schedule.kind is ScheduleKind.WEEKLY and next_run and next_run < now:
                    next_run = campaign.schedule.next_run(now, self.zone)  # no catching up
                if next_run is None and campaign.runs:
                    await self._move(store, campaign, (S.PAUSED,), S.DONE, finished_at=now)
                else:
                    await self._move(
                        store, campaign, (S.PAUSED,), S.SCHEDULED, next_run_at=next_run or now
                    )
            await self._audit(store, campaign_id, actor, "resumed", f"{released} waiting")
            await store.commit()
        self.signal.notify([])
        return await self._fresh(campaign_id)

    async def cancel(self, campaign_id: int, actor: str) -> Campaign:
        """Stop for good: what has not been handed to a channel yet is not sent."""
        now = self.clock.now()
        async with self.stores() as store:
            campaign = await self._get(store, campaign_id)
            if campaign.status.final:
                raise CampaignError(self._cannot(campaign, "cancel", "not done or cancelled"))
            await self._move(
                store,
                campaign,
                tuple(s for s in S if not s.final),
                S.CANCELLED,
                finished_at=now,
                next_run_at=None,
            )
            withdrawn = 0
            for status in (Status.PENDING, Status.PAUSED):
                withdrawn += await store.campaigns.move_rows(
                    campaign_id, status.value, Status.CANCELLED.value, "campaign-cancelled"
                )
            await self._audit(store, campaign_id, actor, "cancelled", f"{withdrawn} not sent")
            await store.commit()
        return await self._fresh(campaign_id)

    async def progress(self, campaign_id: int) -> Progress:
        """Its outbox rows by what became of them (cheaper than ``stats``: for listings)."""
        async with self.stores() as store:
            await self._get(store, campaign_id)
            return await store.campaigns.progress(campaign_id)

    async def stats(self, campaign_id: int) -> CampaignStats:
        now = self.clock.now()
        async with self.stores() as store:
            campaign = await self._get(store, campaign_id)
            progress = await store.campaigns.progress(campaign_id)
            audience = progress.queued
            if not campaign.runs:
                audience = await store.campaigns.audience_size(campaign.audience, now)
            opted_out = 0
            if campaign.started_at is not None:
                opted_out = await store.campaigns.opted_out_between(
                    campaign_id, campaign.started_at, campaign.finished_at or now
                )
            opens = await store.campaigns.opens(campaign_id)
        return CampaignStats(audience, progress, opted_out, opens)

    # ---- what the schedule does --------------------------------------------------------------

    async def tick(self) -> None:
        """Start the runs that are due; close the runs that have nothing left to send; queue
        the weekly tip when its time has come."""
        now = self.clock.now()
        await self.weekly_tips(now)
        async with self.stores() as store:
            due = await store.campaigns.due(now)
            sending = await store.campaigns.with_status(S.SENDING)
        for campaign in due:
            try:
                async with self.stores() as store:
                    await self._run(store, campaign, (S.SCHEDULED,), now, SYSTEM)
                    await store.commit()
            except CampaignError:
                continue  # another worker started it
            self.signal.notify([])
        for campaign in sending:
            async with self.stores() as store:
                if (await store.campaigns.progress(campaign.id)).waiting:
                    continue
                if campaign.next_run_at is not None:
                    moved = await store.campaigns.transition(
                        campaign.id, (S.SENDING,), S.SCHEDULED, now
                    )
                    action = "run-done"
                else:
                    moved = await store.campaigns.transition(
                        campaign.id, (S.SENDING,), S.DONE, now, finished_at=now
                    )
                    action = "done"
                if moved:
                    await self._audit(store, campaign.id, SYSTEM, action, f"run {campaign.runs}")
                    await store.commit()

    async def weekly_tips(self, now: datetime) -> int:
        """This week's tip to everyone who asked for one, once per week across workers."""
        if self.tip_schedule is None:
            return 0
        week = self.tip_schedule.week_due(now, self.zone)
        if week is None:
            return 0
        library = self.services.content.library
        today = now.astimezone(self.zone).date()
        default = self.services.options.default_locale
        async with self.stores() as store:
            if not await store.campaigns.claim_period(tips.JOB, week):
                return 0
            numbers: dict[tuple[str, str | None, str | None, frozenset[str]], int | None] = {}
            payloads: dict[int, Payload] = {}
            rows = []
            for subscriber in await store.campaigns.tip_subscribers():
                group = tips.group_of(subscriber, default)
                if group not in numbers:
                    payload = tips.tip_payload(library, self.services, group, today)
                    numbers[group] = len(payloads) if payload is not None else None
                    if payload is not None:
                        payloads[len(payloads)] = payload
                number = numbers[group]
                if number is not None:
                    rows.append((subscriber.to, number))
            queued = await store.campaigns.enqueue_notices(
                rows, payloads, "tip", f"tip:{week}", int(Priority.NOTICE), now
            )
            await store.commit()
        log.info("weekly tips queued", extra={"kind": "tip", "count": queued})
        self.signal.notify([])
        return queued

    async def actor(self, by: Actor | None, otherwise: str) -> str:
        """Who an operational step (send, pause…) is recorded as: a member of staff's
        pseudonym when named, else ``otherwise`` (e.g. the console's user)."""
        if by is None:
            return otherwise
        async with self.stores() as store:
            return (await self._staff(store, by, None)).pseudonym

    # ---- helpers -------------------------------------------------------------------------------

    async def _staff(self, store: Store, by: Actor, role: StaffRole | None) -> Staff:
        if isinstance(by, StaffId):
            staff = await store.staff.by_account(by)
            if staff is None:
                raise CampaignError(f"no active member of staff #{by.id}")
        else:
            found = await store.staff.named(by)
            if found is None:
                raise CampaignError(
                    f"no active member of staff named {by!r} (add one: mangnon staff add)"
                )
            staff = found
        if role is not None and not staff.can(role):
            who = by if isinstance(by, str) else staff.pseudonym
            raise CampaignError(f"{who} does not have the {role.value} role")
        return staff

    @staticmethod
    async def _get(store: Store, campaign_id: int) -> Campaign:
        campaign = await store.campaigns.get(campaign_id)
        if campaign is None:
            raise CampaignError(f"no campaign #{campaign_id}")
        return campaign

    async def _fresh(self, campaign_id: int) -> Campaign:
        async with self.stores() as store:
            return await self._get(store, campaign_id)

    async def _move(
        self,
        store: Store,
        campaign: Campaign,
        from_statuses: tuple[S, ...],
        to: S,
        **changes: object,
    ) -> None:
        if campaign.status not in from_statuses:
            allowed = " or ".join(s.value for s in from_statuses)
            raise CampaignError(self._cannot(campaign, to.value, allowed))
        if not await store.campaigns.transition(
            campaign.id, from_statuses, to, self.clock.now(), **changes
        ):
            raise CampaignError(f"campaign #{campaign.id} changed meanwhile; look again")

    @staticmethod
    def _cannot(campaign: Campaign, action: str, allowed: str) -> str:
        return f"campaign #{campaign.id} is {campaign.status.value}: {action} needs it {allowed}"

    async def _audit(
        self, store: Store, campaign_id: int, actor: str, action: str, detail: str = ""
    ) -> None:
        entry = AuditEntry(self.clock.now(), actor[:32], action, detail[:200])
        await store.campaigns.audit(campaign_id, entry)
