"""``ADMIN_*`` settings (read by ``bot.config``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AdminSettings(BaseModel):
    """``ADMIN_*``: the web admin at ``/admin`` (case desk, editors, reports, accounts)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True  # ADMIN_ENABLED=false: no /admin routes at all
    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)  # signed out after this long idle
    session_hours: int = Field(12, ge=1, le=7 * 24)  # and after this long, whatever happens
    secure_cookie: bool = True  # the session cookie only over HTTPS (and http://localhost)
    max_failures: int = Field(5, ge=1, le=100)  # wrong passwords before an account is locked
    lock_minutes: int = Field(15, ge=1, le=24 * 60)
    address_failures: int = Field(20, ge=1, le=10_000)  # failures from one address per window
    window_minutes: int = Field(15, ge=1, le=24 * 60)
    presence_minutes: int = Field(3, ge=1, le=60)  # a desk page seen this recently is on duty
