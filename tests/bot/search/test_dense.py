"""Coverage over arrays: the same values as the dicts of
:func:`bot.search.coverage.coverage` (with and without the length prior), and
its best prompts in order, equal values in title order."""

from __future__ import annotations

import random
from bisect import bisect_right

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.models import Prompt
from bot.search import dense as dense_module
from bot.search import engine as engine_module
from bot.search.coverage import coverage, match_values
from bot.search.dense import covered
from bot.search.engine import SearchEngine
from bot.search.expansion import Expansion
from bot.search.postings import ALL_FIELDS, FIELD_WEIGHT, TEXT, Index

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


def length_factor(ix: Index, doc: int) -> float:
    """The length prior of ``doc``'s long field: its length class's factor."""
    starts = [start for start, _ in ix.buckets]
    return ix.buckets[bisect_right(starts, doc) - 1][1]


def best_values(
    ix: Index, words: list[list[Expansion]], allowed: set[int] | None, length_prior: bool
) -> list[dict]:
    """Per word: doc -> its best match value (field weight x similarity, x the
    length factor in the long field with the length prior)."""
    out = []
    for group in words:
        best: dict[int, float] = {}
        for e in group:
            for f in ALL_FIELDS:
                for d in ix.post[f].get(e.term, ()):
                    if allowed is None or d in allowed:
                        v = FIELD_WEIGHT[f] * e.sim
                        if length_prior and f == TEXT:
                            v *= length_factor(ix, d)
                        best[d] = max(best.get(d, 0.0), v)
        out.append(best)
    return out


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(range(len(LIBRARIES))),
    st.lists(st.tuples(WORD, st.floats(0.5, 8.0)), min_size=1, max_size=14),
    st.none() | st.sets(st.integers(0, 119)),
    st.integers(0, 130),
    st.booleans(),
    st.booleans(),
    st.sampled_from([0, dense_module.SPARSE_DIV, 10**9]),
)
@example(2, [([("fox", 1.0)], 2.0), ([("snow", 1.0), ("rain", 0.8)], 1.0)], None, 5, False, True, 0)
@example(2, [([("fox", 1.0)], 2.0)], None, 200, True, True, 0)  # one word; more than matched
@example(1, [([], 1.0), ([("lake", 0.6)], 3.0)], {1, 2, 3}, 2, False, True, 0)  # found nowhere
@example(2, [([("red", 1.0)], 1.0)], None, 7, False, True, 10**9)  # many ties: title order
def test_the_coverage_of_the_dicts_and_its_best(
    library: int,
    query: list[tuple[list[tuple[str, float]], float]],
    allowed: set[int] | None,
    k: int,
    length_prior: bool,
    as_bits: bool,
    sparse_div: int,
) -> None:
    """``as_bits``: which words a prompt holds kept as bits (up to MASK_WORDS
    words), or each word's share summed over the library (any number).
    ``sparse_div``: every word summed at its matches (0), over the library's
    length (10**9), or as the engine chooses."""
    ix = LIBRARIES[library]
    if allowed is not None:  # a slice of the library (a category, a tag)
        allowed = {d for d in allowed if d < len(ix.ids)}
    words = [[Expansion(t, sim, ix.idfs([t])[0]) for t, sim in w if t in ix.df] for w, _ in query]
    weights = [weight for _, weight in query]
    expected = coverage(best_values(ix, words, allowed, length_prior), weights)
    values = [match_values(ix, w, ALL_FIELDS, length_prior=length_prior) for w in words]
    bits, div = dense_module.MASK_WORDS, dense_module.SPARSE_DIV
    dense_module.MASK_WORDS = bits if as_bits else 0
    dense_module.SPARSE_DIV = sparse_div
    try:
        found = covered(ix, values, weights, allowed)
    finally:
        dense_module.MASK_WORDS, dense_module.SPARSE_DIV = bits, div
    assert dict(zip(found.matched.tolist(), found.values.tolist(), strict=True)) == expected
    ranked = sorted(expected.items(), key=lambda dv: (-dv[1], ix.rank_of[dv[0]]))
    assert found.best(k) == ranked[:k]


# -- the engine: short queries over arrays or over dicts ------------------------

NAMES = ["fox", "snow", "red", "lake", "dawn", "neon", "rain", "city", "cat", "moon", "foxes"]


def _prompts(seed: int, n: int) -> list[Prompt]:
    rng = random.Random(seed)
    return [
        Prompt(
            id=f"p{i}",
            path=f"p{i}.md",
            title=" ".join(rng.sample(NAMES, rng.randint(1, 3))).title(),
            category=rng.choice(["c", "d"]),
            tags=tuple(rng.sample(NAMES, rng.randint(0, 2))),
            prompt=" ".join(rng.choices(NAMES, k=rng.randint(1, 30))),
        )
        for i in range(n)
    ]


ENGINE = SearchEngine.build(_prompts(7, 55))  # every match a candidate (RERANK)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*NAMES, "fo", "ra", "nen", "moom", "xyzzy"]), min_size=1, max_size=2),
    st.booleans(),
    st.sampled_from([None, "c"]),
    st.sampled_from([3, 10, 25]),
)
def test_a_short_query_ranks_the_same_over_arrays_as_over_dicts(
    words: list[str], typing: bool, category: str | None, limit: int
) -> None:
    """With every match among the candidates (no cut among equal coverage)
    and no word looked up only among the others' matches (a small library),
    the two ways of summing a short query's coverage give the same page."""
    query = " ".join(words) + ("" if typing else " ")
    pages = []
    for wide_min in (0, 10**9):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(engine_module, "WIDE_MIN", wide_min)
            pages.append(
                (
                    [
                        (h.prompt.id, h.score)
                        for h in ENGINE.search(query, category=category, limit=limit)
                    ],
                    [(h.prompt.id, h.score) for h in ENGINE.autocomplete(query, limit=limit)],
                )
            )
    assert pages[0] == pages[1]


def test_a_common_word_in_a_large_library_is_ranked_over_arrays(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past WIDE_MIN postings a short query is summed over arrays; of the
    prompts it ranks equal, the page shows the first in title order, as
    ranking every match would (not the first 60 the sums happened to meet)."""
    prompts = [
        Prompt(id=f"r{i}", path=f"r{i}.md", title=f"Red {i}", category="c", prompt=f"red, take {i}")
        for i in range(100, 700)  # "red" in 1,200 postings: past WIDE_MIN
    ]
    prompts.reverse()  # title order is not the order of the library
    calls: list[int] = []
    real = engine_module.covered

    def spy(*args: object, **kw: object) -> object:
        calls.append(1)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_module, "covered", spy)
    eng = SearchEngine.build(prompts)
    hits = eng.search("red", limit=10)
    assert calls, "the query was not summed over arrays"
    assert [h.prompt.id for h in hits] == [f"r{i}" for i in range(100, 110)]
    assert len({h.score for h in hits}) == 1
