"""A description's coverage, over arrays the size of the library (numpy): the
first ranking of a query of three words or more, which picks the candidates
that BM25F (:mod:`bot.search.bm25`) then ranks.

The formula is every query's coverage (:mod:`bot.search.coverage`): per word,
each prompt's best match value (field weight x similarity), weighted by the
word's rarity, plus the square of the share of the query's weight it holds.
A description has a dozen words, several of them common; in the dicts of the
short queries' path (:func:`bot.search.engine._bests`) that was thousands of
entries per word summed one by one in Python (2-4 ms a description on the
corpus), so common words were only looked up among the prompts the rarer ones
had found.  Here each word is a few C loops over the library's length (a tenth
of a millisecond at 8,921 prompts, ~1 ms at 100,000), so every word is looked
up everywhere: a paraphrase's rarer words are often the ones its target lacks
("cab" for "taxi"), and its common words are what finds it.  Short queries and
keystrokes keep the dicts: they match few prompts, and their ties are broken
in title order.  :class:`DescribedScores` holds a description's scores for
the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.search.coverage import MIX_ALL, MIX_COVER, match_values
from bot.search.expansion import Expansion
from bot.search.postings import Index


@dataclass(frozen=True)
class Coverage:
    """The coverage of every prompt that holds a query word (``matched``, in
    document order)."""

    matched: npt.NDArray[np.intp]
    values: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.matched)

    def best(self, k: int) -> list[tuple[int, float]]:
        """The ``k`` best ``(doc, coverage)``, best first; equal coverage in
        document order (deterministic, unlike a partition's choice among ties)."""
        values = self.values
        if len(values) > k > 0:
            floor = -np.partition(-values, k - 1)[k - 1]
            above = np.flatnonzero(values > floor)
            tied = np.flatnonzero(values == floor)[: k - len(above)]
            chosen = np.concatenate((above, tied))
        else:
            chosen = np.arange(len(values) if k > 0 else 0)
        chosen = chosen[np.lexsort((chosen, -values[chosen]))]
        return list(zip(self.matched[chosen].tolist(), values[chosen].tolist(), strict=True))


def covered(
    ix: Index,
    words: Sequence[Sequence[Expansion]],
    weights: Sequence[float],
    fields: tuple[int, ...],
    allowed: set[int] | None,
) -> Coverage:
    """The coverage of ``words`` (each given as its expansions, with its
    weight) of every prompt among ``allowed`` (None: all) that holds one."""
    n = len(ix.ids)
    total = sum(weights) or 1.0
    allow = None
    if allowed is not None:
        allow = np.zeros(n, dtype=bool)
        allow[np.fromiter(allowed, dtype=np.intp, count=len(allowed))] = True
    scores, share = np.zeros(n), np.zeros(n)
    for weight, group in zip(weights, words, strict=True):
        best = np.zeros(n)
        for value, members in match_values(ix, group, fields, length_prior=False):
            best[np.frombuffer(members, dtype=np.uint32)] = value  # (a view, no copy)
        if allow is not None:
            best *= allow
        # the dicts' arithmetic (bot.search.coverage), operation for operation
        scores += MIX_COVER * weight / total * best
        share += (best > 0) * (weight / total)
    matched = np.flatnonzero(share)
    shares = share[matched]
    return Coverage(matched, scores[matched] + MIX_ALL * shares * shares)


class DescribedScores(dict[int, float]):
    """A description's scores: its candidates' (coverage and title similarity,
    scaled down to ``keep``, to which the engine adds BM25F).  The other
    matches, scaled down likewise, would all rank after every candidate (whose
    coverage is at least theirs): they are only scored (:meth:`widened`) when
    the candidates hold less than a page of near-duplicate groups."""

    def __init__(
        self, found: Coverage, best: list[tuple[int, float]], titles: list[float], keep: float
    ) -> None:
        scaled = [(c + t) * keep for (_, c), t in zip(best, titles, strict=True)]
        super().__init__(zip([doc for doc, _ in best], scaled, strict=True))
        self.found, self.keep = found, keep

    def widened(self) -> DescribedScores | None:
        """These scores and, scaled likewise, the next best matches' coverage:
        four times as many in all (None: every match is in already)."""
        if len(self) >= len(self.found):
            return None
        wider = DescribedScores(self.found, [], [], self.keep)
        wider.update((doc, c * self.keep) for doc, c in self.found.best(4 * len(self)))
        wider.update(self)
        return wider
