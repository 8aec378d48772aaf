"""Coverage over arrays the size of the library (numpy), for the queries that
match a large part of it: descriptions (three words or more), and short
queries whose words are in tens of thousands of prompts ("style", "portrait"
at 100,000).

The formula is every query's coverage (:mod:`bot.search.coverage`): per word,
each prompt's best match value (field weight x similarity), weighted by the
word's rarity, plus the square of the share of the query's weight it holds.
In the dicts of the short queries' path (:func:`bot.search.coverage.bests`)
that is a Python operation per matching prompt and word: 2-4 ms for a
description on the corpus, 20-55 ms for a common word at 100,000 prompts.
Here each word is a few C loops over the library's length (a tenth of a
millisecond at 8,921 prompts, ~1 ms at 100,000), or over its matches only
when it has few, so every word is looked up everywhere: a paraphrase's
rarer words are often the ones its target lacks ("cab" for "taxi"), and its
common words are what finds it.  Queries that match few prompts (most
keystrokes) keep the dicts, cheaper there.

:class:`CandidateScores` holds the scores of the best few for the page, and
scores more of the matches only when the page needs them.  Equal scores are
in title order, as everywhere in the engine.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.search.coverage import MIX_ALL, MIX_COVER, MatchValues
from bot.search.postings import Index

MASK_WORDS = 12  # words summed as bits (a table of 2**12 shares)
# A word whose posting arrays hold fewer postings than an eighth of the
# library is summed at its matches only (a rarer word: most of a
# description's); a commoner one over the library's length, where a few
# contiguous passes cost less than indexing at each match (benchmarks/README.md,
# sixteenth pass: the break-even at the corpus's size as at 100,000).
SPARSE_DIV = 8


@dataclass(frozen=True)
class Coverage:
    """The coverage of every prompt that holds a query word (``matched``, in
    document order), and the library's title order (``rank``: doc -> position)."""

    matched: npt.NDArray[np.intp]
    values: npt.NDArray[np.float64]
    rank: npt.NDArray[np.uint32]

    def __len__(self) -> int:
        return len(self.matched)

    def best(self, k: int) -> list[tuple[int, float]]:
        """The ``k`` best ``(doc, coverage)``, best first; equal coverage in
        title order (a common word gives thousands of prompts one value)."""
        values, rank = self.values, self.rank
        if k <= 0:
            return []
        if len(values) > k:
            floor = -np.partition(-values, k - 1)[k - 1]
            above = np.flatnonzero(values > floor)
            tied = np.flatnonzero(values == floor)
            need = k - len(above)
            if len(tied) > need:  # the first in title order (ranks are distinct)
                tied = tied[np.argpartition(rank[self.matched[tied]], need - 1)[:need]]
            chosen = np.concatenate((above, tied))
        else:
            chosen = np.arange(len(values))
        chosen = chosen[np.lexsort((rank[self.matched[chosen]], -values[chosen]))]
        return list(zip(self.matched[chosen].tolist(), values[chosen].tolist(), strict=True))


