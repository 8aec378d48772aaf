"""The terms a typo may stand for: every vocabulary term within a few edits
of a query word is among :meth:`NearTerms.near`'s, and few others are.

Each term's characters are counted in 32 buckets (``ord(c) % 32``: the ASCII
letters each have their own), and a 64-bit mask holds, per bucket, whether
it counts one character or more and whether it counts two or more.  An edit
changes one bucket's count by one (an insertion, a deletion) or two buckets'
(a substitution; a swap of two letters, none), and a count changed by one
flips at most one of its bucket's two bits: a term within ``k`` edits of a
word has a mask at most ``2k`` bits from the word's.  The terms are sorted
by length, so the lengths within reach are one slice of the array of masks:
one pass of numpy's XOR and bit count leaves the few that are then measured
(:mod:`bot.search.expansion`, :mod:`bot.search.suggest`), and no term within
reach is missed (a property test checks it).  For the 45 typo words of the
dev queries, 464,944 terms are of a length within reach and 2,155 pass the
masks; the lists anchored on a word's first, second and last characters
that this replaced held 99,894 (benchmarks/README.md, seventeenth pass).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

BUCKETS = 31  # a character's bucket: ord(c) & BUCKETS
TWICE = 32  # a bucket's bit for "two or more" is its own bit + TWICE


def char_mask(word: str) -> int:
    """The buckets ``word``'s characters fall in, once and twice (see above)."""
    once = twice = 0
    for char in word:
        bit = 1 << (ord(char) & BUCKETS)
        twice |= once & bit
        once |= bit
    return once | twice << TWICE


def _masks(terms: list[str], n: int) -> npt.NDArray[np.uint64]:
    """``char_mask`` of each of ``terms`` (all ``n`` characters long), in a few
    numpy passes over their code points (sorted per term: a bucket counted
    twice is then one equal to its left neighbour)."""
    codes = np.array(terms, dtype=f"U{n}").view(np.uint32).reshape(len(terms), n)
    buckets = np.sort(codes & BUCKETS, axis=1).astype(np.uint64)
    one = np.uint64(1)
    once = np.bitwise_or.reduce(np.left_shift(one, buckets), axis=1)
    again = buckets[:, 1:] == buckets[:, :-1]
    bits = np.left_shift(one, buckets[:, 1:] + np.uint64(TWICE))
    twice = np.bitwise_or.reduce(np.where(again, bits, np.uint64(0)), axis=1)
    return once | twice


class NearTerms:
    """Terms by length, with their character masks (see the module docstring)."""

    def __init__(self, by_len: Mapping[int, list[str]]) -> None:
        """``by_len``: length -> the terms of that length (CJK runs left out)."""
        lengths = sorted(n for n, terms in by_len.items() if terms and n > 0)
        # (an array of the str objects: the ones that pass are picked in C)
        self.terms: npt.NDArray[np.object_] = np.array(
            [t for n in lengths for t in by_len[n]], dtype=object
        )
        counts = np.zeros((lengths[-1] if lengths else 0) + 2, dtype=np.intp)
        for n in lengths:
            counts[n + 1] = len(by_len[n])
        # starts[n]: where the terms of length n begin (up to the longest + 1)
        self.starts = np.cumsum(counts)
        self.masks: npt.NDArray[np.uint64] = (
            np.concatenate([_masks(by_len[n], n) for n in lengths])
            if lengths
            else np.zeros(0, dtype=np.uint64)
        )

    def near(self, word: str, edits: int) -> list[str]:
        """The terms that may be within ``edits`` edits of ``word``: of a length
        within reach and holding characters close enough to ``word``'s.  Every
        term within reach is there (and ``word`` itself, if it is a term)."""
        last = len(self.starts) - 1
        lo = self.starts[min(max(0, len(word) - edits), last)]
        hi = self.starts[min(max(0, len(word) + edits + 1), last)]
        apart = np.bitwise_count(self.masks[lo:hi] ^ np.uint64(char_mask(word)))
        near: list[str] = self.terms[lo:hi][apart <= 2 * edits].tolist()
        return near
