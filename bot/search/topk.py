"""The best of a query's scored prompts, without a Python key function over
each of them: a short prefix or a common word matches tens of thousands of
prompts at 100,000, most with one of a few equal scores, and only a page of
them is shown."""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable
from itertools import islice

from bot.search.postings import Index

# Up to this many scores, the k-th largest is found by sorting them all: C
# compares, against heapq.nlargest's Python loop (60 of 800 scores: 64 against
# 143 µs); past it, the heap's few replacements cost less than the sort.
SORT_UP_TO = 1024


def kth_largest(values: Collection[float], k: int) -> float:
    """The ``k``-th largest of ``values`` (equal values counted), 1 <= k <= len."""
    if len(values) <= SORT_UP_TO:
        return sorted(values, reverse=True)[k - 1]
    return heapq.nlargest(k, values)[-1]


def largest(scores: dict[int, float], n: int) -> list[int]:
    """``heapq.nlargest(n, scores, key=scores.__getitem__)``, the same list
    (equal scores in the dict's order), without a Python key call per item."""
    if len(scores) <= n:
        return sorted(scores, key=scores.__getitem__, reverse=True)
    floor = kth_largest(scores.values(), n)
    above = [d for d, s in scores.items() if s > floor]
    above.sort(key=scores.__getitem__, reverse=True)  # stable: ties keep the dict's order
    return above + list(islice((d for d, s in scores.items() if s == floor), n - len(above)))


def best_items(ix: Index, scores: dict[int, float], k: int) -> list[tuple[int, float]]:
    """The ``k`` best items in order (highest score first, equal scores in title
    order), without a Python key function over every item: a short prefix
    gives thousands of prompts one equal score, and only the first of them
    in title order are ranked."""
    if len(scores) <= 2 * k:  # (a description's 60 candidates: sorting them costs less)
        return ranked(ix, scores.items())[:k]
    floor = kth_largest(scores.values(), k)
    above = ranked(ix, [(d, s) for d, s in scores.items() if s > floor])
    need = k - len(above)
    tied = [d for d, s in scores.items() if s == floor]
    if len(tied) > 16 * need:  # many: the first in title order, found walking it
        first = islice((d for d in ix.order if scores.get(d) == floor), need)
        return above + [(d, floor) for d in first]
    tied.sort(key=ix.rank_of.__getitem__)
    return above + [(d, floor) for d in tied[:need]]


def distinct_best(
    ix: Index, scores: dict[int, float], limit: int, copies: float = 1.0
) -> list[tuple[int, float]]:
    """The best items in order, as many as hold ``limit`` near-duplicate groups
    (or all of them): a prefix of the whole ranking, so the first item of each
    group is what ranking everything would give.  A library of variations can
    fill a page with copies of one prompt ("portrait" at 100,000: 56 items, 8
    groups).  The first guess allows for ``copies`` prompts per group (the
    library's average), and the prefix grows fourfold until it holds enough,
    instead of ranking the 51,000 matches (70 ms)."""
    group = ix.group
    k = int(limit * 4 * max(1.0, copies)) + 16
    while True:
        items = best_items(ix, scores, k)
        if len(items) >= len(scores) or len({group[d] for d, _ in items}) >= limit:
            return items
        k *= 4


def ranked(ix: Index, items: Iterable[tuple[int, float]]) -> list[tuple[int, float]]:
    """Highest score first, equal scores in title order: sorted as plain tuples
    (a key function called per item cost milliseconds on thousands of matches)."""
    rank = ix.rank_of
    return [(d, -s) for s, _, d in sorted([(-s, rank[d], d) for d, s in items])]


def contenders(lows: list[float], highs: list[float], groups: list[int], page: int) -> list[int]:
    """The positions of the items that may be among the first ``page`` groups,
    each item's score being between its low and high: all but those whose
    high is below the low of ``page`` distinct groups' items."""
    floor: float | None = None
    seen: set[int] = set()
    for i in sorted(range(len(lows)), key=lows.__getitem__, reverse=True):
        if groups[i] not in seen:
            seen.add(groups[i])
            if len(seen) >= page:
                floor = lows[i]
                break
    if floor is None:
        return list(range(len(lows)))
    return [i for i, high in enumerate(highs) if high >= floor]
