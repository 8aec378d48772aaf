""" "Did you mean": other queries for one that matched nothing.

Each query word that is not in the library's vocabulary is replaced by the
nearest vocabulary words: by optimal-string-alignment distance (a swap of two
letters is one edit), then by how many prompts hold the word.  The radius is
wider than the typo expansion of :mod:`bot.search.expansion` (the search has
already tried that).  Words of the vocabulary, CJK runs and words with nothing
near stay as they are.  The result is whole queries, best first, folded
(lower case, no accents), never the query itself.
"""

from __future__ import annotations

from itertools import product
from math import prod

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from bot.search.analysis import is_cjk, key, words
from bot.search.postings import Index

PER_WORD = 3  # nearest vocabulary words tried for one query word
COMBINATIONS = 256  # whole queries ranked at most


def _radius(n: int) -> int:
    """Edits allowed for a word of ``n`` characters."""
    if n <= 2:
        return 0
    if n <= 4:
        return 1
    return 2 if n <= 7 else 3


def _nearest(ix: Index, word: str) -> list[tuple[str, int]]:
    """Up to PER_WORD ``(vocabulary word, distance)``, nearest and commonest first."""
    radius = _radius(len(word))
    if not radius:
        return []
    found = extract(
        word, ix.near(word, radius), scorer=OSA.distance, score_cutoff=radius, limit=None
    )
    found.sort(key=lambda f: (f[1], -ix.df.get(f[0], 0), f[0]))
    return [(term, dist) for term, dist, _ in found[:PER_WORD]]


def suggest(ix: Index, query: str, limit: int = 3) -> list[str]:
    """Up to ``limit`` other queries for ``query`` (see the module docstring)."""
    original = words(key(query.strip()))
    if not original or limit <= 0:
        return []
    options: list[list[tuple[str, int]]] = []
    for word in original:
        near = [] if word in ix.df or is_cjk(word) else _nearest(ix, word)
        options.append(near or [(word, 0)])
    while prod(len(o) for o in options) > COMBINATIONS:  # many unknown words
        longest = max(options, key=len)
        del longest[-1]
    ranked = sorted(
        product(*(list(enumerate(o)) for o in options)),
        key=lambda combo: (sum(c[1][1] for c in combo), sum(c[0] for c in combo)),
    )
    out: list[str] = []
    seen = {" ".join(original)}
    for combo in ranked:
        text = " ".join(word for _, (word, _) in combo)
        if text not in seen:
            seen.add(text)
            out.append(text)
            if len(out) >= limit:
                break
    return out
