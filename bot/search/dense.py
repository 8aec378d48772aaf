"""A description's coverage, over arrays the size of the library (numpy): the
first ranking of a query of three words or more, which picks the candidates
that BM25F (:mod:`bot.search.bm25`) then ranks.

The rules are those of every query's coverage (:mod:`bot.search.coverage`,
:func:`bot.search.engine._bests`): per word, each prompt's best match value
(field weight x similarity); the rarer words first; a word with more than
``big`` matches, or any word once the rarer ones have found ``cap`` prompts,
only counts among the prompts found so far.  A description has a dozen words,
several of them common: the dicts of the short queries' path held thousands of
entries per word, summed one by one in Python (2-4 ms a description on the
corpus); here each word is a few C loops over the library's length (a tenth of
a millisecond at 8,921 prompts, ~1 ms at 100,000).  Short queries and
keystrokes keep the dicts: they match few prompts, and their ties are broken
in title order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
import numpy.typing as npt

from bot.search.coverage import MIX_ALL, MIX_COVER
from bot.search.expansion import Expansion
from bot.search.postings import FIELD_WEIGHT, Index

_first = itemgetter(0)


@dataclass(frozen=True)
class Candidates:
    """The ``k`` best prompts by coverage (``docs``, best first; equal
    coverage in document order) and their coverage (``values``); every matched
    prompt's coverage on demand (:meth:`whole`)."""

    docs: list[int]
    values: list[float]
    matched: npt.NDArray[np.intp]
    coverage: npt.NDArray[np.float64]

    def whole(self) -> dict[int, float]:
        """doc -> coverage, for every prompt that holds a query word."""
        return dict(zip(self.matched.tolist(), self.coverage.tolist(), strict=True))


def best_covered(
    ix: Index,
    words: Sequence[Sequence[Expansion]],
    weights: Sequence[float],
    fields: tuple[int, ...],
    allowed: set[int] | None,
    *,
    cap: int,
    big: int,
    k: int,
) -> Candidates:
    """The ``k`` prompts that cover most of ``words`` (each given as its
    expansions, with its weight), among ``allowed`` (None: all)."""
    n = len(ix.ids)
    total = sum(weights) or 1.0
    post = ix.post
    lists: list[list[tuple[float, npt.NDArray[np.uint32]]]] = []
    sizes: list[int] = []
    for group in words:
        pairs = [
            (FIELD_WEIGHT[f] * e.sim, np.frombuffer(docs, dtype=np.uint32))
            for e in group
            for f in fields
            if (docs := post[f].get(e.term)) is not None
        ]  # (zero-copy views of the posting arrays)
        pairs.sort(key=_first)
        lists.append(pairs)
        sizes.append(sum(len(members) for _, members in pairs))
    allow = None
    if allowed is not None:
        allow = np.zeros(n, dtype=bool)
        allow[np.fromiter(allowed, dtype=np.intp, count=len(allowed))] = True
    scores, share = np.zeros(n), np.zeros(n)
    found = np.zeros(n, dtype=bool)
    n_found = 0
    for i in sorted(range(len(words)), key=sizes.__getitem__):
        best = np.zeros(n)
        for value, members in lists[i]:  # increasing values: the best one wins
            best[members] = value
        if not n_found or (sizes[i] <= big and n_found < cap):
            if allow is not None:
                best *= allow
            found |= best > 0
            n_found = int(np.count_nonzero(found))
        # (else the word only counts among the prompts found so far: its other
        # matches are summed too, but only those found are ranked)
        # the dicts' arithmetic (bot.search.coverage), word by word as looked up
        scores += MIX_COVER * weights[i] / total * best
        share += (best > 0) * (weights[i] / total)
    matched = np.flatnonzero(found)
    shares = share[matched]
    coverage = scores[matched] + MIX_ALL * shares * shares
    top = _top(coverage, k)
    return Candidates(matched[top].tolist(), coverage[top].tolist(), matched, coverage)


def _top(values: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.intp]:
    """Positions of the ``k`` largest ``values``, largest first, equal values in
    position order (deterministic, unlike a partition's choice among ties)."""
    if len(values) > k > 0:
        floor = -np.partition(-values, k - 1)[k - 1]
        above = np.flatnonzero(values > floor)
        tied = np.flatnonzero(values == floor)[: k - len(above)]
        chosen = np.concatenate((above, tied))
    else:
        chosen = np.arange(len(values) if k > 0 else 0)
    return chosen[np.lexsort((chosen, -values[chosen]))]
