"""The typed schema of content files: article front matter, tips and the topic taxonomy."""

from __future__ import annotations

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


class Audience(StrEnum):
    PARENTS = "parents"
    CHILDREN = "children"
    TEACHERS = "teachers"


class AgeBandTag(StrEnum):
    AGE_0_5 = "0-5"
    AGE_6_10 = "6-10"
    AGE_11_15 = "11-15"
    ALL = "all"


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    title: NonEmpty
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    citation: NonEmpty | None = None

    @model_validator(mode="after")
    def _url_or_citation(self) -> Source:
        if not self.url and not self.citation:
            raise ValueError("a source needs a url or a legal citation")
        return self


class Review(Strict):
    status: ReviewStatus
    reviewed_by: NonEmpty | None = None
    reviewed_on: date | None = None
    review_due: date | None = None

    @model_validator(mode="after")
    def _approved_is_signed(self) -> Review:
        if self.status is ReviewStatus.APPROVED and not (
            self.reviewed_by and self.reviewed_on and self.review_due
        ):
            raise ValueError("an approved review needs reviewed_by, reviewed_on and review_due")
        return self

    def servable(self, today: date) -> bool:
        return (
            self.status is ReviewStatus.APPROVED
            and self.review_due is not None
            and today <= self.review_due
        )


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
    sources: list[Source] = Field(min_length=1)
    review: Review
    translation_of: TranslationOf | None = None
    media: list[MediaRef] = Field(default_factory=list)
    related: list[Slug] = Field(default_factory=list)

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
    sources: list[Source] = Field(min_length=1)


class TipFile(Strict):
    review: Review
    tips: list[TipEntry]


class TopicEntry(Strict):
    id: Slug
    name: dict[str, NonEmpty]
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
