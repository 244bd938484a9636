"""Campaigns end to end on SQLite and PostgreSQL: four eyes, audiences, one message per
recipient in their language, pause/resume/cancel, quiet hours, schedules, statistics."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from bot.core.campaigns.model import CampaignStatus
from bot.core.campaigns.service import CampaignError, Campaigns
from bot.core.campaigns.tips import TipSchedule
from bot.core.cases.model import StaffRole
from bot.core.dispatcher import Dispatcher, LocalSignal
from bot.core.hours import parse_hours
from bot.core.messages import Inbound, UserRef
from bot.core.outbox import Delivery, Envelope, Priority, Result
from bot.core.pipeline import Pipeline
from bot.core.quiet import QuietHours
from bot.core.services import Services
from bot.storage.database import Database
from bot.storage.models import OutboxRow, UserRow
from bot.storage.outbox import SqlOutboxQueue
from tests.conftest import ROOT, FakeClock

CONTENT = ROOT / "content"

CAMPAIGN = """\
title: Phòng chống đuối nước
messages:
  vi:
    text: "**Mùa hè** an toàn: dạy trẻ bơi."
    buttons:
      - article: drowning-prevention
        label: "Đọc thêm"
  en:
    text: "A safe **summer**: teach children to swim."
    buttons:
      - article: drowning-prevention
