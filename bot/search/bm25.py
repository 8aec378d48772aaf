"""BM25F for long queries: how well each of a few candidate prompts answers a
descriptive query ("a woman sitting in the window of a black sedan").

Members describe what they remember of an image in whole sentences.  Most of
the words are in the prompt body, several of them are common, and the body
that repeats the query's words (and is not merely long) is the one meant.  The
coverage score of :mod:`bot.search.engine` knows neither term counts nor
lengths; this score does, for the candidates the coverage score found.

Per query word and prompt (BM25F: the fields are merged before saturation)::

    t = tf / (1 - B + B * len / avg_len)  +  W_TITLE * in_title  +  W_TAGS * in_tags
    v = sim * idf(term) * t / (t + K1)

where ``tf`` counts the word in the description and body, ``len`` is their
length in tokens and ``sim`` is how close the index term is to the query word
(1 exact, less for stems, prefixes and typos; the term with the best ``v``
counts).  Each term brings its own rarity, as in BM25: "fours" does not lend
its rarity to the "four" of a four-panel grid, nor "with" to "withe".  The
score is the sum of ``v`` over the query words divided by the sum of their
weights (a word's weight is its rarest term's idf): 0..1.

Term counts and lengths are looked up for the candidates only: a short posting
array is intersected with them as a set, a long one searched for them with
numpy's ``searchsorted`` (``SET_MAX``).  The cost is the number of query terms
times that of the candidates, whatever the library's size.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Collection, Sequence

import numpy as np
import numpy.typing as npt

from bot.search.expansion import Expansion
from bot.search.postings import TAG, TEXT, TITLE, Index

K1, B = 1.2, 0.75
W_TITLE, W_TAGS = 2.0, 1.0  # a title / tag or category word counts as this many body words
TERMS_PER_WORD = 100
# Terms in half the prompts or more are left out (BM25's own idf,
# log((N - df + 0.5) / (df + 0.5)), is not positive there): "a", "the", "with".
MIN_IDF = math.log(3.0)  # Index.idf at df = N / 2
# A posting array up to this long is intersected with the candidates as a set
# (~50 ns an element: each is made a Python int); a longer one is searched for
# them with numpy's ``searchsorted`` (~8 µs for 60 candidates, whatever its length).
SET_MAX = 160


def bm25f(
    ix: Index, words: Sequence[Sequence[Expansion]], docs: Collection[int]
) -> dict[int, float]:
    """0..1 for each of ``docs``: the query words' (each given as its
    expansions, best first) BM25F, each term weighted by its own idf."""
    cands = set(docs)
    ordered = sorted(cands)
    in_order = np.array(ordered, dtype=np.uint32)
    weights = [max((e.idf for e in w), default=0.0) for w in words]
    weights = [w if w >= MIN_IDF else 0.0 for w in weights]
    total = sum(weights) or 1.0
    out = dict.fromkeys(ordered, 0.0)
    norm = {d: 1.0 - B + B * ix.text_len[d] / ix.avg_len for d in ordered}
    known: dict[str, dict[int, float]] = {}  # term -> doc -> t (repeated words)
    for weight, exps in zip(weights, words, strict=True):
        if not weight:
            continue
        best: dict[int, float] = {}
        for e in exps[:TERMS_PER_WORD]:
            if e.idf < MIN_IDF:
                continue
            found = known.get(e.term)
            if found is None:
                found = known[e.term] = _merged_tf(ix, e.term, cands, in_order, norm)
            value = e.sim * e.idf
            for d, t in found.items():
                v = value * t / (t + K1)
                if v > best.get(d, 0.0):
                    best[d] = v
        for d, v in best.items():
            out[d] += v / total
    return out


Sorted = npt.NDArray[np.uint32]  # the candidates, in increasing order


def _merged_tf(
    ix: Index, term: str, cands: set[int], in_order: Sorted, norm: dict[int, float]
) -> dict[int, float]:
    """doc -> ``t`` (see the module docstring) for the candidates holding ``term``."""
    post = ix.post
    docs = post[TEXT].get(term)
    t = {} if docs is None else _counts(docs, ix.tf.get(term), cands, in_order)
    for d, n in t.items():
        t[d] = n / norm[d]
    for d in _members(post[TITLE].get(term), cands, in_order):
        t[d] = t.get(d, 0.0) + W_TITLE
    for d in _members(post[TAG].get(term), cands, in_order):
        t[d] = t.get(d, 0.0) + W_TAGS
    return t


def _members(docs: array[int] | None, cands: set[int], in_order: Sorted) -> Collection[int]:
    """The candidates in the sorted array ``docs``."""
    if docs is None:
        return ()
    if len(docs) <= SET_MAX:
        return cands.intersection(docs)
    _, hit = _found(docs, in_order)
    return in_order[hit].tolist()


def _found(
    sorted_array: array[int], keys: Sorted, shift: int = 0
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_]]:
    """For each of ``keys``, the value of ``sorted_array`` where it would be
    (``found``) and whether it is there (``hit``); the array's values are keys
    shifted left by ``shift`` bits, with other bits below (a repeat's count)."""
    values = np.frombuffer(sorted_array, dtype=np.uint32)
    at = np.searchsorted(values, keys << np.uint32(shift) if shift else keys)
    np.minimum(at, len(values) - 1, out=at)
    found = values[at]
    return found, (found >> np.uint32(shift) if shift else found) == keys


def _counts(
    docs: array[int], repeats: array[int] | None, cands: set[int], in_order: Sorted
) -> dict[int, float]:
    """doc -> term count, for the candidates in ``docs`` (``repeats``: the
    ``doc << 8 | count`` of the documents where the term is repeated)."""
    found = dict.fromkeys(_members(docs, cands, in_order), 1.0)
    if repeats is None or not found:
        return found
    n = len(repeats)
    if n <= SET_MAX:
        for d in found:
            i = bisect_left(repeats, d << 8)
            if i < n and repeats[i] >> 8 == d:
                found[d] = repeats[i] & 0xFF
        return found
    values, hit = _found(repeats, in_order, 8)
    found.update(zip(in_order[hit].tolist(), (values[hit] & 0xFF).tolist(), strict=True))
    return found
