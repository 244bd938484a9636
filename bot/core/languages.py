"""The language registry (data in ``locales/languages.yaml``): names, fallbacks, formatting."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")
    endonym: str = Field(min_length=1)
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    script: str = "Latn"
    plural_forms: str = "nplurals=1; plural=0;"
    format_locale: str = "vi"
    fallbacks: list[str] = Field(default_factory=lambda: ["vi"])
    cldr: bool = False
    pseudo: bool = False


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


class LanguageRegistry:
    def __init__(self, languages: list[Language]) -> None:
        self._by_code = {lang.code: lang for lang in languages}

    @classmethod
    def load(cls, path: Path) -> LanguageRegistry:
        try:
            parsed = _File.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError, ValidationError) as exc:
            raise ValueError(f"{path}: invalid language registry: {exc}") from exc
        return cls([Language(**{**e.model_dump(), "fallbacks": tuple(e.fallbacks)}) for e in parsed.languages])

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Language | None:
        return self._by_code.get(code)

    @property
    def codes(self) -> list[str]:
        return list(self._by_code)

    def chains(self) -> dict[str, tuple[str, ...]]:
        return {code: lang.fallbacks for code, lang in self._by_code.items()}

    def fallbacks(self, code: str) -> tuple[str, ...]:
        lang = self._by_code.get(code)
        return tuple(dict.fromkeys((code, *(lang.fallbacks if lang else ()), "vi")))
