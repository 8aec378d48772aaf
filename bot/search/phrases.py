"""Title phrases for long queries: two of the query's words side by side in a
title, in the query's order.

A member who writes "product page for an anime figurine" or "realistic anime
fighter girl" often repeats two words of the title as they stand there
("Figure-Style Product Page Design", "Hyper-Realistic Anime Warrior
Portrait").  Term counts cannot see it (BM25F scores each word alone), a word
pair can: this is the ordered-window feature of term-dependence ranking
(Metzler and Croft's sequential dependence model), kept to the title, which is
short and held in memory.

A pair weighs its two words' weights (their rarity, as in the coverage), so
"product page" counts for more than "blue page"; a pair with a word found in a
third of the library ("in a", "woman in") is left out.  A title's score is the
share of the query's pair weight it holds, 0..1.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import pairwise

from bot.search.analysis import tokens
from bot.search.postings import Index


def title_phrases(
    ix: Index,
    words: Sequence[str],
    weights: Sequence[float],
    docs: Collection[int],
    floor: float = 0.0,
) -> dict[int, float]:
    """doc -> share (0..1) of the weight of the query's adjacent word pairs
    (``words`` in query order, each with its weight) that ``docs``' titles hold
    as adjacent words in the same order; only the docs that hold one.  Pairs
    with a word weighing less than ``floor`` (a word in a third of the
    library: "in a", "woman in") are left out: they say little and would send
    most titles through the word cutter."""
    pairs: dict[tuple[str, str], float] = {}
    for (first, w1), (second, w2) in pairwise(zip(words, weights, strict=True)):
        if w1 >= floor and w2 >= floor:
            pairs[first, second] = w1 + w2
    total = sum(pairs.values())
    if not total:
        return {}
    keys = ix.title_keys
    ordered = list(docs)
    # The rarer word of a pair is a substring test in every candidate's title,
    # the other one in those that pass; only the titles that pass both (few)
    # are cut into words.
    with_word: dict[str, list[int]] = {}
    maybe: set[int] = set()
    for first, second in pairs:
        rare, other = first, second
        if ix.df.get(first, 0) > ix.df.get(second, 0):
            rare, other = second, first
        found = with_word.get(rare)
        if found is None:
            found = with_word[rare] = [doc for doc in ordered if rare in keys[doc]]
        maybe.update(doc for doc in found if other in keys[doc])
    out: dict[int, float] = {}
    for doc in maybe:
        title = tokens(keys[doc])
        share = sum(pairs.get(pair, 0.0) for pair in set(pairwise(title)))
        if share:
            out[doc] = share / total
    return out
