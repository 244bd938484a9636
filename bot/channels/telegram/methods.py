"""Bot API calls on the hot path, kept lean, and aiogram's response classes kept alive.

Measured with ``bench/bench_telegram.py`` (py-spy), two costs of aiogram's defaults:

- aiogram parses every answer into its full type: sendMessage's becomes a whole ``Message``
  (chat, sender, entities, our own keyboard echoed back), which the sender throws away.
  :class:`SendText` is aiogram's SendMessage, same API method and fields, with a slim return
  type: the id of the message sent, the rest of the answer ignored; and its body is simply
  pydantic's dump of what the sender gave.
- pydantic keeps parametrised generic classes such as ``Response[Message]`` in a weak cache,
  and under load the garbage collector drops them, so aiogram rebuilds one (a full schema
  build) on the next call: ``Response[Message]`` was rebuilt 59 times in three benchmark
  rounds. :class:`PinnedResponses` holds the ones this channel uses for as long as it runs.
"""

from __future__ import annotations

from typing import Any, ClassVar

from aiogram.methods.base import Response, TelegramMethod
from aiogram.types import InlineKeyboardMarkup, LinkPreviewOptions, Message, Update, User
from pydantic import BaseModel, ConfigDict


class Sent(BaseModel):
    """What the sender needs back from sendMessage: that it worked, and the message's id."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    message_id: int


class SendText(TelegramMethod[Sent]):
    """sendMessage (https://core.telegram.org/bots/api#sendmessage), answered with :class:`Sent`."""

    __returning__: ClassVar[type[Sent]] = Sent
    __api_method__: ClassVar[str] = "sendMessage"

    chat_id: int
    text: str
    parse_mode: str | None = None
    reply_markup: InlineKeyboardMarkup | None = None
    link_preview_options: LinkPreviewOptions | None = None
    allow_paid_broadcast: bool | None = None  # campaign messages, when the operator pays

    def payload(self) -> dict[str, Any]:
        """The call as JSON values. Only what the sender gave: no aiogram default to resolve and
        no file, so pydantic's own dump is the whole work (aiogram's walk is ~10x slower)."""
        return self.model_dump(exclude_unset=True, exclude_none=True)


class PinnedResponses:
    """Strong references to the ``Response[...]`` classes the channel's calls are answered with."""

    # sendMessage; media sends; answerCallbackQuery, setMyCommands, webhooks; getMe; getUpdates
    TYPES: ClassVar[tuple[Any, ...]] = (Sent, Message, bool, User, list[Update])

    def __init__(self) -> None:
        self.classes: tuple[type[BaseModel], ...] = tuple(
            Response[t]  # type: ignore[valid-type]
            for t in self.TYPES
        )
