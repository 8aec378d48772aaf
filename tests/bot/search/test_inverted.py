"""Building the inverted lists: the long field in parts equals it in one pass."""

from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.analysis import encode_counts
from bot.search.inverted import Doc, joined, long_part

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


TEXT = st.text(st.sampled_from(["a", "é", " ", "\x1f", "\x1e", "[", '"']), max_size=4)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT, st.lists(TEXT, max_size=3), st.none() | TEXT, st.none() | TEXT, TEXT)
def test_a_head_reads_back_as_the_doc_it_was_made_from(
    title: str, category: str, tags: list[str], author: str | None, url: str | None, same: str
) -> None:
    """Separators inside a text, empty texts and missing ones included (those
    are stored as JSON: the split form could not tell them apart)."""
    doc = Doc("x/y", title, category, tags, author, url, 7, same)
    assert Doc.from_head("x/y", 7, doc.head()) == doc


def test_a_plain_head_is_split_not_json() -> None:
    doc = Doc("x/y", "Neon [rain]", "3d", ["a", "b"], None, "https://e.x/1", 3, "ff")
    assert doc.head() == "\x1fNeon [rain]\x1f3d\x1fa\x1eb\x1f\x1fhttps://e.x/1\x1fff"
    assert Doc.from_head("x/y", 3, '["T","c",[],null,null,""]').title == "T"  # older indexes
