"""A description's coverage over arrays: the same values as the dicts of
:func:`bot.search.coverage.coverage`, and its best prompts in order."""

from __future__ import annotations

import random

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.models import Prompt
from bot.search.coverage import coverage
from bot.search.dense import covered
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


def best_values(ix: Index, words: list[list[Expansion]], allowed: set[int] | None) -> list[dict]:
    """Per word: doc -> its best match value (field weight x similarity)."""
    out = []
    for group in words:
        best: dict[int, float] = {}
        for e in group:
            for f in ALL_FIELDS:
                for d in ix.post[f].get(e.term, ()):
                    if allowed is None or d in allowed:
                        best[d] = max(best.get(d, 0.0), FIELD_WEIGHT[f] * e.sim)
        out.append(best)
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(range(len(LIBRARIES))),
    st.lists(st.tuples(WORD, st.floats(0.5, 8.0)), min_size=1, max_size=6),
    st.none() | st.sets(st.integers(0, 119)),
    st.integers(0, 130),
)
@example(2, [([("fox", 1.0)], 2.0), ([("snow", 1.0), ("rain", 0.8)], 1.0)], None, 5)
@example(2, [([("fox", 1.0)], 2.0)], None, 200)  # one word; more asked for than matched
@example(1, [([], 1.0), ([("lake", 0.6)], 3.0)], {1, 2, 3}, 2)  # a word found nowhere
def test_the_coverage_of_the_dicts_and_its_best(
    library: int,
    query: list[tuple[list[tuple[str, float]], float]],
    allowed: set[int] | None,
    k: int,
) -> None:
    ix = LIBRARIES[library]
    if allowed is not None:  # a slice of the library (a category, a tag)
        allowed = {d for d in allowed if d < len(ix.ids)}
    words = [[Expansion(t, sim, ix.idf(t)) for t, sim in w if t in ix.df] for w, _ in query]
    weights = [weight for _, weight in query]
    expected = coverage(best_values(ix, words, allowed), weights)
    found = covered(ix, words, weights, ALL_FIELDS, allowed)
    assert dict(zip(found.matched.tolist(), found.values.tolist(), strict=True)) == expected
    ranked = sorted(expected.items(), key=lambda dv: (-dv[1], dv[0]))
    assert found.best(k) == ranked[:k]
