"""What the parse workers derive for the search build, and how it reads back."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

import bot.search.inverted as inverted
from bot.search.inverted import Doc, Inverter, grouped, joined, long_part

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


WORDS = st.lists(st.sampled_from(["neon", "rain", "cat", "red", "a", "é"]), max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=12), st.integers(min_value=0, max_value=12))
def test_a_long_field_inverted_in_two_runs_is_the_whole_one(
    docs: list[list[str]], cut: int
) -> None:
    """The build inverts the last documents itself while another process
    inverts the first ones; joined, they are the long field of all."""
    stored = [" ".join(words) for words in docs]
    cut = min(cut, len(stored))
    whole = long_part(stored)
    parts = joined(long_part(stored[:cut]), long_part(stored[cut:], cut))
    assert parts.postings == whole.postings
    assert parts.tf == whole.tf
    assert parts.text_len == whole.text_len


@settings(max_examples=300, deadline=None)
@given(
    st.lists(WORDS, max_size=12),
    st.integers(min_value=0, max_value=3),
    st.integers(1, 9),
    st.booleans(),
    st.sampled_from([" ", "  \n "]),
)
def test_the_long_field_is_what_appending_each_posting_gives(
    docs: list[list[str]], first: int, segment: int, few: bool, gap: str
) -> None:
    """Sorted (term, document) pairs give each term's documents and repeated
    counts, as appending one posting at a time does; in segments of any size
    (a term numbered anew in each segment, its documents joined after the
    earlier ones').  A few documents are appended, without numpy."""
    stored = [gap + gap.join(words) for words in docs]  # tokens apart by any white space
    each = Inverter()
    for doc, words in enumerate(docs, first):
        counts = Counter(words)
        each.add(doc, counts)
        each.repeat(doc, [(t, n) for t, n in counts.items() if n > 1])
    saved = inverted.SEGMENT, inverted.APPENDED_BELOW
    inverted.SEGMENT, inverted.APPENDED_BELOW = segment, 100 if few else 0
    try:
        got = long_part(stored, first)
    finally:
        inverted.SEGMENT, inverted.APPENDED_BELOW = saved
    assert got.postings == each.done()
    assert got.tf == dict(each.counts)
    assert list(got.text_len) == [len(words) for words in docs]
    stored_order = [t for words in docs for t in words]
    assert list(got.postings) == list(dict.fromkeys(stored_order))  # as stored, first seen first


_VALUE_TOKENS = {"a": ["red"], "b": ["red", "car"], "c": [], "d": ["car", "car"], "e": ["hat"]}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(sorted(_VALUE_TOKENS)), max_size=3), max_size=12))
def test_grouped_postings_are_those_of_every_document_added(values: list[list[str]]) -> None:
    """Values that share a token, a value without one, a document with none or
    with one value twice: grouped per value, the postings are the same."""
    each = Inverter()
    members: dict[str, list[int]] = {}
    for doc, mine in enumerate(values):
        each.add(doc, {token for value in mine for token in _VALUE_TOKENS[value]})
        for value in mine:
            if doc not in members.setdefault(value, [])[-1:]:
                members[value].append(doc)
    got = grouped((_VALUE_TOKENS[value], docs) for value, docs in members.items())
    assert {t: list(d) for t, d in got.items()} == {t: list(d) for t, d in each.done().items()}
