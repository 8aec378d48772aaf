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

Term counts and lengths are looked up for the candidates only, for every
term at once: the terms' posting arrays are joined (as bytes) and each of
their documents looked up in a doc -> candidate table, a few numpy passes over
all of them instead of Python work per term and candidate (see
benchmarks/README.md, fifteenth pass); a very long array (a common word at
100,000 prompts) is searched for the candidates on its own.  The formula is
then computed over a terms x candidates matrix, in the same order of
operations as written above (a test compares it with the plain loops).
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections.abc import Collection, Sequence

import numpy as np
import numpy.typing as npt

from bot.search.analysis import COUNT_MAX
from bot.search.expansion import Expansion, rarest
from bot.search.postings import TAG, TEXT, TITLE, Index

K1, B = 1.2, 0.75
W_TITLE, W_TAGS = 2.0, 1.0  # a title / tag or category word counts as this many body words
TERMS_PER_WORD = 100
# Terms in half the prompts or more are left out (BM25's own idf,
# log((N - df + 0.5) / (df + 0.5)), is not positive there): "a", "the", "with".
MIN_IDF = math.log(3.0)  # Index.idfs at df = N / 2
# A posting array up to this long is joined with the others (as bytes) and
# looked up in one pass; a longer one (a common word at 100,000 prompts) is
# searched for the candidates on its own (``searchsorted``: whatever its length).
LONG_ARRAY = 2048
# The repeats' ``doc << 8 | count`` (bot.search.inverted): a count is at most COUNT_MAX.
COUNT_BITS = COUNT_MAX.bit_length()


def bm25f(
    ix: Index, words: Sequence[Sequence[Expansion]], docs: Collection[int]
) -> dict[int, float]:
    """0..1 for each of ``docs``: the query words' (each given as its
    expansions, best first) BM25F, each term weighted by its own idf."""
    ordered = sorted(set(docs))
    weights = [rarest(w, 0.0) for w in words]
    weights = [w if w >= MIN_IDF else 0.0 for w in weights]
    total = sum(weights) or 1.0
    kept = [
        [e for e in exps[:TERMS_PER_WORD] if e.idf >= MIN_IDF]
        for weight, exps in zip(weights, words, strict=True)
        if weight
    ]
    kept = [exps for exps in kept if exps]
    expansions = [e for exps in kept for e in exps]
    if not ordered or not expansions:
        return dict.fromkeys(ordered, 0.0)
    row = {term: i for i, term in enumerate(dict.fromkeys(e.term for e in expansions))}
    cands = np.array(ordered, dtype=np.intp)
    lengths = np.frombuffer(ix.text_len, dtype=np.uint32)[cands]
    merged = _merged_tf(ix, list(row), cands, 1.0 - B + B * lengths / ix.avg_len)
    t = merged[[row[e.term] for e in expansions]]  # one row per expansion
    sim_idf = np.array([e.sim * e.idf for e in expansions])
    values = sim_idf[:, None] * t / (t + K1)
    starts = list(itertools.accumulate((len(exps) for exps in kept[:-1]), initial=0))
    best = np.maximum.reduceat(values, starts, axis=0) / total  # each word's best term
    out = np.cumsum(best, axis=0)[-1]  # the words added one after the other
    return dict(zip(ordered, out.tolist(), strict=True))


def _merged_tf(
    ix: Index, terms: list[str], cands: npt.NDArray[np.intp], norm: npt.NDArray[np.floating]
) -> npt.NDArray[np.float64]:
    """``t`` (see the module docstring) of each term (rows) in each candidate
    (columns, ``norm``: their length factors); 0 where the term is not."""
    post, n = ix.post, len(terms)
    at = np.full(len(ix.ids), -1, dtype=np.int32)  # doc -> its column
    at[cands] = np.arange(len(cands), dtype=np.int32)
    keys = cands.astype(np.uint32)  # (as the arrays: searchsorted compares without a copy)
    lists = [post[field].get(t) for field in (TEXT, TITLE, TAG) for t in terms]
    rows, columns, _ = _held(lists, at, keys)
    field, term = np.divmod(rows, n)  # rows: the text's terms, the titles', the tags'
    counts = np.zeros((n, len(cands)))
    in_text = field == 0
    counts[term[in_text], columns[in_text]] = 1.0
    rows, repeated, held = _held([ix.tf.get(t) for t in terms], at, keys, COUNT_BITS)
    counts[rows, repeated] = held & COUNT_MAX
    merged = counts / norm
    for number, weight in ((1, W_TITLE), (2, W_TAGS)):  # (a list holds a document once)
        there = field == number
        merged[term[there], columns[there]] += weight
    return merged


Hits = tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.uint32]]


def _held(
    arrays: list[array[int] | None],
    at: npt.NDArray[np.int32],
    cands: npt.NDArray[np.uint32],
    shift: int = 0,
) -> Hits:
    """The (row, column, value) of every candidate in the sorted ``arrays``
    (one per row, None: empty), whose values are documents shifted left by
    ``shift`` bits, with other bits below.  The arrays are joined as bytes and
    looked up in ``at`` (doc -> column, -1 for the others) in one pass; one
    longer than ``LONG_ARRAY`` is searched for the candidates on its own."""
    sizes = [0 if docs is None else len(docs) for docs in arrays]
    found: list[Hits] = []
    if sizes and max(sizes) > LONG_ARRAY:
        arrays = list(arrays)
        for i in [i for i, size in enumerate(sizes) if size > LONG_ARRAY]:
            docs = arrays[i]
            assert docs is not None  # (its size is not 0)
            values, hit = _found(docs, cands, shift)
            columns = np.flatnonzero(hit)
            found.append((np.full(len(columns), i, dtype=np.intp), columns, values[hit]))
            arrays[i], sizes[i] = None, 0
    joined = np.frombuffer(b"".join(filter(None, arrays)), dtype=np.uint32)
    column = at[joined >> np.uint32(shift) if shift else joined]
    hits = np.flatnonzero(column >= 0)
    ends = np.fromiter(itertools.accumulate(sizes), np.intp, len(sizes))
    rows = np.searchsorted(ends, hits, side="right")  # the array each hit is in
    found.append((rows, column[hits].astype(np.intp), joined[hits]))
    if len(found) == 1:
        return found[0]
    return (
        np.concatenate([part[0] for part in found]),
        np.concatenate([part[1] for part in found]),
        np.concatenate([part[2] for part in found]),
    )


def _found(
    sorted_array: array[int], keys: npt.NDArray[np.uint32], shift: int = 0
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.bool_]]:
    """For each of ``keys``, the value of ``sorted_array`` where it would be
    (``found``) and whether it is there (``hit``); the array's values are keys
    shifted left by ``shift`` bits, with other bits below (a repeat's count)."""
    values = np.frombuffer(sorted_array, dtype=np.uint32)
    at = np.searchsorted(values, keys << np.uint32(shift) if shift else keys)
    np.minimum(at, len(values) - 1, out=at)
    found = values[at]
    return found, (found >> np.uint32(shift) if shift else found) == keys
