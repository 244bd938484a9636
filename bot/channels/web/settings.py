"""``WEB_*`` settings (read by ``bot.config``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WebSettings(BaseModel):
    """``WEB_*``: the server everything is mounted on, and the web chat on it."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    chat: bool = True  # WEB_CHAT=false serves only /healthz and the webhooks
    # new conversations (session ids not seen within the window) one client address may start
    # per window; over it a message gets only the safety check (its crisis answer) or a 429
    new_sessions_per_address: int = Field(60, ge=1, le=1_000_000)
    new_sessions_window_minutes: int = Field(10, ge=1, le=1440)
    # behind a reverse proxy (Caddy, nginx): the client address is the last X-Forwarded-For hop
    trust_forwarded: bool = False
