"""A description's coverage over arrays: the same prompts and values as the
rules spelled out one prompt at a time (the reference below)."""

from __future__ import annotations

import random

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.models import Prompt
from bot.search.coverage import MIX_ALL, MIX_COVER
from bot.search.dense import best_covered
from bot.search.expansion import Expansion
from bot.search.postings import ALL_FIELDS, FIELD_WEIGHT, Index

WORDS = ["fox", "snow", "red", "lake", "dawn", "neon", "rain", "city", "cat", "moon"]


def _library(seed: int, n: int) -> Index:
    rng = random.Random(seed)
    return Index(
        [
            Prompt(
                id=f"p{i}",
                path=f"p{i}.md",
                title=" ".join(rng.sample(WORDS, rng.randint(1, 3))),
                category=rng.choice(["c", "fox"]),
                tags=tuple(rng.sample(WORDS, rng.randint(0, 2))),
                prompt=" ".join(rng.choices(WORDS, k=rng.randint(1, 12))),
            )
            for i in range(n)
        ]
    )


LIBRARIES = [_library(seed, n) for seed, n in ((1, 5), (2, 40), (3, 120))]
SIMS = st.sampled_from([1.0, 0.9, 0.85, 0.8, 0.6, 0.45])
WORD = st.lists(
    st.tuples(st.sampled_from(WORDS), SIMS), min_size=0, max_size=3, unique_by=lambda t: t[0]
)


def reference(
    ix: Index,
    words: list[list[Expansion]],
    weights: list[float],
    allowed: set[int] | None,
    cap: int,
    big: int,
    k: int,
) -> tuple[list[int], list[float]]:
    total = sum(weights) or 1.0
    lists = [[(e, ix.post[f].get(e.term, ())) for e in g for f in ALL_FIELDS] for g in words]
    sizes = [sum(len(docs) for _, docs in pairs) for pairs in lists]
    found: set[int] = set()
    scores: dict[int, float] = {}
    share: dict[int, float] = {}
    for i in sorted(range(len(words)), key=sizes.__getitem__):
        best: dict[int, float] = {}
        for f in ALL_FIELDS:
            for e in words[i]:
                for d in ix.post[f].get(e.term, ()):
                    best[d] = max(best.get(d, 0.0), FIELD_WEIGHT[f] * e.sim)
        if found and (sizes[i] > big or len(found) >= cap):
            best = {d: v for d, v in best.items() if d in found}
        else:
            if allowed is not None:
                best = {d: v for d, v in best.items() if d in allowed}
            found |= set(best)
        for d, v in best.items():
            scores[d] = scores.get(d, 0.0) + MIX_COVER * weights[i] / total * v
            share[d] = share.get(d, 0.0) + weights[i] / total
    cover = {d: scores[d] + MIX_ALL * share[d] * share[d] for d in found}
    top = sorted(found, key=lambda d: (-cover[d], d))[:k]
    return top, [cover[d] for d in top]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(range(len(LIBRARIES))),
    st.lists(st.tuples(WORD, st.floats(0.5, 8.0)), min_size=1, max_size=6),
    st.none() | st.sets(st.integers(0, 119)),
    st.integers(1, 60),
    st.integers(0, 200),
    st.integers(1, 12),
)
@example(2, [([("fox", 1.0)], 2.0), ([("snow", 1.0)], 2.0)], None, 60, 200, 3)  # no pooling
@example(2, [([("fox", 1.0)], 2.0), ([("snow", 1.0), ("rain", 0.8)], 1.0)], None, 1, 0, 5)
@example(1, [([], 1.0), ([("lake", 0.6)], 3.0)], {1, 2, 3}, 5, 5, 2)  # a word found nowhere
def test_the_same_as_one_prompt_at_a_time(
    library: int,
    query: list[tuple[list[tuple[str, float]], float]],
    allowed: set[int] | None,
    cap: int,
    big: int,
    k: int,
) -> None:
    ix = LIBRARIES[library]
    if allowed is not None:  # a slice of the library (a category, a tag)
        allowed = {d for d in allowed if d < len(ix.ids)}
    words = [[Expansion(t, sim, ix.idf(t)) for t, sim in w if t in ix.df] for w, _ in query]
    weights = [weight for _, weight in query]
    found = best_covered(ix, words, weights, ALL_FIELDS, allowed, cap=cap, big=big, k=k)
    assert (found.docs, found.values) == reference(ix, words, weights, allowed, cap, big, k)
    whole = found.whole()
    assert all(whole[d] == v for d, v in zip(found.docs, found.values, strict=True))
    chosen = set(found.docs)
    assert all(v <= min(found.values) for d, v in whole.items() if d not in chosen)
