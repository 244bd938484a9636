"""Search: a parent's free-text question → the vetted articles that answer it.

``SearchIndex.build(articles, Lexicon.load(path), TopicModel.load(model_path))`` once, then
``index.lookup(question, lang)`` (a ``SearchResult``: hits, confidence, clarify) or
``index.search(question, lang)`` (the hits alone).
"""

from bot.core.search.index import THRESHOLD, ArticleLike, SearchIndex
from bot.core.search.lexicon import Lexicon
from bot.core.search.result import SearchHit, SearchResult
from bot.core.search.topics import MODEL_PATH, TopicModel

__all__ = [
    "MODEL_PATH",
    "THRESHOLD",
    "ArticleLike",
    "Lexicon",
    "SearchHit",
    "SearchIndex",
    "SearchResult",
    "TopicModel",
]
