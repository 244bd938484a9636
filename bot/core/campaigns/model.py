"""A campaign as plain data: what it says in each language, to whom, when, and where it stands.

Status: draft → submitted → approved → scheduled → sending → done, plus paused and cancelled.
Four eyes: the member of staff who approves is never the one who wrote or submitted it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # waiting for a second person's approval
    APPROVED = "approved"  # may be sent (or armed, when it has a schedule)
    SCHEDULED = "scheduled"  # waiting for its time (or its next weekly run)
    SENDING = "sending"  # rows in the outbox being delivered
    DONE = "done"
    PAUSED = "paused"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in (CampaignStatus.DONE, CampaignStatus.CANCELLED)


class ScheduleKind(StrEnum):
    NOW = "now"  # when an operator says send
    AT = "at"  # once, at a time
    WEEKLY = "weekly"  # every week on a day and time, until a date


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Schedule:
    kind: ScheduleKind = ScheduleKind.NOW
    at: datetime | None = None  # AT: aware
    weekday: int = 0  # WEEKLY: 0 = Monday
    local_time: time = time(8, 0)  # WEEKLY: local time
    until: date | None = None  # WEEKLY: the last day a run may start (local)

    def first_run(self, now: datetime, zone: ZoneInfo) -> datetime | None:
        """When the first run is due, once armed (None: at once)."""
        if self.kind is ScheduleKind.AT:
            return self.at
        if self.kind is ScheduleKind.WEEKLY:
            return self._weekly_from(now, zone)
        return None

    def next_run(self, after: datetime, zone: ZoneInfo) -> datetime | None:
        """The run after one that started at ``after`` (None: no more runs)."""
        if self.kind is not ScheduleKind.WEEKLY:
            return None
        return self._weekly_from(after + timedelta(minutes=1), zone)

    def _weekly_from(self, moment: datetime, zone: ZoneInfo) -> datetime | None:
        local = moment.astimezone(zone)
        day = local.date() + timedelta(days=(self.weekday - local.weekday()) % 7)
        candidate = datetime.combine(day, self.local_time, tzinfo=zone)
        if candidate < local:
            candidate += timedelta(days=7)
        if self.until is not None and candidate.date() > self.until:
            return None
        return candidate

    def describe(self) -> str:
        if self.kind is ScheduleKind.AT and self.at is not None:
            return f"at {self.at.isoformat(timespec='minutes')}"
        if self.kind is ScheduleKind.WEEKLY:
            until = f" until {self.until.isoformat()}" if self.until else ""
            return f"weekly on {WEEKDAYS[self.weekday]} at {self.local_time:%H:%M}{until}"
        return "when sent"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "at": self.at.isoformat() if self.at else None,
            "weekday": self.weekday,
            "time": self.local_time.strftime("%H:%M"),
            "until": self.until.isoformat() if self.until else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schedule:
        return cls(
            kind=ScheduleKind(data.get("kind", "now")),
            at=datetime.fromisoformat(data["at"]) if data.get("at") else None,
            weekday=int(data.get("weekday", 0)),
            local_time=time.fromisoformat(data.get("time", "08:00")),
            until=date.fromisoformat(data["until"]) if data.get("until") else None,
        )


@dataclass(frozen=True)
class ArticleLink:
    """A "read more" button: an article of the library, with the label the author chose."""

    article: str
    label: str | None = None  # None: the article's title in the recipient's language


@dataclass(frozen=True)
class Message:
    """What a campaign says in one language: the library's Markdown, media, buttons."""

    lang: str
    text: str
    image: str | None = None  # a file under CONTENT_DIR
    audio: str | None = None
    buttons: tuple[ArticleLink, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "image": self.image,
            "audio": self.audio,
            "buttons": [{"article": b.article, "label": b.label} for b in self.buttons],
        }

    @classmethod
    def from_json(cls, lang: str, data: dict[str, Any]) -> Message:
        return cls(
            lang=lang,
            text=str(data["text"]),
            image=data.get("image"),
            audio=data.get("audio"),
            buttons=tuple(
                ArticleLink(str(b["article"]), b.get("label")) for b in data.get("buttons", ())
            ),
        )


@dataclass(frozen=True)
class Audience:
    """Who a campaign goes to: subscribers (never anyone else) who match every filter given.

    An empty filter matches everyone; ``topics`` match subscribers who chose one of them or
    chose no topic (all); ``age_bands`` match a student's own band or the band of the child a
    parent subscribed tips for; ``communes`` are official commune codes.
    """

    languages: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    active_days: int | None = None  # wrote to the bot within this many days
    channels: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "languages": list(self.languages),
            "roles": list(self.roles),
            "age_bands": list(self.age_bands),
            "communes": list(self.communes),
            "topics": list(self.topics),
            "active_days": self.active_days,
            "channels": list(self.channels),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(
            languages=tuple(data.get("languages", ())),
            roles=tuple(data.get("roles", ())),
            age_bands=tuple(data.get("age_bands", ())),
            communes=tuple(data.get("communes", ())),
            topics=tuple(data.get("topics", ())),
            active_days=data.get("active_days"),
            channels=tuple(data.get("channels", ())),
        )

    def describe(self) -> str:
        parts = [
            f"{name}: {', '.join(values)}"
            for name, values in (
                ("languages", self.languages),
                ("roles", self.roles),
                ("age bands", self.age_bands),
                ("communes", self.communes),
                ("topics", self.topics),
                ("channels", self.channels),
            )
            if values
        ]
        if self.active_days is not None:
            parts.append(f"active within {self.active_days} days")
        return "all subscribers" + (f" ({'; '.join(parts)})" if parts else "")


@dataclass(frozen=True)
class CampaignDraft:
    """A campaign as written, before it is stored."""

    title: str
    messages: dict[str, Message]
    audience: Audience = field(default_factory=Audience)
    schedule: Schedule = field(default_factory=Schedule)
    source: str = ""


@dataclass(frozen=True)
class Campaign:
    id: int
    title: str
    status: CampaignStatus
    messages: dict[str, Message]
    audience: Audience
    schedule: Schedule
    created_at: datetime
    source: str = ""
    author: str | None = None  # staff pseudonyms
    submitted_by: str | None = None
    approved_by: str | None = None
    audience_size: int | None = None
    next_run_at: datetime | None = None
    runs: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    detail: str = ""


@dataclass(frozen=True)
class Progress:
    """A campaign's outbox rows by what became of them."""

    queued: int = 0
    sent: int = 0
    failed: int = 0  # dead letters: gave up after retries, or refused
    unreachable: int = 0  # blocked the bot, or out of the channel's window
    cancelled: int = 0  # withdrawn: the campaign was cancelled, or the user opted out
    opted_out: int = 0  # of the cancelled: the user opted out before it reached them
    waiting: int = 0  # not sent yet (pending, in flight, or paused)

    @property
    def finished(self) -> int:
        return self.queued - self.waiting


@dataclass(frozen=True)
class CampaignStats:
    audience: int  # how many the audience matched when last queued (or now, before that)
    progress: Progress
    opted_out: int  # recipients who opted out while the campaign ran (before or after theirs)
    opens: int  # presses of the campaign's "read more" buttons

    def to_json(self) -> dict[str, int]:
        p = self.progress
        return {
            "audience": self.audience,
            "queued": p.queued,
            "sent": p.sent,
            "failed": p.failed,
            "unreachable": p.unreachable,
            "cancelled": p.cancelled,
            "waiting": p.waiting,
            "opted_out": self.opted_out,
            "opens": self.opens,
        }
