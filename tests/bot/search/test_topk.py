"""The best of many scored prompts: the same as sorting them all."""

from __future__ import annotations

import heapq

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.models import Prompt
from bot.search.postings import Index
from bot.search.topk import best_items, contenders, distinct_best, largest

N = 120
IX = Index(
    [
        Prompt(
            id=f"p{i}",
            path=f"p{i}.md",
            title=f"{chr(97 + i % 26)} {i}",
            category="c",
            prompt=f"text {i}",
        )
        for i in range(N)
    ]
)
# Few distinct scores, so that most are tied (as a common word's matches are).
SCORES = st.dictionaries(st.integers(0, N - 1), st.sampled_from([1.0, 2.5, 2.5000001, 7.0]))


@settings(max_examples=300, deadline=None)
@given(SCORES, st.integers(1, 40))
def test_largest_is_nlargest_with_its_ties(scores: dict[int, float], n: int) -> None:
    assert largest(scores, n) == heapq.nlargest(n, scores, key=scores.__getitem__)


@settings(max_examples=300, deadline=None)
@given(SCORES, st.integers(1, 40))
@example(dict.fromkeys(range(N), 1.0), 3)  # one big tie: found walking the title order
@example({**dict.fromkeys(range(N), 1.0), 5: 2.0}, 4)
def test_best_items_are_the_first_of_all_in_score_then_title_order(
    scores: dict[int, float], k: int
) -> None:
    everything = sorted(scores.items(), key=lambda ds: (-ds[1], IX.rank_of[ds[0]]))
    assert best_items(IX, scores, k) == everything[:k]


# Copies of a few prompts (one text, one near-duplicate group), as a library
# of variations has, each group's copies together in title order: the first
# page of a tie holds one or two groups.
COPIES = Index(
    [
        Prompt(
            id=f"v{i}", path=f"v{i}.md", title=f"{i % 6} {i:03}", category="c", prompt=f"t {i % 6}"
        )
        for i in range(N)
    ]
)


def _first_of_each_group(items: list[tuple[int, float]], limit: int) -> list[tuple[int, float]]:
    seen: set[int] = set()
    out = []
    for doc, score in items:
        if COPIES.group[doc] not in seen:
            seen.add(COPIES.group[doc])
            out.append((doc, score))
    return out[:limit]


@settings(max_examples=300, deadline=None)
@given(SCORES, st.integers(1, 8), st.floats(0.0, 30.0))
@example(dict.fromkeys(range(N), 1.0), 6, 1.0)  # one tie over every copy: the prefix grows
def test_distinct_best_is_a_prefix_holding_the_groups_ranking_everything_gives(
    scores: dict[int, float], limit: int, copies: float
) -> None:
    """Whatever the first guess of copies per group, the same groups come first."""
    assert len(set(COPIES.group)) == 6
    everything = sorted(scores.items(), key=lambda ds: (-ds[1], COPIES.rank_of[ds[0]]))
    items = distinct_best(COPIES, scores, limit, copies)
    assert items == everything[: len(items)]
    assert _first_of_each_group(items, limit) == _first_of_each_group(everything, limit)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0.0, 50.0), st.floats(0.0, 5.0), st.integers(0, 6), st.floats(0, 1)),
        min_size=1,
        max_size=40,
    ),
    st.integers(1, 8),
)
def test_contenders_hold_the_first_groups_whatever_the_scores_within_bounds(
    items: list[tuple[float, float, int, float]], page: int
) -> None:
    """Whatever each item's score between its low and its high, the first
    item of each of the first ``page`` groups is a contender."""
    lows = [low for low, _, _, _ in items]
    highs = [low + spread for low, spread, _, _ in items]
    groups = [group for _, _, group, _ in items]
    scores = [low + spread * at for low, spread, _, at in items]
    found = set(contenders(lows, highs, groups, page))
    seen: set[int] = set()
    for i in sorted(range(len(items)), key=lambda i: -scores[i]):
        if groups[i] not in seen:
            seen.add(groups[i])
            assert i in found
            if len(seen) == page:
                break


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([1.0, 2.5, 2.5000001, 7.0]) | st.floats(0, 100), min_size=1),
    st.data(),
    st.sampled_from([0, 10**9]),
)
def test_the_kth_largest_is_the_sorted_values_kth_by_heap_or_sort(
    values: list[float], data: st.DataObject, sort_up_to: int
) -> None:
    """Sorted whole (up to SORT_UP_TO values) or by heapq.nlargest past it."""
    import pytest

    from bot.search import topk

    k = data.draw(st.integers(1, len(values)))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(topk, "SORT_UP_TO", sort_up_to)
        assert topk.kth_largest(values, k) == sorted(values, reverse=True)[k - 1]
