"""The language registry (data in ``locales/languages.yaml``): names, fallbacks, formatting.

Adding a language is a data change: an entry here, then ``mangnon i18n init CODE``. Which
languages users may pick is decided by :func:`offered`, from each catalog's coverage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from babel import Locale, UnknownLocaleError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SOURCE_LANG = "vi"  # the content's source language and every language's last fallback
INTERFACE_SOURCE = "en"  # the interface's msgids are English
CONFIRMABLE = ("endonym", "name_vi", "script", "plural_forms")

_PLURAL_FORMS = r"^nplurals=[1-6]; ?plural=[^;]+;$"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")
    endonym: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    script: str = Field("Latn", pattern=r"^[A-Z][a-z]{3}$")
    plural_forms: str = Field("nplurals=1; plural=0;", pattern=_PLURAL_FORMS)
    format_locale: str = "vi"
    fallbacks: list[str] = Field(default_factory=lambda: [SOURCE_LANG])
    cldr: bool = False
    pseudo: bool = False
    to_confirm: list[str] = Field(default_factory=list)

    @field_validator("format_locale")
    @classmethod
    def _babel_knows_it(cls, value: str) -> str:
        try:
            Locale.parse(value)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(
                f"format_locale {value!r} has no CLDR data; borrow one (e.g. vi)"
            ) from exc
        return value

    @field_validator("to_confirm")
    @classmethod
    def _known_fields(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(CONFIRMABLE))
        if unknown:
            raise ValueError(f"to_confirm may list {', '.join(CONFIRMABLE)}; not {unknown}")
        return value


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    languages: list[_Entry] = Field(min_length=1)


@dataclass(frozen=True)
class Language:
    code: str
    endonym: str
    name_vi: str
    name_en: str
    script: str
    plural_forms: str
    format_locale: str
    fallbacks: tuple[str, ...]
    cldr: bool
    pseudo: bool
    to_confirm: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The picker's label: the endonym first, then the Vietnamese name when different."""
        return self.endonym if self.endonym == self.name_vi else f"{self.endonym} ({self.name_vi})"


def _check(languages: list[Language]) -> None:
    codes = [lang.code for lang in languages]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValueError(f"duplicate language codes: {', '.join(duplicates)}")
    if SOURCE_LANG not in codes:
        raise ValueError(f"the source language {SOURCE_LANG!r} must be registered")
    for lang in languages:
        unknown = [f for f in lang.fallbacks if f not in codes or f == lang.code]
        if unknown:
            raise ValueError(
                f"{lang.code}: fallbacks must be other registered codes, not {unknown}"
            )


class LanguageRegistry:
    def __init__(self, languages: list[Language]) -> None:
        self._by_code = {lang.code: lang for lang in languages}

    @classmethod
    def load(cls, path: Path) -> LanguageRegistry:
        try:
            parsed = _File.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
            languages = [
                Language(
                    **{
                        **e.model_dump(),
                        "fallbacks": tuple(e.fallbacks),
                        "to_confirm": tuple(e.to_confirm),
                    }
                )
                for e in parsed.languages
            ]
            _check(languages)
        except (OSError, yaml.YAMLError, ValidationError, ValueError) as exc:
            raise ValueError(f"{path}: invalid language registry: {exc}") from exc
        return cls(languages)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Language]:
        return iter(self._by_code.values())

    def get(self, code: str) -> Language | None:
        return self._by_code.get(code)

    @property
    def codes(self) -> list[str]:
        return list(self._by_code)

    @property
    def real(self) -> list[Language]:
        """Every language a user could be offered (pseudo-locales excluded), in registry order."""
        return [lang for lang in self._by_code.values() if not lang.pseudo]

    def chains(self) -> dict[str, tuple[str, ...]]:
        return {code: lang.fallbacks for code, lang in self._by_code.items()}

    def fallbacks(self, code: str) -> tuple[str, ...]:
        lang = self._by_code.get(code)
        return tuple(dict.fromkeys((code, *(lang.fallbacks if lang else ()), SOURCE_LANG)))

    def format_locales(self) -> dict[str, str]:
        return {code: lang.format_locale for code, lang in self._by_code.items()}


@dataclass(frozen=True)
class Offer:
    code: str
    beta: bool  # below the coverage threshold, shown only when the beta setting is on


def offered(
    registry: LanguageRegistry,
    coverage: Callable[[str], float],
    min_coverage: float,
    default_locale: str = SOURCE_LANG,
    beta: bool = False,
) -> list[Offer]:
    """The language picker's choices, in registry order.

    The default locale and the interface's source language are always offered; another language
    when its catalog covers at least ``min_coverage`` of the interface, or, with ``beta``, when
    some of it is translated (marked beta). Pseudo-locales are never offered.
    """
    offers: list[Offer] = []
    for lang in registry.real:
        share = coverage(lang.code)
        if lang.code in (default_locale, INTERFACE_SOURCE) or share >= min_coverage:
            offers.append(Offer(lang.code, beta=False))
        elif beta and share > 0:
            offers.append(Offer(lang.code, beta=True))
    return offers
