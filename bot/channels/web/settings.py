"""``WEB_*`` settings (read by ``bot.config``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WebSettings(BaseModel):
    """``WEB_*``: the server everything is mounted on, and the web chat on it."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    chat: bool = True  # WEB_CHAT=false serves only /healthz and the webhooks