audience:
  roles: [parent]
{extra}
"""


class Recorder:
    """A push channel: records each envelope; answers from a script by recipient."""

    def __init__(self, answers: dict[str, Result] | None = None) -> None:
        self.got: list[Envelope] = []
        self.answers = answers or {}

    async def deliver(self, envelope: Envelope) -> Delivery:
        self.got.append(envelope)
        result = self.answers.get(envelope.to.external_id, Result.SENT)
        return Delivery(result, error="" if result is Result.SENT else "x", ref="m1")


async def add_users(database: Database, clock: FakeClock, *users: dict[str, Any]) -> None:
    rows = []
    for n, user in enumerate(users):
        rows.append(
            {
                "channel": "test",
                "external_id": user.pop("id", f"u{n}"),
                "locale": "vi",
                "role": "parent",
                "subscribed": True,
                "frequency": "campaigns",
                "topics": "",
                "commune": None,
                "child_age": None,
                "age_band": None,
                "opted_out": False,
                "blocked": False,
                "state": "ready",
                "state_data": {},
                "created_at": clock.now(),
                "last_seen_at": clock.now(),
                "consent_by": "self",
                "consent_at": clock.now(),
                **user,
            }
        )
    async with database.engine.begin() as conn:
        await conn.execute(insert(UserRow.__table__), rows)


@pytest.fixture
async def campaigns(
    database: Database, services: Services, clock: FakeClock, tmp_path: Path
) -> Campaigns:
    service = Campaigns(
        database.store,
        services,
        clock,
        LocalSignal(),
        services.desk.zone,
        CONTENT,
        channels=frozenset({"test", "telegram", "web"}),
    )
    async with database.store() as store:
        await store.staff.add("Lan", frozenset({StaffRole.EDITOR}), clock.now())
        await store.staff.add("Minh", frozenset({StaffRole.APPROVER}), clock.now())
        await store.staff.add(
            "Hoa",
            frozenset({StaffRole.EDITOR, StaffRole.APPROVER}),
            clock.now(),
            UserRef("telegram", "555"),
        )
        await store.commit()
    return service


def write(tmp_path: Path, extra: str = "", name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(CAMPAIGN.format(extra=extra), encoding="utf-8")
    return path


async def approved(campaigns: Campaigns, tmp_path: Path, extra: str = "") -> int:
    campaign = await campaigns.create(write(tmp_path, extra), by="Lan")
    await campaigns.submit(campaign.id, "Lan")
    await campaigns.approve(campaign.id, "Minh")
    return campaign.id


def dispatcher(database: Database, clock: FakeClock, channel: Recorder, **quiet: Any) -> Dispatcher:
    queue = SqlOutboxQueue(database.engine, QuietHours(**quiet) if quiet else QuietHours(None))
    return Dispatcher(queue, {"test": channel}, clock, "w1")


async def drain(d: Dispatcher) -> None:
    while await d.drain_once():
        pass


async def test_four_eyes_and_every_step_in_the_audit_log(
    campaigns: Campaigns, tmp_path: Path
) -> None:
    campaign = await campaigns.create(write(tmp_path), by="Hoa")
    assert campaign.status is CampaignStatus.DRAFT and campaign.author
    with pytest.raises(CampaignError, match="needs it submitted"):
        await campaigns.approve(campaign.id, "Minh")  # not submitted yet
    await campaigns.submit(campaign.id, "Hoa")
    with pytest.raises(CampaignError, match="four eyes"):
        await campaigns.approve(campaign.id, "Hoa")  # the author, although an approver
    with pytest.raises(CampaignError, match="approver role"):
        await campaigns.approve(campaign.id, "Lan")
    with pytest.raises(CampaignError, match="no active member"):
        await campaigns.approve(campaign.id, "Nobody")
    approved_campaign = await campaigns.approve(campaign.id, "Minh")
    assert approved_campaign.status is CampaignStatus.APPROVED
    _campaign, audit = await campaigns.get(campaign.id)
    assert [e.action for e in audit] == ["created", "submitted", "approved"]
    assert audit[-1].actor == approved_campaign.approved_by != approved_campaign.author


async def test_the_audience_is_subscribers_matching_every_filter(
    campaigns: Campaigns, database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    old = clock.now() - timedelta(days=100)
    await add_users(
        database,
        clock,
        {"id": "match"},
        {"id": "also", "topics": ",injury,", "commune": "19495"},
        {"id": "teacher", "role": "teacher"},
        {"id": "unsubscribed", "subscribed": False},
        {"id": "stopped", "opted_out": True},
        {"id": "blocked", "blocked": True},
        {"id": "other-topics", "topics": ",abuse,"},
        {"id": "asleep", "last_seen_at": old},
        {"id": "elsewhere", "commune": "19597"},
    )
    extra = "  topics: [injury]\n  active_within_days: 30\n  communes: [Gio Linh]\n"
    campaign_id = await approved(campaigns, tmp_path, extra)
    preview = await campaigns.preview(campaign_id)
    assert preview.audience == 1  # "also": the only one in Gio Linh
    wide = await approved(campaigns, tmp_path, "  topics: [injury]\n  active_within_days: 30\n")
    assert (await campaigns.preview(wide)).audience == 3  # match, also, elsewhere


async def test_each_recipient_gets_one_message_in_their_language_or_vietnamese_said_so(
    campaigns: Campaigns, database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    await add_users(
        database, clock, {"id": "vi"}, {"id": "en", "locale": "en"}, {"id": "bru", "locale": "bru"}
    )
    campaign_id = await approved(campaigns, tmp_path)
    sending = await campaigns.send(campaign_id, "console:test")
    assert sending.status is CampaignStatus.SENDING and sending.audience_size == 3
    with pytest.raises(CampaignError):
        await campaigns.send(campaign_id, "console:test")  # never twice
    channel = Recorder()
    await drain(dispatcher(database, clock, channel))
    by_user = {e.to.external_id: e.replies[0] for e in channel.got}
    assert sorted(by_user) == ["bru", "en", "vi"]  # once each
    assert "Mùa hè" in by_user["vi"].text and "summer" in by_user["en"].text
    bru = by_user["bru"].text  # no Bru message: the Vietnamese one, saying so first
    assert "Mùa hè" in bru and bru.startswith(("This message is not yet", "Tin nhắn này chưa"))
    assert all(r.markdown and "/stop" in r.text for r in by_user.values())
    buttons = [b.value for row in by_user["en"].buttons for b in row]
    assert f"cmp:{campaign_id}:drowning-prevention" in buttons and "unsub" in buttons
    async with database.session() as session:
        rows = (await session.execute(select(OutboxRow))).scalars().all()
        payloads = {r.payload_id for r in rows}
    assert all(r.payload is None and r.message_ref == "m1" for r in rows)  # no text per row
    assert len(payloads) == 3  # one per language
    await campaigns.tick()
    stats = await campaigns.stats(campaign_id)
    assert (stats.audience, stats.progress.sent, stats.progress.waiting) == (3, 3, 0)
    campaign, audit = await campaigns.get(campaign_id)
    assert campaign.status is CampaignStatus.DONE and audit[-1].action == "done"


async def test_pause_resume_and_cancel(
    campaigns: Campaigns, database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    await add_users(database, clock, *({"id": f"p{i}"} for i in range(5)))
    campaign_id = await approved(campaigns, tmp_path)
    await campaigns.send(campaign_id, "console:test")
    await campaigns.pause(campaign_id, "console:test")
    channel = Recorder()
    d = dispatcher(database, clock, channel)
    await drain(d)
    assert channel.got == []  # paused rows wait
    resumed = await campaigns.resume(campaign_id, "console:test")
    assert resumed.status is CampaignStatus.SENDING
    await d.drain_once()
    assert len(channel.got) == 5
    other = await approved(campaigns, tmp_path)
    await campaigns.send(other, "console:test")
    cancelled = await campaigns.cancel(other, "console:test")
    assert cancelled.status is CampaignStatus.CANCELLED
    await drain(d)
    assert len(channel.got) == 5
    stats = await campaigns.stats(other)
    assert stats.progress.cancelled == 5 and stats.progress.waiting == 0


async def test_quiet_hours_hold_campaigns_not_case_messages(
    campaigns: Campaigns, database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    await add_users(database, clock, {"id": "night"})
    clock.current = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)  # 22:00 in Hà Nội time
    campaign_id = await approved(campaigns, tmp_path)
    await campaigns.send(campaign_id, "console:test")
    async with database.store() as store:
        from bot.core.messages import Reply
        from bot.core.outbox import Outgoing

        await store.outbox.enqueue(
            Outgoing(UserRef("test", "night"), (Reply("case"),)), clock.now()
        )
        await store.commit()
    channel = Recorder()
    d = dispatcher(database, clock, channel, hours=parse_hours("21:00-07:00"))
    await drain(d)
    assert [e.replies[0].text for e in channel.got] == ["case"]
    clock.current = datetime(2026, 12, 2, 0, 1, tzinfo=UTC)  # 07:01
    await drain(d)
    assert len(channel.got) == 2


async def test_a_scheduled_campaign_starts_at_its_time_and_a_weekly_one_every_week(
    campaigns: Campaigns, database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    await add_users(database, clock, {"id": "a"})
    at_id = await approved(campaigns, tmp_path, "schedule: {at: 2026-12-01 18:00}")
    scheduled = await campaigns.send(at_id, "console:test")
    assert scheduled.status is CampaignStatus.SCHEDULED
    await campaigns.tick()
    assert (await campaigns.stats(at_id)).progress.queued == 0  # 16:00 local: not yet
    clock.advance(hours=2)
    await campaigns.tick()
    assert (await campaigns.stats(at_id)).progress.queued == 1

    weekly = await approved(
        campaigns, tmp_path, "schedule: {weekly: {day: tuesday, time: '08:00', until: 2026-12-16}}"
    )
    first = await campaigns.send(weekly, "console:test")
    assert first.status is CampaignStatus.SCHEDULED and first.next_run_at is not None
    channel = Recorder()
    d = dispatcher(database, clock, channel)
    runs = 0
    for _day in range(16):
        clock.advance(days=1)
        await campaigns.tick()
        await drain(d)
        await campaigns.tick()
    runs = sum(1 for e in channel.got if e.replies and "Mùa hè" in e.replies[0].text)
    campaign, _audit = await campaigns.get(weekly)
    assert campaign.runs == 2 and campaign.status is CampaignStatus.DONE  # 8 and 15 December
    assert runs >= 2


async def test_statistics_count_sent_failed_unreachable_opted_out_and_opens(
    campaigns: Campaigns,
    database: Database,
    clock: FakeClock,
    tmp_path: Path,
    services: Services,
) -> None:
    await add_users(
        database, clock, {"id": "ok"}, {"id": "gone"}, {"id": "broken"}, {"id": "quits"}
    )
    campaign_id = await approved(campaigns, tmp_path)
    await campaigns.send(campaign_id, "console:test")
    pipeline = Pipeline(services, database.store, clock=clock)
    await pipeline.handle(Inbound(UserRef("test", "quits"), text="dừng"))  # before its message
    channel = Recorder({"gone": Result.UNREACHABLE, "broken": Result.REJECTED})
    await drain(dispatcher(database, clock, channel))
    await pipeline.handle(
        Inbound(UserRef("test", "ok"), callback=f"cmp:{campaign_id}:drowning-prevention")
    )
    await pipeline.handle(
        Inbound(UserRef("test", "ok"), callback=f"cmp:{campaign_id}:drowning-prevention")
    )
    await pipeline.handle(Inbound(UserRef("test", "ok"), text="stop"))  # after its message
    stats = (await campaigns.stats(campaign_id)).to_json()
    assert stats == {
        "audience": 4,
        "queued": 4,
        "sent": 1,
        "failed": 1,
        "unreachable": 1,
        "cancelled": 1,
        "waiting": 0,
        "opted_out": 2,
        "opens": 2,
    }


async def test_a_test_send_goes_to_the_staff_members_own_account_at_once(
    campaigns: Campaigns, database: Database, tmp_path: Path
) -> None:
    campaign = await campaigns.create(write(tmp_path), by="Lan")
    assert await campaigns.test(campaign.id, "Hoa") == ["vi", "en"]
    with pytest.raises(CampaignError, match="no chat account"):
        await campaigns.test(campaign.id, "Lan")
    async with database.session() as session:
        rows = (await session.execute(select(OutboxRow))).scalars().all()
    assert [(r.channel, r.recipient, r.priority) for r in rows] == [("telegram", "555", 0)] * 2
    _campaign, audit = await campaigns.get(campaign.id)
    assert audit[-1].action == "test-sent"


async def test_queuing_a_run_twice_reaches_each_person_once(
    campaigns: Campaigns, database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    await add_users(database, clock, {"id": "a"}, {"id": "b"})
    campaign_id = await approved(campaigns, tmp_path)
    await campaigns.send(campaign_id, "console:test")
    campaign, _ = await campaigns.get(campaign_id)
    async with database.store() as store:
        again = await store.campaigns.enqueue(
            campaign_id, campaign.runs, campaign.audience, {}, [{"text": "x"}], 9, clock.now()
        )
        await store.commit()
    async with database.session() as session:
        count = (await session.execute(select(func.count()).select_from(OutboxRow))).scalar_one()
    assert (again, count) == (0, 2)


async def test_the_weekly_tip_goes_once_a_week_to_those_who_asked_for_it(
    campaigns: Campaigns, database: Database, clock: FakeClock
) -> None:
    await add_users(
        database,
        clock,
        {"id": "parent", "frequency": "weekly", "child_age": "0-5", "topics": ",injury,"},
        {
            "id": "student",
            "frequency": "weekly",
            "role": "child",
            "age_band": "11-15",
            "locale": "en",
        },
        {"id": "campaigns-only"},
        {"id": "stopped", "frequency": "weekly", "opted_out": True},
    )
    campaigns.tip_schedule = TipSchedule(weekday=0, at=time(8, 0))  # Monday 08:00
    assert await campaigns.weekly_tips(clock.now()) == 2  # a Tuesday: this week's is due
    assert await campaigns.weekly_tips(clock.now()) == 0  # once a week
    channel = Recorder()
    await drain(dispatcher(database, clock, channel))
    tips = {e.to.external_id: e.replies[0].text for e in channel.got}
    assert sorted(tips) == ["parent", "student"]
    assert all(text.startswith("💡") and "/stop" in text for text in tips.values())
    assert all(e.priority == Priority.NOTICE for e in channel.got)
    clock.advance(days=7)
    assert await campaigns.weekly_tips(clock.now()) == 2
