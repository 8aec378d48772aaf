"""Stage 3, search: ranking prompts for a query.

``analysis`` turns text into search keys (the one place text is tokenised),
``postings`` holds the in-memory inverted index (built by ``inverted``, its
near-duplicate groups by ``duplicates``; ``pack`` stores it as bytes),
``expansion`` widens a query word to typos and prefixes, ``facets`` holds the
category and tag vocabulary, ``engine`` scores (``coverage`` for every query,
``dense`` and ``bm25`` for descriptions) and returns ``hits``.  No SQLite, no
Discord.

The names below are imported on first use: the processes that build the search
index need the index structures, not the engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.search.engine import Hit, SearchEngine
    from bot.search.facets import Facets, Named

__all__ = ["Facets", "Hit", "Named", "SearchEngine"]
_HOME = {"Hit": "engine", "SearchEngine": "engine", "Facets": "facets", "Named": "facets"}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(import_module(f"bot.search.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
