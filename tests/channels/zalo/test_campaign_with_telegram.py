"""One campaign run reaches subscribers on Telegram and on Zalo (issue #20): the whole server
with both channels configured against their fake APIs, over real HTTP; each subscriber gets the
campaign once, in their language, with the channel's own buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.channel import TelegramChannel
from bot.core.campaigns.model import CampaignStatus
from bot.core.cases.model import StaffRole
from bot.core.services import Services
from tests.channels.zalo.conftest import Zalo, with_a_desk, zalo_settings
from tests.conftest import settings_for
from tests.fakes import telegram_updates as tg
from tests.fakes.telegram_api import Call as TelegramCall
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

ZALO_USER = "7701234567890000001"
TELEGRAM_USER = 4242

CAMPAIGN = """\
title: Mùa hè an toàn
messages:
  vi:
    text: "**Mùa hè** an toàn: dạy trẻ bơi ở nơi có người lớn trông."
    buttons:
      - article: drowning-prevention
        label: "Đọc thêm"
  en:
    text: "A safe **summer**: children learn to swim where an adult watches."
    buttons:
      - article: drowning-prevention
audience:
  roles: [parent]
"""


@dataclass
class Both(Zalo):
    """The Zalo harness with Telegram (polling the fake Bot API) configured as well."""

    telegram: FakeTelegram | None = None
    telegram_settings: dict[str, Any] = field(default_factory=dict)

    async def start(self) -> Both:
        from aiohttp.test_utils import TestClient, TestServer

        from bot.app import App
        from bot.serve import build_web_app

        settings = settings_for(
            database_url=self.database_url,
            zalo=self.settings,
            telegram=self.telegram_settings,
            admin={"enabled": False},
            campaigns={"quiet_hours": ""},  # the real clock: any hour of the day
        )
        self.app = App.create(settings, services=self.services)
        web_app = build_web_app(self.app)
        await self.app.start_channels(web_app)
        self.client = TestClient(TestServer(web_app))
        await self.client.start_server()
        return self

    @property
    def telegram_channel(self) -> TelegramChannel:
        assert self.app is not None
        (channel,) = [c for c in self.app.channels if isinstance(c, TelegramChannel)]
        return channel

    async def telegram_push(self, *updates: dict[str, Any]) -> None:
        assert self.telegram is not None
        ids = self.telegram.push(*updates)
        await self.telegram.wait_confirmed(ids[-1])
        await self.telegram_channel.idle()
        await self.settle()

    async def telegram_press(self, prefix: str) -> None:
        assert self.telegram is not None
        for call in reversed(self.telegram.sent(TELEGRAM_USER)):
            for data in call.callbacks():
                if data.startswith(prefix):
                    await self.telegram_push(tg.callback(TELEGRAM_USER, data))
                    return
        raise AssertionError(f"no Telegram button {prefix!r}")

    async def press_if_offered(self, user: str, prefix: str) -> None:
        for call in reversed(self.fake.sent(user)[-2:]):
            if any(p.startswith("#" + prefix) for p in call.choices()):
                await self.press(user, prefix)
                return


@pytest.fixture
async def both(fake_zalo: FakeZalo, services: Services, database_url: str) -> AsyncIterator[Both]:
    async with FakeTelegram() as telegram:
        harness = Both(
            fake_zalo,
            with_a_desk(services),
            database_url,
            zalo_settings(fake_zalo),
            telegram=telegram,
            telegram_settings={"bot_token": telegram.token, "api_server": telegram.url},
        )
        try:
            yield await harness.start()
        finally:
            await harness.close()


async def subscribe_on_zalo(both: Both) -> None:
    await both.onboard(ZALO_USER)  # English, parent
    await both.say(ZALO_USER, "/subscribe")
    await both.press(ZALO_USER, "freq:campaigns")
    await both.press_if_offered(ZALO_USER, "subdone")


async def subscribe_on_telegram(both: Both) -> None:
    await both.telegram_push(tg.text(TELEGRAM_USER, "/start"))
    await both.telegram_press("lang:vi")
    await both.telegram_press("role:parent")
    await both.telegram_press("commune:")
    await both.telegram_press("consent:")
    await both.telegram_push(tg.text(TELEGRAM_USER, "/subscribe"))
    await both.telegram_press("freq:campaigns")
    assert both.telegram is not None
    if any(d.startswith("subdone") for d in both.telegram.sent(TELEGRAM_USER)[-1].callbacks()):
        await both.telegram_press("subdone")


def campaign_calls(calls: list[TelegramCall]) -> list[TelegramCall]:
    return [c for c in calls if "Mùa hè" in c.text or "summer" in c.text]


async def test_one_campaign_run_reaches_telegram_and_zalo_subscribers(
    both: Both, tmp_path: Path
) -> None:
    await subscribe_on_zalo(both)
    await subscribe_on_telegram(both)
    assert both.app is not None and both.telegram is not None
    campaigns = both.app.campaigns
    async with both.app.database.store() as store:  # an author and a different approver
        now = both.app.pipeline.clock.now()
        await store.staff.add("Lan", frozenset({StaffRole.EDITOR}), now)
        await store.staff.add("Minh", frozenset({StaffRole.APPROVER}), now)
        await store.commit()
    path = tmp_path / "summer.yaml"
    path.write_text(CAMPAIGN, encoding="utf-8")
    campaign = await campaigns.create(path, by="Lan")
    await campaigns.submit(campaign.id, "Lan")
    await campaigns.approve(campaign.id, "Minh")
    sending = await campaigns.send(campaign.id, "console:test")
    assert sending.audience_size == 2

    await both.settle()  # one dispatcher run drains both channels
    zalo = [c for c in both.fake.sent(ZALO_USER) if "summer" in c.text]
    telegram = campaign_calls(both.telegram.sent(TELEGRAM_USER))
    assert len(zalo) == 1 and len(telegram) == 1  # once each, in their own language
    assert "Mùa hè" in telegram[0].text and "**" not in telegram[0].text  # rendered, not raw
    assert "summer" in zalo[0].text and "**" not in zalo[0].text
    assert any(d.startswith(f"cmp:{campaign.id}:") for d in telegram[0].callbacks())
    zalo_buttons = [p for call in both.fake.sent(ZALO_USER) for p in call.choices()]
    assert any(p.startswith(f"#cmp:{campaign.id}:") for p in zalo_buttons)

    await campaigns.tick()
    stats = await campaigns.stats(campaign.id)
    assert (stats.audience, stats.progress.sent, stats.progress.waiting) == (2, 2, 0)
    done, _ = await campaigns.get(campaign.id)
    assert done.status is CampaignStatus.DONE
    await both.settle()  # nothing more goes out: each person reached once
    assert len([c for c in both.fake.sent(ZALO_USER) if "summer" in c.text]) == 1
    assert len(campaign_calls(both.telegram.sent(TELEGRAM_USER))) == 1
