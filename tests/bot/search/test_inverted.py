"""Building the inverted lists: the long field in parts equals it in one pass."""

from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.analysis import encode_counts
from bot.search.inverted import joined, long_part

WORDS = st.lists(st.sampled_from(["neon", "rain", "koi", "ink", "fog", "dawn"]), max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=12), st.lists(st.integers(0, 12), max_size=3))
def test_the_long_field_of_consecutive_ranges_joined_is_the_long_field_of_all(
    docs: list[list[str]], cuts: list[int]
) -> None:
    """Arrays concatenated per term, and the terms in the order one pass meets
    them (the order the index is stored in)."""
    stored = [encode_counts(Counter(words)) for words in docs]
    bounds = [0, *sorted(min(c, len(stored)) for c in cuts), len(stored)]
    parts = [long_part(stored[a:b], a) for a, b in itertools.pairwise(bounds)]
    whole, together = long_part(stored), joined(parts)
    assert list(together.postings.items()) == list(whole.postings.items())
    assert list(together.tf.items()) == list(whole.tf.items())
    assert together.text_len == whole.text_len


def test_two_halves_of_the_build_hold_about_the_same_text() -> None:
    from bot.stored_snapshot import _halves

    sizes = [10] * 90 + [900] * 10  # numbered by size: the long ones last
    (a, b), (c, d) = _halves(sizes)
    assert (a, b, d) == (0, c, 100)
    assert abs(sum(sizes[a:b]) - sum(sizes[c:d])) <= 900
    assert _halves([]) == [(0, 0)]
