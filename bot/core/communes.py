"""The province's communes (``content/communes.yaml``): look one up by part of its name.

Users type part of the name, with or without accents, in any case, with or without "xã"/
"phường" in front: "gio linh", "Gio Linh", "xa gio linh" and "giolinh" all find Xã Gio Linh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.core.textnorm import fold, strip_accents

KINDS = ("xã", "phường", "đặc khu")
_PREFIX = re.compile(r"^(xa|phuong|dac khu|thi tran)\s+")
_NON_WORD = re.compile(r"[^\w]+")
MAX_CHOICES = 8


class _Unit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    kind: str
    name: str


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: dict[str, str]
    province: str
    units: list[_Unit]


@dataclass(frozen=True)
class Commune:
    code: str  # the official code: what is stored
    kind: str  # xã, phường or đặc khu
    name: str

    @property
    def label(self) -> str:
        return f"{self.kind.capitalize()} {self.name}"


def _key(text: str) -> str:
    """Lower case, no accents, no "xã"/"phường" in front, single spaces."""
    plain = _NON_WORD.sub(" ", strip_accents(fold(text))).strip()
    return _PREFIX.sub("", plain)


class CommuneDirectory:
    def __init__(self, communes: list[Commune], province: str = "") -> None:
        self.communes = communes
        self.province = province
        self._by_code = {c.code: c for c in communes}
        self._keys = [(_key(c.name), c) for c in communes]

    @classmethod
    def empty(cls) -> CommuneDirectory:
        return cls([])

    @classmethod
    def load(cls, path: Path) -> CommuneDirectory:
        """Raises ValueError naming the file when it is broken."""
        try:
            data = _File.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError, ValidationError) as exc:
            raise ValueError(f"{path}: invalid commune list: {exc}") from exc
        communes = [Commune(u.code, u.kind, u.name) for u in data.units]
        for unit in communes:
            if unit.kind not in KINDS:
                raise ValueError(f"{path}: {unit.code}: kind must be one of {', '.join(KINDS)}")
        if len({c.code for c in communes}) != len(communes):
            raise ValueError(f"{path}: a code is used twice")
        return cls(communes, data.province)

    def __len__(self) -> int:
        return len(self.communes)

    def get(self, code: str | None) -> Commune | None:
        return self._by_code.get(code) if code else None

    def search(self, text: str) -> list[Commune]:
        """Communes whose name matches what was typed: the exact name alone if there is one,
        else names that start with it, then names that contain it (at most MAX_CHOICES)."""
        query = _key(text)
        if not query:
            return []
        squeezed = query.replace(" ", "")
        exact = [c for key, c in self._keys if key == query or key.replace(" ", "") == squeezed]
        if exact:
            return exact
        starts = [c for key, c in self._keys if key.startswith(query)]
        glued = len(squeezed) >= 4  # "giolinh": typed without the space
        inside = [
            c
            for key, c in self._keys
            if c not in starts
            and (f" {query}" in f" {key}" or (glued and squeezed in key.replace(" ", "")))
        ]
        return (starts + inside)[:MAX_CHOICES]

    def resolve(self, value: str) -> Commune | None:
        """A code, or a name that matches exactly one commune (campaign audiences)."""
        if value in self._by_code:
            return self._by_code[value]
        found = self.search(value)
        return found[0] if len(found) == 1 else None
