"""Retention: conversation-derived data past its limit goes, counts and audit trails stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.storage.database import Database
from bot.storage.models import (
    AdminAuditRow,
    CaseAuditRow,
    CaseMessageRow,
    CaseRow,
    EventRow,
    FeedbackRow,
    OutboxPayloadRow,
    OutboxRow,
    UnansweredRow,
    UserRow,
)
from bot.storage.retention import claim_today, run_retention

NOW = datetime(2027, 6, 1, 3, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=400)
RECENT = NOW - timedelta(days=10)


def _outbox(at: datetime, status: str, recipient: str, **extra: object) -> OutboxRow:
    return OutboxRow(
        created_at=at,
        channel="telegram",
        recipient=recipient,
        kind="alert",
        priority=0,
        payload=None,
        status=status,
        available_at=at,
        **extra,
    )


def _case(opened: datetime, status: str, closed: datetime | None, who: str) -> CaseRow:
    return CaseRow(
        opened_at=opened,
        category="abuse",
        severity="high",
        user_channel="telegram",
        user_external_id=who,
        pseudonym=f"M-{who}",
        status=status,
        closed_at=closed,
        outcome="supported" if closed else None,
    )


async def _seed(database: Database) -> None:
    async with database.session() as session:
        user = UserRow(channel="telegram", external_id="42", created_at=OLD, last_seen_at=OLD)
        session.add(user)
        await session.flush()
        session.add_all(
            [
                UnansweredRow(at=OLD, lang="vi", text="câu hỏi cũ"),
                UnansweredRow(at=RECENT, lang="vi", text="câu hỏi mới"),
                FeedbackRow(at=OLD, article_id="burns", lang="vi", helpful=True, user_id=user.id),
                FeedbackRow(
                    at=RECENT, article_id="burns", lang="vi", helpful=False, user_id=user.id
                ),
                EventRow(at=OLD, kind="unanswered", channel="telegram", data={}),
            ]
        )
        payload = OutboxPayloadRow(created_at=OLD, payload=[{"text": "chiến dịch"}])
        orphan = OutboxPayloadRow(created_at=OLD, payload=[{"text": "bỏ"}])
        session.add_all([payload, orphan])
        await session.flush()
        session.add_all(
            [
                _outbox(OLD, "sent", "1"),
                _outbox(OLD, "dead", "2"),
                _outbox(OLD, "pending", "3"),  # not done yet: kept, however old
                _outbox(RECENT, "sent", "4"),
                _outbox(OLD, "sent", "5", campaign_id=7, payload_id=payload.id, dedupe_key="c7:5"),
            ]
        )
        closed_long_ago = _case(
            OLD - timedelta(days=2000), "closed", OLD - timedelta(days=1900), "a"
        )
        closed_lately = _case(OLD, "closed", RECENT, "b")
        still_open = _case(OLD - timedelta(days=2000), "acknowledged", None, "c")
        session.add_all([closed_long_ago, closed_lately, still_open])
        await session.flush()
        for case in (closed_long_ago, closed_lately, still_open):
            session.add(
                CaseMessageRow(case_id=case.id, at=case.opened_at, direction="user", text="lời kể")
            )
            session.add(
                CaseAuditRow(case_id=case.id, at=case.opened_at, actor="TV-1", action="ack")
            )
        await session.commit()


async def _count(database: Database, model: type, *where: object) -> int:
    async with database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_old_conversation_data_goes_and_the_counts_stay(database: Database) -> None:
    await _seed(database)
    report = await run_retention(database, NOW, days=365, case_days=1825)
    assert report.counts == {
        ("unanswered", "deleted"): 1,
        ("feedback", "anonymised"): 1,
        ("outbox", "deleted"): 2,
        ("outbox", "anonymised"): 1,
        ("outbox_payloads", "deleted"): 1,
        ("case_messages", "deleted"): 1,
        ("cases", "anonymised"): 1,
    }
    async with database.session() as session:
        assert (await session.scalars(select(UnansweredRow.text))).all() == ["câu hỏi mới"]
        feedback = (await session.execute(select(FeedbackRow.at, FeedbackRow.user_id))).all()
        # both still count for the article; only the recent one still points at the user
        assert len(feedback) == 2 and sorted(u is None for _at, u in feedback) == [False, True]
        outbox = {r.recipient: r for r in (await session.scalars(select(OutboxRow))).all()}
        assert set(outbox) == {"3", "4", ""}  # pending and recent kept; the campaign row blanked
        assert outbox[""].campaign_id == 7 and outbox[""].dedupe_key is None
        cases = {c.pseudonym: c for c in (await session.scalars(select(CaseRow))).all()}
        assert set(cases) == {"M-a", "M-b", "M-c"}  # every case still counts in reports
        assert cases["M-a"].user_external_id == "" and cases["M-a"].outcome == "supported"
        assert cases["M-b"].user_external_id == "b" and cases["M-c"].user_external_id == "c"
        said = (await session.scalars(select(CaseMessageRow.case_id))).all()
        assert sorted(said) == sorted([cases["M-b"].id, cases["M-c"].id])
        audit = (await session.scalars(select(AdminAuditRow))).all()
    assert await _count(database, CaseAuditRow) == 3  # the case audit trail is kept
    assert await _count(database, EventRow) == 1  # anonymous aggregates are kept
    assert len(audit) == 1 and audit[0].action == "retention.run"
    assert audit[0].actor == "system" and "unanswered.d=1" in audit[0].detail
    assert "câu" not in audit[0].detail

    again = await run_retention(database, NOW, days=365, case_days=1825)
    assert set(again.counts.values()) == {0} and again.summary() == "nothing"


async def test_a_shorter_case_limit_reaches_recently_closed_cases(database: Database) -> None:
    await _seed(database)
    report = await run_retention(database, NOW, days=365, case_days=5)
    assert report.counts["case_messages", "deleted"] == 2
    assert await _count(database, CaseMessageRow) == 1  # the open case keeps its conversation


async def test_one_worker_a_day_runs_it(database: Database) -> None:
    assert await claim_today(database, "2027-06-01")
    assert not await claim_today(database, "2027-06-01")
    assert await claim_today(database, "2027-06-02")
    assert not await claim_today(database, "2027-06-01")


def test_the_command_prints_what_it_deleted_per_table(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/r.db")
    monkeypatch.setenv("RETENTION_DAYS", "30")
    monkeypatch.chdir(str(tmp_path))
    assert main(["retention", "run"]) == 0
    out = capsys.readouterr().out
    assert "(30 days)" in out and "unanswered: 0 deleted" in out
    assert "case_messages: 0 deleted" in out and "outbox: 0 deleted" in out
