"""How much of a query each prompt covers: the first ranking of every search.

Each query word has a weight (its rarity) and, per prompt that holds it, a
match value (field weight x similarity, :func:`match_values`).  A
prompt's coverage is ``MIX_COVER`` times its words' weighted values, plus
``MIX_ALL`` times the square of the share of the query's weight it holds
wherever (a prompt that holds every word beats one that holds most of them).

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
