"""The terms a typo may stand for: every vocabulary term within a few edits
of a query word is among :meth:`NearTerms.near`'s, and few others are.

An edit changes which characters a word holds by at most two (a substitution
drops one and brings one; an insertion or a deletion, one; a swap of two
letters, none), so a term within ``k`` edits of a word differs from it in at
most ``2k`` of the characters either holds.  Each term's characters are kept
as the bits of a 64-bit mask (bit ``ord(c) % 64``: the ASCII letters and
digits each have their own); characters that share a bit only make two masks
closer, never further apart, so no term within reach is missed.  The terms of
the lengths within reach are one slice of an array of masks, sorted by
length: one pass of numpy's XOR and bit count leaves the few that are then
measured (:mod:`bot.search.expansion`, :mod:`bot.search.suggest`).  For the
45 typo words of the dev queries, 464,944 terms are of a length within
reach, 11,977 pass the masks; the lists anchored on a word's first, second
and last characters that this replaced held 99,894, and the typos took 2.7
times as long (benchmarks/README.md, seventeenth pass).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

CHAR_BITS = 63  # a character's bit: ord(c) & CHAR_BITS


def char_mask(word: str) -> int:
    """The bits of the characters ``word`` holds."""
    mask = 0
    for char in word:
        mask |= 1 << (ord(char) & CHAR_BITS)
    return mask


def _masks(terms: list[str], n: int) -> npt.NDArray[np.uint64]:
    """``char_mask`` of each of ``terms`` (all ``n`` characters long), in one
    numpy pass over their code points."""
    codes = np.array(terms, dtype=f"U{n}").view(np.uint32).reshape(len(terms), n)
    bits = np.left_shift(np.uint64(1), (codes & CHAR_BITS).astype(np.uint64))
    return np.bitwise_or.reduce(bits, axis=1)


class NearTerms:
    """Terms by length, with their character masks (see the module docstring)."""

    def __init__(self, by_len: Mapping[int, list[str]]) -> None:
        """``by_len``: length -> the terms of that length (CJK runs left out)."""
        lengths = sorted(n for n, terms in by_len.items() if terms and n > 0)
        self.terms: list[str] = [t for n in lengths for t in by_len[n]]
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

    def __len__(self) -> int:
        return len(self.terms)

    def near(self, word: str, edits: int) -> list[str]:
        """The terms that may be within ``edits`` edits of ``word``: of a length
        within reach and holding characters close enough to ``word``'s.  Every
        term within reach is there (and ``word`` itself, if it is a term)."""
        last = len(self.starts) - 1
        lo = self.starts[min(max(0, len(word) - edits), last)]
        hi = self.starts[min(max(0, len(word) + edits + 1), last)]
        if hi <= lo:
            return []
        apart = np.bitwise_count(self.masks[lo:hi] ^ np.uint64(char_mask(word)))
        terms = self.terms
        return [terms[lo + i] for i in np.flatnonzero(apart <= 2 * edits).tolist()]
