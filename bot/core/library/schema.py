"""The typed schema of content files: article front matter, tips and the topic taxonomy."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,78}$")]
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
# a year, a month or a day: "2019", "2019-04", "2019-04-18"
PartialDate = Annotated[str, StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]
# text written once, or once per language: "WHO" or {vi: "Luật Trẻ em", en: "Law on Children"}
Localized = NonEmpty | dict[LangCode, NonEmpty]


def localized(text: Localized, lang: str, fallback: str = "vi") -> str:
    if isinstance(text, str):
        return text
    return text.get(lang) or text.get(fallback) or next(iter(text.values()))


class Audience(StrEnum):
    PARENTS = "parents"
    CHILDREN = "children"
    TEACHERS = "teachers"


class AgeBandTag(StrEnum):
    AGE_0_5 = "0-5"
    AGE_6_10 = "6-10"
    AGE_11_15 = "11-15"
    ALL = "all"


class ReviewLevel(StrEnum):
    """How far an article or tip has been reviewed: ``draft`` → ``internal`` → ``expert``.

    ``retired`` is never served. ``MIN_REVIEW_LEVEL`` says which levels the bot serves.
    """

    DRAFT = "draft"
    INTERNAL = "internal"
    EXPERT = "expert"
    RETIRED = "retired"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def reaches(self, minimum: ReviewLevel) -> bool:
        return self is not ReviewLevel.RETIRED and self.rank >= minimum.rank


_RANKS = {
    ReviewLevel.RETIRED: -1,
    ReviewLevel.DRAFT: 0,
    ReviewLevel.INTERNAL: 1,
    ReviewLevel.EXPERT: 2,
}


class ReviewerRole(StrEnum):
    MEDICAL = "medical"
    LEGAL = "legal"
    CHILD_PROTECTION = "child-protection"
    LANGUAGE = "language"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Review(Strict):
    """Who reviewed a text, when, and when it must be reviewed again."""

    level: ReviewLevel
    reviewer: NonEmpty | None = None
    role: ReviewerRole | None = None
    organisation: NonEmpty | None = None
    reviewed_on: date | None = None
    next_review: date | None = None

    @model_validator(mode="after")
    def _signed(self) -> Review:
        if self.level in (ReviewLevel.INTERNAL, ReviewLevel.EXPERT) and not (
            self.reviewer and self.reviewed_on and self.next_review
        ):
            raise ValueError(
                f"a review at level {self.level.value} needs reviewer, reviewed_on and next_review"
            )
        if self.level is ReviewLevel.EXPERT and not (self.role and self.organisation):
            raise ValueError("an expert review needs the reviewer's role and organisation")
        return self

    def expired(self, today: date) -> bool:
        return self.next_review is not None and self.next_review < today

    def level_for(self, expert_roles: frozenset[str]) -> ReviewLevel:
        """The level this review earns for a topic: on a high-stakes topic (one that names
        ``expert_roles``), ``expert`` counts only when the reviewer has one of those roles."""
        if (
            self.level is ReviewLevel.EXPERT
            and expert_roles
            and (self.role is None or self.role.value not in expert_roles)
        ):
            return ReviewLevel.INTERNAL
        return self.level


class SourceEntry(Strict):
    """One public source in ``content/sources.yaml``; articles and tips cite it by ``id``."""

    id: Slug
    title: Localized
    publisher: Localized
    url: Url | None = None
    citation: Localized | None = None
    date: PartialDate | None = None
    superseded_by: Slug | None = None
    expires: dt.date | None = None  # ``date`` is a field name here
    note: str = ""  # for editors: why it expires, what replaced it

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> object:
        """YAML reads ``2019-04-18`` as a date and ``2019`` as a number: keep both as text."""
        return value.isoformat() if isinstance(value, date) else str(value) if value else value

    @model_validator(mode="after")
    def _findable(self) -> SourceEntry:
        if not self.url and not self.citation:
            raise ValueError("a source needs a url or a legal citation")
        return self


class SourcesFile(Strict):
    sources: list[SourceEntry] = Field(min_length=1)


class SourceRef(Strict):
    """A citation in an article or tip: a source id, and where in it (``at: "Điều 25"``)."""

    id: Slug
    at: NonEmpty | None = None


def _refs(value: object) -> object:
    """``sources: [who-drowning, {id: law-children-2016, at: "Điều 6"}]``: bare ids are refs."""
    if isinstance(value, list):
        return [{"id": v} if isinstance(v, str) else v for v in value]
    return value


class TranslationOf(Strict):
    lang: LangCode
    hash: str = ""


class MediaRef(Strict):
    type: Literal["image", "audio"]
    file: NonEmpty
    lang: LangCode | None = None
    caption: str = ""


class FrontMatter(Strict):
    id: Slug
    lang: LangCode
    topic: Slug
    audiences: list[Audience] = Field(min_length=1)
    age_bands: list[AgeBandTag] = Field(min_length=1)
    title: NonEmpty
    summary: NonEmpty
    questions: list[NonEmpty] = Field(default_factory=list)
    keywords: list[NonEmpty] = Field(default_factory=list)
    sources: list[SourceRef] = Field(min_length=1)
    review: Review
    translation_of: TranslationOf | None = None
    media: list[MediaRef] = Field(default_factory=list)
    related: list[Slug] = Field(default_factory=list)

    _source_refs = field_validator("sources", mode="before")(_refs)

    @field_validator("questions", "keywords", mode="before")
    @classmethod
    def _numbers_as_text(cls, value: object) -> object:
        """Editors write ``- 111`` for a keyword: YAML reads a number, we want the text."""
        if isinstance(value, list):
            return [
                str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                for v in value
            ]
        return value

    @field_validator("summary")
    @classmethod
    def _short_summary(cls, value: str) -> str:
        from bot.core.library.text import sentence_count

        if sentence_count(value) > 3:
            raise ValueError("the summary is the short answer: at most 3 sentences")
        return value


class TipEntry(Strict):
    id: Slug
    topic: Slug
    audiences: list[Audience] = Field(min_length=1)
    age_bands: list[AgeBandTag] = Field(min_length=1)
    text: NonEmpty
    sources: list[SourceRef] = Field(min_length=1)

    _source_refs = field_validator("sources", mode="before")(_refs)


class TipFile(Strict):
    review: Review
    tips: list[TipEntry]


class SnippetFrontMatter(Strict):
    """A shared instruction (``content/snippets/<id>.<lang>.md``) that articles include."""

    id: Slug
    lang: LangCode
    title: NonEmpty  # for editors and reviewers
    sources: list[SourceRef] = Field(min_length=1)
    # phrases that mean "this text gives this instruction": an article whose own text uses one
    # must include the snippet instead of restating it
    markers: list[NonEmpty] = Field(min_length=1)
    # phrasings of superseded guidance: an error wherever they appear in this language
    outdated: list[NonEmpty] = Field(default_factory=list)
    translation_of: TranslationOf | None = None

    _source_refs = field_validator("sources", mode="before")(_refs)


class TopicEntry(Strict):
    id: Slug
    name: dict[str, NonEmpty]
    # a high-stakes topic: only a reviewer with one of these roles can raise it to "expert"
    expert_roles: list[ReviewerRole] = Field(default_factory=list)
    # its articles carry first-aid steps: in an emergency the crisis answer links the best match
    first_aid: bool = False


class PillarEntry(Strict):
    id: Slug
    icon: str = ""
    name: dict[str, NonEmpty]
    topics: list[TopicEntry] = Field(min_length=1)


class TopicsFile(Strict):
    pillars: list[PillarEntry] = Field(min_length=1)


def source_hash(title: str, summary: str, body: str) -> str:
    """Identifies one version of an article's text; translations record it."""
    text = "\n".join(part.strip() for part in (title, summary, body))
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode()).hexdigest()[:12]
