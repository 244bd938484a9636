"""GET /metrics: turns, latency, verdicts, escalations, outbox depth, send errors, cases waiting."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.app import App
from bot.core.services import Services
from bot.metrics import HOST, Metrics, authorised
from bot.serve import build_web_app
from bot.storage.gauges import Gauges
from bot.storage.models import CaseRow, OutboxRow
from tests.conftest import ROOT, settings_for

DISCLOSURE = "my uncle makes me keep a secret about touching me"


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


@dataclass
class Served:
    app: App
    client: TestClient  # type: ignore[type-arg]


@pytest.fixture
async def served(services: Services, database_url: str) -> AsyncIterator[Served]:
    app = App.create(settings_for(database_url=database_url), services=services)
    web_app = build_web_app(app)
    await app.start_channels(web_app)
    async with TestClient(TestServer(web_app)) as client:
        yield Served(app, client)
    await app.close()


async def _scrape(client: TestClient, **headers: str) -> str:  # type: ignore[type-arg]
    res = await client.get("/metrics", headers=headers)
    assert res.status == 200 and res.content_type == "text/plain"
    return await res.text()


async def test_turns_latency_verdicts_and_escalations_are_counted_without_text(
    served: Served,
) -> None:
    session = str(uuid4())
    for body in ({"text": "/start"}, {"button": "lang:en"}, {"text": DISCLOSURE}):
        res = await served.client.post("/api/chat", json={"session": session, **body})
        assert res.status == 200
    text = await _scrape(served.client)
    assert value(text, "mangnon_turns_total", channel="web", outcome="ok") == 3
    assert value(text, "mangnon_turn_seconds_count", channel="web") == 3
    assert value(text, "mangnon_turn_seconds_bucket", channel="web", le="+Inf") == 3
    crisis = {k: v for k, v in samples(text).items() if k[0] == "mangnon_safety_verdicts_total"}
    assert sum(v for k, v in crisis.items() if ("level", "crisis") in k[1]) == 1
    escalated = [k for k in samples(text) if k[0] == "mangnon_escalations_total"]
    assert len(escalated) == 1 and ("channel", "web") in escalated[0][1]
    assert "uncle" not in text and "secret" not in text  # counts only, never what was said
    assert value(text, "mangnon_database_up") == 1


async def test_outbox_depth_and_unacknowledged_cases_come_from_the_database(
    served: Served,
) -> None:
    now = datetime.now(UTC)
    async with served.app.database.session() as session:
        for n, status in enumerate(("pending", "pending", "dead", "sent")):
            session.add(
                OutboxRow(
                    created_at=now,
                    channel="telegram",
                    recipient=str(n),
                    kind="alert",
                    priority=0,
                    payload=[],
                    status=status,
                    available_at=now,
                )
            )
        for minutes, status in ((30, "new"), (1, "new"), (60, "acknowledged")):
            session.add(
                CaseRow(
                    opened_at=now - timedelta(minutes=minutes),
                    category="abuse",
                    severity="high",
                    user_channel="web",
                    user_external_id=str(minutes),
                    pseudonym=f"M-{minutes}",
                    status=status,
                    acknowledged_at=now if status == "acknowledged" else None,
                )
            )
        await session.commit()
    text = await _scrape(served.client)
    assert value(text, "mangnon_outbox_rows", channel="telegram", status="pending") == 2
    assert value(text, "mangnon_outbox_rows", channel="telegram", status="dead") == 1
    assert (
        "mangnon_outbox_rows",
        frozenset({("channel", "telegram"), ("status", "sent")}),
    ) not in (samples(text))
    assert value(text, "mangnon_cases_unacknowledged") == 2
    assert value(text, "mangnon_cases_overdue") == 1  # DESK_ACK_MINUTES is 5
    assert 29 * 60 < value(text, "mangnon_cases_unacknowledged_oldest_seconds") < 31 * 60


async def test_a_database_that_does_not_answer_still_gets_a_scrape(
    services: Services, tmp_path: Path
) -> None:
    # a SQLite file whose tables were never created: every query fails
    app = App.create(
        settings_for(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"),
        services=services,
    )
    async with TestClient(TestServer(build_web_app(app))) as client:
        text = await _scrape(client)
    await app.close()
    assert value(text, "mangnon_database_up") == 0
    assert "mangnon_cases_unacknowledged" not in text


async def test_a_token_setting_guards_the_route(services: Services, database_url: str) -> None:
    settings = settings_for(database_url=database_url, metrics_token="s3cret-metrics-token")
    app = App.create(settings, services=services)
    async with TestClient(TestServer(build_web_app(app))) as client:
        assert (await client.get("/metrics")).status == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status == 401
        await _scrape(client, Authorization="Bearer s3cret-metrics-token")
    await app.close()
    assert authorised(None, None) and not authorised("Basic x", "t")


def test_send_errors_are_counted_by_channel_and_code() -> None:
    metrics = Metrics()
    metrics.delivery("telegram", "sent", "")
    metrics.delivery("telegram", "retry", "429")
    metrics.delivery("telegram", "retry", "429")
    metrics.delivery("zalo", "unreachable", "-213")
    metrics.delivery("zalo", "rejected", "")  # a channel that gave no code
    text = metrics.render(Gauges()).decode()
    assert value(text, "mangnon_send_errors_total", channel="telegram", code="429") == 2
    assert value(text, "mangnon_send_errors_total", channel="zalo", code="-213") == 1
    assert value(text, "mangnon_send_errors_total", channel="zalo", code="unknown") == 1
    assert value(text, "mangnon_outbox_deliveries_total", channel="telegram", result="sent") == 1
    assert (
        "mangnon_send_errors_total",
        frozenset({("channel", "telegram"), ("code", "")}),
    ) not in (samples(text))


def test_several_processes_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    """Two workers count turns into PROMETHEUS_MULTIPROC_DIR; a third renders the sum."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    worker = textwrap.dedent(
        """
        from bot.metrics import Metrics
        m = Metrics()
        for _ in range(3):
            m.turn("telegram", 0.002, None, False)
        m.delivery("telegram", "retry", "429")
        """
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", worker], env=env, cwd=ROOT, check=True)
    render = "from bot.metrics import Metrics; print(Metrics().render(None).decode())"
    out = subprocess.run(
        [sys.executable, "-c", render], env=env, cwd=ROOT, check=True, capture_output=True
    ).stdout.decode()
    assert value(out, "mangnon_turns_total", channel="telegram", outcome="ok") == 6
    assert value(out, "mangnon_turn_seconds_count", channel="telegram") == 6
    assert value(out, "mangnon_send_errors_total", channel="telegram", code="429") == 2
    assert value(out, "mangnon_database_up") == 0
    # files named by host and process: containers sharing a volume are all process 1
    names = [f.name for f in tmp_path.iterdir()]
    assert names and all(f"_{HOST}-" in name for name in names)