def covered(
    ix: Index,
    words: Sequence[MatchValues],
    weights: Sequence[float],
    allowed: set[int] | None,
) -> Coverage:
    """The coverage of the query words (each given as its match values, with
    its weight) of every prompt among ``allowed`` (None: all) that holds one."""
    n = len(ix.ids)
    total = sum(weights) or 1.0
    allow = None
    if allowed is not None:
        allow = np.zeros(n, dtype=bool)
        allow[np.fromiter(allowed, dtype=np.intp, count=len(allowed))] = True
    # Every posting array as one array of indices (intp: numpy's own cast of
    # uint32 indices costs more), cut per match value below: a conversion per
    # query, not per array.
    arrays = [docs for pairs in words for _, docs in pairs]
    joined = np.frombuffer(b"".join(arrays), dtype=np.uint32).astype(np.intp)
    ends = list(itertools.accumulate(map(len, arrays), initial=0))
    scores = np.zeros(n)
    holders = _Holders(n, [weight / total for weight in weights])
    spare: npt.NDArray[np.float64] | None = None  # a word's values where it is
    dense: npt.NDArray[np.float64] | None = None  # a commoner word's, the library's length
    first = 0  # the word's first array
    for i, (weight, pairs) in enumerate(zip(weights, words, strict=True)):
        if not pairs:  # found nowhere: adds nothing
            continue
        runs = [
            (v, joined[ends[first + j] : ends[first + j + 1]]) for j, (v, _) in enumerate(pairs)
        ]
        every = joined[ends[first] : ends[first + len(pairs)]]  # the word's arrays in a row
        first += len(pairs)
        cover = MIX_COVER * weight / total
        # the dicts' arithmetic (bot.search.coverage), operation for operation
        if len(every) * SPARSE_DIV < n:  # summed at its matches
            # A prompt in several of the word's arrays is written once per array,
            # the same value each time (``a[i] += x`` reads every a[i] first).
            docs = every if allow is None else every[allow[every]]
            best: float | npt.NDArray[np.float64] = runs[0][0]
            if len(runs) > 1:
                spare = np.empty(n) if spare is None else spare
                for value, members in runs:  # increasing values: the best one wins
                    spare[members] = value
                best = spare[docs]  # (each of docs written just now)
            scores[docs] += cover * best
            holders.add_at(i, docs)
            continue
        if dense is None:
            dense = np.zeros(n)
        else:
            dense.fill(0.0)
        for value, members in runs:  # increasing values: the best one wins
            dense[members] = value
        if allow is not None:
            dense *= allow
        scores += cover * dense
        holders.add(i, dense > 0)
    # A prompt holds a word of some weight where its sum is above 0 (each match
    # value is): words of no weight match nothing, as in the sums.
    matched = np.flatnonzero(scores > 0)
    shares = holders.shares(matched)
    rank = np.frombuffer(ix.rank_of, dtype=np.uint32)
    return Coverage(matched, scores[matched] + MIX_ALL * shares * shares, rank)


class _Holders:
    """Which query words each prompt holds, for its share of the query's weight:
    as bits (up to MASK_WORDS words: each combination's share is looked up once
    at the end, not added over the library's length per word), or past that
    each word's share summed."""

    def __init__(self, n: int, parts: list[float]) -> None:
        self.parts = parts  # each word's share of the weight
        self.bits = np.zeros(n, dtype=np.uint16) if len(parts) <= MASK_WORDS else None
        self.summed = np.zeros(n) if self.bits is None else None

    def add(self, word: int, present: npt.NDArray[np.bool_]) -> None:
        """The word is held where ``present`` (the library's length) is true."""
        if self.bits is not None:
            self.bits |= present.view(np.uint8) << np.uint16(word)
        elif self.summed is not None:
            self.summed += present * self.parts[word]

    def add_at(self, word: int, docs: npt.NDArray[np.intp]) -> None:
        """The word is held by ``docs`` (a prompt may be there more than once)."""
        if self.bits is not None:
            self.bits[docs] |= np.uint16(1 << word)
        elif self.summed is not None:
            self.summed[docs] += self.parts[word]

    def shares(self, matched: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        """The shares of ``matched`` (prompts that hold a word of some weight)."""
        if self.summed is not None:
            return self.summed[matched]
        assert self.bits is not None
        table = np.zeros(1)  # each combination's share, summed in word order as above
        for part in self.parts:
            table = np.concatenate((table, table + part))
        return table[self.bits[matched]]


class CandidateScores(dict[int, float]):
    """A query's scores for the page: its best candidates' (coverage and title
    similarity, scaled to ``keep``; a description's BM25F is then added).  The
    other matches, scaled likewise, would all rank after every candidate
    (whose coverage is at least theirs): they are only scored (:meth:`widened`)
    when the candidates hold less than a page of near-duplicate groups."""

    def __init__(self, found: Coverage, scores: Iterable[tuple[int, float]], keep: float) -> None:
        """``scores``: the candidates' (doc, score), ``keep``: how the coverage of
        the other matches in ``found`` is scaled."""
        super().__init__(scores)
        self.found, self.keep = found, keep

    def widened(self) -> CandidateScores | None:
        """These scores and, scaled likewise, the next best matches' coverage:
        four times as many in all (None: every match is in already)."""
        if len(self) >= len(self.found):
            return None
        wider = CandidateScores(self.found, (), self.keep)
        wider.update((doc, c * self.keep) for doc, c in self.found.best(4 * len(self)))
        wider.update(self)
        return wider
