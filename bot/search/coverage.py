"""How much of a query each prompt covers: the first ranking of every search.

Each query word has a weight (its rarity) and, per prompt that holds it, a
match value (field weight x similarity, :func:`match_values`).  A
prompt's coverage is ``MIX_COVER`` times its words' weighted values, plus
``MIX_ALL`` times the square of the share of the query's weight it holds
wherever (a prompt that holds every word beats one that holds most of them).
Short queries that match few prompts sum it in dicts (:func:`bests`, then
:func:`coverage`); descriptions and common words over arrays
(:mod:`bot.search.dense`).

(Summing only the prompts that hold the most words, MaxScore-style, was
tried: a title match of one rare word can reach the 60th score of a long
description, so it pruned two queries in three and saved no time.)
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from operator import itemgetter
from typing import TYPE_CHECKING

from bot.search.postings import FIELD_WEIGHT, LONG_FIELDS, Index

if TYPE_CHECKING:  # (expansion imports the index at run time)
    from bot.search.expansion import Expansion

MIX_COVER, MIX_ALL = 60.0, 25.0
# Once the rarer query words have found this many prompts, the commoner ones
# are only looked up among those (their long match lists are what costs; a
# prompt that matches nothing but common words cannot rank well).
# Also a query word with more matches than BIG is only looked up among the
# prompts the rarer words found ("portrait" in thousands of titles).  (A
# description's words are all looked up everywhere: bot.search.dense.)
CANDIDATES_MIN, CANDIDATES_DIV = 2000, 25
BIG_MIN, BIG_DIV = 500, 20
MatchValues = list[tuple[float, "array[int]"]]  # a query word's, see match_values
_first = itemgetter(0)


def match_values(
    ix: Index, word: Sequence[Expansion], fields: tuple[int, ...], *, length_prior: bool
) -> MatchValues:
    """A query word's ``(match value, posting array)`` pairs (value: field
    weight x similarity, and with ``length_prior`` the long fields' length
    factors, :meth:`~bot.search.postings.Index.split`) in increasing value:
    applied in this order, a prompt's best match is the one that stays."""
    pairs: MatchValues = []
    for e in word:
        for f in fields:
            docs = ix.post[f].get(e.term)
            if docs is None:
                continue
            if length_prior and f in LONG_FIELDS:
                pairs += ix.split(docs, FIELD_WEIGHT[f] * e.sim)
            else:
                pairs.append((FIELD_WEIGHT[f] * e.sim, docs))
    pairs.sort(key=_first)
    return pairs


def coverage(best: Sequence[dict[int, float]], weights: Sequence[float]) -> dict[int, float]:
    """doc -> coverage, for every prompt that holds a query word (``best``:
    per word, doc -> match value)."""
    total = sum(weights) or 1.0
    parts = [w / total for w in weights]
    covers = [MIX_COVER * w / total for w in weights]
    if len(best) == 1:  # one word (most keystrokes): a score per distinct value
        # (then one C-level pass: "portrait" matches 51,000 prompts at 100,000)
        whole = MIX_ALL * parts[0] * parts[0]
        per_value = {v: covers[0] * v + whole for v in set(best[0].values())}
        return dict(zip(best[0], map(per_value.__getitem__, best[0].values()), strict=True))
    scores: dict[int, float] = {}
    share: dict[int, float] = {}
    for cover, part, bst in zip(covers, parts, best, strict=True):
        for doc, v in bst.items():
            scores[doc] = scores.get(doc, 0.0) + cover * v
            share[doc] = share.get(doc, 0.0) + part
    for doc, c in share.items():
        scores[doc] += MIX_ALL * c * c
    return scores


def bests(values: list[MatchValues], allowed: set[int] | None, n: int) -> list[dict[int, float]]:
    """Per query word: doc -> best match value, from its match values
    (:func:`bot.search.coverage.match_values`) in a library of ``n`` prompts.

    Built from C-level ``dict``/``set`` operations over the posting arrays:
    ``dict.fromkeys`` per (term, field), applied in increasing value order so
    the best value wins.  Rarest words first; a word with more than ``BIG``
    matches, or any word once the rarer ones have found ``CANDIDATES``
    prompts, only scores the prompts found so far."""
    cap = max(CANDIDATES_MIN, n // CANDIDATES_DIV)
    sizes = [sum(len(d) for _, d in pairs) for pairs in values]
    big = max(BIG_MIN, n // BIG_DIV)
    out: list[dict[int, float]] = [{} for _ in values]
    found: set[int] = set()
    for i in sorted(range(len(values)), key=sizes.__getitem__):
        pool = found if found and (sizes[i] > big or len(found) >= cap) else allowed
        best: dict[int, float] = {}
        for v, part in values[i]:
            best.update(dict.fromkeys(part if pool is None else pool.intersection(part), v))
        out[i] = best
        if pool is not found:
            found.update(best)
    return out
