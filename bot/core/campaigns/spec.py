"""A campaign file (YAML) → a :class:`CampaignDraft`, or errors naming the file, line and field.

    title: Tháng hành động vì trẻ em
    messages:
      vi:
        text: |
          **Tháng 6 là Tháng hành động vì trẻ em.** ...
        image: media/campaigns/june.jpg        # optional, under CONTENT_DIR
        audio: media/campaigns/june.vi.ogg     # optional
        buttons:
          - article: drowning-prevention       # a "read more" button to a library article
            label: "Đọc thêm"                  # optional: the article's title by default
      en:
        text: ...
    audience:                                  # every filter optional; only subscribers
      languages: [vi, en]
      roles: [parent, teacher]                 # parent, child, teacher, other
      age_bands: [0-5, 6-10]                   # 0-5, 6-10, 11-15, 16+
      communes: [Gio Linh, "19363"]            # names or official codes
      topics: [injury]                         # pillars: rights, abuse, injury, care, help
      active_within_days: 90
      channels: [telegram]
    schedule: now                              # or {at: 2027-06-01 08:00}
                                               # or {weekly: {day: monday, time: "08:00", until: 2027-06-30}}

Times are local (``TIMEZONE``). The default language's message is required: everyone else gets
their own language or, failing that, it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core.callbacks import MAX_BYTES
from bot.core.campaigns.model import (
    WEEKDAYS,
    ArticleLink,
    Audience,
    CampaignDraft,
    Message,
    Schedule,
    ScheduleKind,
)

ROLES = ("parent", "child", "teacher", "other")
AGE_BANDS = ("0-5", "6-10", "11-15", "16+")
MAX_TEXT = 3500  # characters of Markdown: one message on every channel, with room for notes
ARTICLE_DATA = f"cmp:{10**6}:"  # what a "read more" button carries besides the article id


class CampaignFileError(ValueError):
    """A campaign file (or form) that cannot be used: each line of ``problems`` names
    file:line: field (a form's: field)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Button(_Strict):
    article: str = Field(min_length=1)
    label: str | None = Field(None, min_length=1, max_length=60)


class _Message(_Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    image: str | None = None
    audio: str | None = None
    buttons: list[_Button] = Field(default_factory=list, max_length=5)


class _Audience(_Strict):
    languages: list[str] = Field(default_factory=list)
    roles: list[Literal["parent", "child", "teacher", "other"]] = Field(default_factory=list)
    age_bands: list[Literal["0-5", "6-10", "11-15", "16+"]] = Field(default_factory=list)
    communes: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    active_within_days: int | None = Field(None, ge=1, le=3650)
    channels: list[str] = Field(default_factory=list)

    @field_validator("communes", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return [str(v) for v in value] if isinstance(value, list) else value


class _Weekly(_Strict):
    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    time: time
    until: date | None = None

    @field_validator("time", mode="before")
    @classmethod
    def _sexagesimal(cls, value: Any) -> Any:
        """YAML 1.1 reads an unquoted 08:00 as the number 480 (minutes): take it as a time."""
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            return time(value // 60, value % 60)
        return value


class _At(_Strict):
    at: datetime


class _Every(_Strict):
    weekly: _Weekly


class _File(_Strict):
    title: str = Field(min_length=1, max_length=200)
    messages: dict[str, _Message] = Field(min_length=1)
    audience: _Audience = Field(default_factory=_Audience)
    schedule: str | dict[str, Any] = "now"  # checked on its own: see _schedule_model


@dataclass(frozen=True)
class Checks:
    """What a file is checked against: the deployment's languages, library and communes."""

    default_locale: str
    languages: Callable[[str], bool]
    article: Callable[[str], bool]
    pillars: frozenset[str]
    commune: Callable[[str], str | None]  # a name or code → the code, None if unknown/ambiguous
    media: Callable[[str], bool]  # a path under CONTENT_DIR that exists
    channels: frozenset[str]
    zone: ZoneInfo


def _lines(text: str) -> dict[tuple[str | int, ...], int]:
    """The line (1-based) of every key and list item, by its path in the document."""
    lines: dict[tuple[str | int, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[str | int, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[(*path, key.value)] = key.start_mark.line + 1
                walk(value, (*path, key.value))
                lines[(*path, key.value)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    root = yaml.compose(text)
    if root is not None:
        walk(root, ())
    return lines


def _line(lines: dict[tuple[str | int, ...], int], path: tuple[str | int, ...]) -> int:
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1


def _field(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path) or "(file)"


def load(path: Path, checks: Checks) -> CampaignDraft:
    """Read and check a campaign file; raises CampaignFileError listing every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignFileError([f"{path}: cannot read the file: {exc}"]) from None
    return parse(text, checks, str(path))


def parse(text: str, checks: Checks, name: str = "<campaign>") -> CampaignDraft:
    try:
        data = yaml.safe_load(text)
        lines = _lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise CampaignFileError(
            [f"{name}:{line}: invalid YAML: {getattr(exc, 'problem', exc)}"]
        ) from None
    if not isinstance(data, dict):
        raise CampaignFileError([f"{name}:1: a campaign file is a mapping (title, messages, ...)"])
    return _check(data, checks, name, lambda path: f"{name}:{_line(lines, path)}: ")


def from_data(data: dict[str, Any], checks: Checks, name: str = "admin form") -> CampaignDraft:
    """A campaign given as data in the file's shape (the web admin's compose form), checked
    exactly as a file is; each problem names its field (``messages.vi.text: ...``)."""
    return _check(data, checks, name, lambda path: "")


Where = Callable[[tuple[str | int, ...]], str]  # a problem's prefix: "file:line: " or nothing


def _check(data: dict[str, Any], checks: Checks, name: str, where: Where) -> CampaignDraft:
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        raise CampaignFileError(
            [
                f"{where(path)}{_field(path)}: {err['msg']}"
                for err in exc.errors()
                for path in [tuple(p for p in err["loc"] if not _is_union_tag(p))]
            ]
        ) from None
    problems: list[str] = []

    def problem(path: tuple[str | int, ...], message: str) -> None:
        problems.append(f"{where(path)}{_field(path)}: {message}")

    schedule = _schedule_model(parsed.schedule, problem)
    draft = _draft(parsed, schedule, checks, problem, name)
    if problems:
        raise CampaignFileError(problems)
    return draft


def _is_union_tag(part: str | int) -> bool:
    """pydantic names the union member it tried (``str``, ``dict[...]``): not a field."""
    return isinstance(part, str) and (part in ("str", "int") or "[" in part)


Problem = Callable[[tuple[str | int, ...], str], None]


def _schedule_model(value: str | dict[str, Any], problem: Problem) -> _At | _Every | None:
    """``now``, ``{at: …}`` or ``{weekly: …}``, each checked as what it says it is."""
    if value == "now":
        return None
    kind: type[_At] | type[_Every] | None = None
    if isinstance(value, dict) and set(value) == {"at"}:
        kind = _At
    elif isinstance(value, dict) and set(value) == {"weekly"}:
        kind = _Every
    if kind is None:
        problem(
            ("schedule",),
            "one of: now, {at: 2027-06-01 08:00}, {weekly: {day: monday, time: '08:00'}}",
        )
        return None
    try:
        return kind.model_validate(value)
    except ValidationError as exc:
        for err in exc.errors():
            problem(("schedule", *err["loc"]), err["msg"])
        return None


def _draft(
    parsed: _File,
    schedule: _At | _Every | None,
    checks: Checks,
    problem: Problem,
    name: str,
) -> CampaignDraft:
    if checks.default_locale not in parsed.messages:
        problem(
            ("messages",),
            f"a message in {checks.default_locale!r} is required: it is what everyone whose "
            "language is missing gets",
        )
    messages: dict[str, Message] = {}
    for lang, message in parsed.messages.items():
        where: tuple[str | int, ...] = ("messages", lang)
        if not checks.languages(lang):
            problem(where, f"unknown language {lang!r} (see locales/languages.yaml)")
        for kind in ("image", "audio"):
            media = getattr(message, kind)
            if media is not None and not checks.media(media):
                problem((*where, kind), f"no file {media!r} under the content folder")
        for index, button in enumerate(message.buttons):
            if not checks.article(button.article):
                problem((*where, "buttons", index, "article"), f"no article {button.article!r}")
            elif len((ARTICLE_DATA + button.article).encode()) > MAX_BYTES:
                problem((*where, "buttons", index, "article"), "article id too long for a button")
        messages[lang] = Message(
            lang=lang,
            text=message.text,
            image=message.image,
            audio=message.audio,
            buttons=tuple(ArticleLink(b.article, b.label) for b in message.buttons),
        )
    audience = parsed.audience
    for index, lang in enumerate(audience.languages):
        if not checks.languages(lang):
            problem(("audience", "languages", index), f"unknown language {lang!r}")
    for index, topic in enumerate(audience.topics):
        if topic not in checks.pillars:
            known = ", ".join(sorted(checks.pillars))
            problem(("audience", "topics", index), f"unknown topic {topic!r} (one of: {known})")
    for index, channel in enumerate(audience.channels):
        if channel not in checks.channels:
            problem(("audience", "channels", index), f"unknown channel {channel!r}")
    communes = []
    for index, value in enumerate(audience.communes):
        code = checks.commune(value)
        if code is None:
            problem(
                ("audience", "communes", index),
                f"no single commune matches {value!r} (write its full name or its code)",
            )
        else:
            communes.append(code)
    return CampaignDraft(
        title=parsed.title,
        messages=messages,
        audience=Audience(
            languages=tuple(audience.languages),
            roles=tuple(audience.roles),
            age_bands=tuple(audience.age_bands),
            communes=tuple(dict.fromkeys(communes)),
            topics=tuple(audience.topics),
            active_days=audience.active_within_days,
            channels=tuple(audience.channels),
        ),
        schedule=_schedule(schedule, checks.zone),
        source=Path(name).name[:200],
    )


def _schedule(value: _At | _Every | None, zone: ZoneInfo) -> Schedule:
    if isinstance(value, _At):
        at = value.at if value.at.tzinfo else value.at.replace(tzinfo=zone)
        return Schedule(ScheduleKind.AT, at=at)
    if isinstance(value, _Every):
        weekly = value.weekly
        return Schedule(
            ScheduleKind.WEEKLY,
            weekday=WEEKDAYS.index(weekly.day),
            local_time=weekly.time,
            until=weekly.until,
        )
    return Schedule()
