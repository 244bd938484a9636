"""The vetted content library."""

from bot.core.library.library import Found, Library
from bot.core.library.model import Article, Level, Pillar, Problem, Tip, Topic

__all__ = ["Article", "Found", "Level", "Library", "Pillar", "Problem", "Tip", "Topic"]
