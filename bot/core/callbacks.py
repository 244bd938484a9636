"""Typed button data: what a button sends back, declared once per feature, packed and checked here.

In the spirit of aiogram's ``CallbackData``, without depending on it: a frozen dataclass with a
``prefix`` and typed fields (``str``, ``int``, a ``StrEnum`` or ``bool``) packs to
``prefix:field:field`` and unpacks back, or to ``None`` for anything malformed — a forged button,
an old one whose shape changed, one from another feature. ``pack`` refuses data over
``MAX_BYTES`` (Telegram's limit, the strictest of the channels), so an over-long button fails in
the tests that build it rather than on a user's screen.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from enum import StrEnum
from typing import Any, ClassVar, Self

from bot.core.messages import Button

SEPARATOR = ":"
MAX_BYTES = 64  # Telegram's callback_data limit; channels with more room still get this
_PREFIX = re.compile(r"^[a-z]{1,8}$")
_VALUE = re.compile(r"^[A-Za-z0-9_.+-]*$")


class CallbackDataError(ValueError):
    """Button data that cannot be packed (a bug in the code that builds the button)."""


class CallbackData:
    """Base for button data. Subclasses are frozen dataclasses with a ``prefix`` class variable."""

    prefix: ClassVar[str]
    _registry: ClassVar[dict[str, type[CallbackData]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        prefix = cls.__dict__.get("prefix")
        if prefix is None:
            return
        if not _PREFIX.match(prefix):
            raise CallbackDataError(f"{cls.__name__}: prefix {prefix!r} must be 1-8 a-z letters")
        if prefix in CallbackData._registry:
            raise CallbackDataError(f"{cls.__name__}: prefix {prefix!r} is already used")
        CallbackData._registry[prefix] = cls

    def button(self, label: str) -> Button:
        """A button showing ``label`` that sends this data back."""
        return Button.callback(label, self.pack())

    def pack(self) -> str:
        parts = [self.prefix]
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            text = _encode(value)
            if not _VALUE.match(text):
                raise CallbackDataError(
                    f"{type(self).__name__}.{field.name}: {text!r} has characters a button cannot carry"
                )
            parts.append(text)
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise CallbackDataError(f"{type(self).__name__}: {data!r} is over {MAX_BYTES} bytes")
        return data

    @classmethod
    def unpack(cls, data: str) -> Self | None:
        """This class's data from ``data``, or None when it is not (exactly) one of ours."""
        if len(data.encode()) > MAX_BYTES:
            return None
        prefix, _sep, rest = data.partition(SEPARATOR)
        if prefix != cls.prefix:
            return None
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        values = rest.split(SEPARATOR) if fields else []
        if len(values) != len(fields) or (not fields and rest):
            return None
        hints = typing.get_type_hints(cls)
        kwargs: dict[str, Any] = {}
        for field, raw in zip(fields, values, strict=True):
            if not _VALUE.match(raw):
                return None
            try:
                kwargs[field.name] = _decode(hints[field.name], raw)
            except ValueError:
                return None
        return cls(**kwargs)


def parse(data: str) -> CallbackData | None:
    """Any registered button's data, typed; None for anything else."""
    prefix = data.partition(SEPARATOR)[0]
    kind = CallbackData._registry.get(prefix)
    return kind.unpack(data) if kind is not None else None


def _encode(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, StrEnum):
        return value.value
    return str(value)


def _decode(kind: Any, raw: str) -> object:
    if kind is bool:
        if raw not in ("0", "1"):
            raise ValueError(raw)
        return raw == "1"
    if kind is int:
        if not raw.lstrip("-").isdigit():
            raise ValueError(raw)
        return int(raw)
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        return kind(raw)
    if kind is str:
        if not raw:
            raise ValueError("empty")
        return raw
    raise ValueError(f"unsupported field type {kind!r}")
