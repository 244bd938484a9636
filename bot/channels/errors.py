"""The error a channel raises at start when its settings cannot work (kept light: the CLI imports
it to print the message and exit 2, without loading any channel)."""

from __future__ import annotations


class ChannelConfigError(ValueError):
    """A channel's settings cannot work (found at start); the message names the setting."""
