"""Stage 3, search: ranking prompts for a query.

``analysis`` turns text into search keys (the one place text is tokenised),
``postings`` holds the in-memory inverted index (built by ``inverted``, its
near-duplicate groups by ``duplicates``; ``pack`` stores it as bytes),
``expansion`` widens a query word to typos and prefixes, ``facets`` holds the
category and tag vocabulary, ``engine`` scores and returns ``hits``.  No SQLite,
no Discord.
"""

from bot.search.engine import Hit, SearchEngine
from bot.search.facets import Facets, Named

__all__ = ["Facets", "Hit", "Named", "SearchEngine"]
