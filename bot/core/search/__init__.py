"""Search: a parent's free-text question → the vetted articles that answer it.

``SearchIndex.build(articles, Lexicon.load(path))`` once, then ``index.search(question, lang)``.
"""

from bot.core.search.index import THRESHOLD, ArticleLike, SearchHit, SearchIndex
from bot.core.search.lexicon import Lexicon

__all__ = ["THRESHOLD", "ArticleLike", "Lexicon", "SearchHit", "SearchIndex"]
