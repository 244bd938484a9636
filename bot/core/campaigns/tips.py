"""The weekly tip for those who asked for it (``/subscribe`` → "a weekly tip"): once a week, at
``CAMPAIGNS_TIP_DAY`` and ``CAMPAIGNS_TIP_TIME``, each such subscriber gets one vetted tip for
their language, their role, the age band they chose (their own, for a student) and their topics.

The tip of the week is the same for everyone in the same group (it is chosen by the week's
number, not by the person), so the run queues a handful of shared payloads and one outbox row
per subscriber (``Priority.NOTICE``: quiet hours hold it; ``/stop`` withdraws it). Each week
runs once across workers: the ``periodic`` table records the last week done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.core.buttons import TopicButton, Unsubscribe
from bot.core.campaigns.ports import Payload, TipSubscriber
from bot.core.dialog.browse import AUDIENCE
from bot.core.i18n import _, use_locale
from bot.core.library import Library
from bot.core.messages import Reply, reply_to_data
from bot.core.profile import Role
from bot.core.services import Services

JOB = "weekly-tip"


@dataclass(frozen=True)
class TipSchedule:
    weekday: int = 0  # Monday
    at: time = time(8, 0)

    def week_due(self, now: datetime, zone: ZoneInfo) -> str | None:
        """This week's key once the tip's time has come this week, else None."""
        local = now.astimezone(zone)
        if (local.weekday(), local.time()) < (self.weekday, self.at):
            return None
        year, week, _day = local.isocalendar()
        return f"{year}-W{week:02d}"


def _week_number(today: date) -> int:
    return today.toordinal() // 7


def group_of(
    subscriber: TipSubscriber, default_locale: str
) -> tuple[str, str | None, str | None, frozenset[str]]:
    role = Role(subscriber.role) if subscriber.role in set(Role) else None
    audience = AUDIENCE.get(role) if role else None
    age = subscriber.age_band if role is Role.CHILD and subscriber.age_band != "16+" else None
    return (
        subscriber.locale or default_locale,
        audience,
        age or subscriber.child_age,
        subscriber.topics,
    )


def tip_payload(
    library: Library,
    services: Services,
    group: tuple[str, str | None, str | None, frozenset[str]],
    today: date,
) -> Payload | None:
    """The week's tip for a group, as stored replies (None: no tip fits)."""
    locale, audience, age, topics = group
    tips = library.tips_for(locale, today, audience, age)
    if topics:
        tips = [t for t in tips if library.topics[t.topic].pillar in topics] or tips
    if not tips:
        return None
    tip = tips[_week_number(today) % len(tips)]
    with use_locale(services.catalogs, locale):
        sources = "; ".join(source.title for source in tip.sources)
        text = (
            f"💡 {tip.text}\n\n"
            + _("Sources: {sources}").format(sources=sources)
            + "\n\n"
            + _("To stop these messages, send /stop.")
        )
        rows = []
        if library.topic_has_content(tip.topic, locale, today):
            rows.append((TopicButton(tip.topic).button(_("📖 Learn more")),))
        rows.append((Unsubscribe().button(_("🔕 Stop these messages")),))
    return [reply_to_data(Reply(text, buttons=tuple(rows)))]
