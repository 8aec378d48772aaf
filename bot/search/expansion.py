"""Query expansion: each query token becomes the index terms it may mean.

A token matches a term exactly (similarity 1), as the prefix of a longer term
when it is the half-typed last word, or within one edit (two for long words)
when the user made a typo.  Expansions feed both the per-field inverted indexes.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extract

from bot.search.analysis import is_cjk, stem
from bot.search.postings import Index

SIM_PREFIX = 0.9
SIM_STEM = 0.85
SIM_EDIT1 = 0.8
SIM_EDIT2 = 0.6
MAX_FUZZY = 8
MAX_STEM = 6


class Expansion(NamedTuple):
    """An index term a query token may mean, how close it is (1: the token
    itself) and its rarity.  (A tuple: a description makes hundreds, and a
    frozen dataclass cost twice as much to make.)"""

    term: str
    sim: float
    idf: float


_IDF = attrgetter("idf")


def rarest(expansions: Sequence[Expansion], default: float) -> float:
    """The idf of a token's rarest expansion (``default``: it has none)."""
    return max(map(_IDF, expansions), default=default)


def _max_edits(n: int) -> int:
    if n >= 8:
        return 2
    if n >= 4:
        return 1
    return 0


def expand(ix: Index, token: str, *, last: bool, fuzzy: bool = True) -> list[Expansion]:
    """The terms ``token`` may stand for, best first (``fuzzy=False``: no typo
    variants for a half-typed last word that already has prefix matches)."""
    out: dict[str, float] = {}  # term -> its best similarity

    def add(term: str, sim: float) -> None:
        if out.get(term, -1.0) < sim:
            out[term] = sim

    if token in ix.df:
        add(token, 1.0)
    if is_cjk(token):
        if last and len(token) == 1:
            for term in ix.prefixed(token, 32, short=False):
                add(term, SIM_PREFIX)
        return _expansions(ix, out)
    if last:
        cap = (4, 8, 32)[min(len(token), 3) - 1]
        for term in ix.prefixed(token, cap) + ix.prefixed(token, cap // 4, short=False):
            # Short prefixes are weak evidence: "c" matches half the titles.
            add(term, SIM_PREFIX * min(1.0, (len(token) + 2) / len(term)))
    if len(token) >= 4:
        for term in ix.by_stem.get(stem(token), ())[:MAX_STEM]:
            add(term, SIM_STEM)
    edits = _max_edits(len(token))
    if not fuzzy and last and out:
        edits = 0
    if edits and (token not in out or ix.df.get(token, 0) < 3):
        for term, dist in _typos(ix, token, edits):
            add(term, SIM_EDIT1 if dist == 1 else SIM_EDIT2)
    return _expansions(ix, out)


def _expansions(ix: Index, found: dict[str, float]) -> list[Expansion]:
    """The terms found and their similarities as expansions, best first (equal
    ones in the order they were found)."""
    idfs = ix.idfs(found)
    return sorted(map(Expansion, found, found.values(), idfs), key=_closest_first)


def _closest_first(expansion: Expansion) -> float:
    return -expansion.sim


def _typos(ix: Index, token: str, edits: int) -> list[tuple[str, int]]:
    """The (at most MAX_FUZZY) other terms within ``edits`` of ``token``, nearest
    and most common first.  Every term within reach is matched, not extract's
    first few: which of equally near terms are kept must not depend on the
    order of the candidates."""
    near = extract(
        token, ix.near(token, edits), scorer=Levenshtein.distance, score_cutoff=edits, limit=None
    )
    found = sorted(near, key=lambda f: (f[1], -ix.df.get(f[0], 0), f[0]))
    return [(term, int(dist)) for term, dist, _ in found[:MAX_FUZZY] if dist]
