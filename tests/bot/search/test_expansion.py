"""Query expansion: the terms its typos are measured against, and its prefixes."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA, Levenshtein

from bot.models import Prompt
from bot.search.postings import Index

ALPHABET = "abcdeéi"  # (é and i: ord(c) % 64 is the same, one bit of the masks)
Distance = Callable[[str, str], float]


def _index(vocabulary: list[str]) -> Index:
    prompt = Prompt(id="p", path="p.md", title="t", category="c", prompt=" ".join(vocabulary))
    return Index([prompt])


def _near(token: str, terms: list[str], edits: int, distance: Distance) -> set[str]:
    return {t for t in terms if distance(token, t) <= edits}


@st.composite
def _edited(draw: st.DrawFn, token: str, edits: int) -> str:
    """``token`` with up to ``edits`` random insertions, deletions,
    substitutions and swaps of neighbours."""
    out = token
    for _ in range(draw(st.integers(0, edits))):
        at = draw(st.integers(0, len(out)))
        kind = draw(st.sampled_from("idst"))
        char = draw(st.sampled_from(ALPHABET))
        if kind == "i":
            out = out[:at] + char + out[at:]
        elif kind == "t" and at + 1 < len(out):
            out = out[:at] + out[at + 1] + out[at] + out[at + 2 :]
        elif at < len(out):
            out = out[:at] + ("" if kind == "d" else char) + out[at + 1 :]
    return out


def _check(token: str, terms: list[str], edits: int, distance: Distance) -> None:
    ix = _index(terms)
    reach = range(len(token) - edits, len(token) + edits + 1)
    whole = [term for term in ix.vocab if len(term) in reach]  # (the alphabet has no CJK)
    near = ix.near(token, edits)
    assert len(near) == len(set(near))
    assert set(near) <= set(whole)
    assert _near(token, near, edits, distance) == _near(token, whole, edits, distance)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from([1, 2, 3]), st.sampled_from([Levenshtein.distance, OSA.distance]))
def test_the_near_terms_hold_every_term_within_reach(
    data: st.DataObject, edits: int, distance: Distance
) -> None:
    """The characters' masks lose no term within reach, by edits (the typo
    expansion's one or two) or with swaps counted as one ("did you mean"'s up
    to three): the same matches as every term of a length within reach.
    (ALPHABET's "é" and "i" share a bit.)"""
    token = data.draw(st.text(alphabet=ALPHABET, min_size=1, max_size=11))
    terms = data.draw(st.lists(_edited(token, edits + 1), min_size=1, max_size=40))
    terms += data.draw(st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=12)))
    _check(token, terms, edits, distance)


def test_terms_with_other_characters_are_not_measured() -> None:
    """What the masks are for: of the terms of a length within reach, those
    holding too many characters the word lacks (or lacking too many it holds)
    are left out before any distance is measured."""
    ix = _index(["abcdefgh", "abcdefxy", "abcdwxyz", "zzzzzzzz", "hgfedcba", "abcdefghijk"])
    # (the same characters in another order pass, and are then measured)
    assert sorted(ix.near("abcdefgh", 1)) == ["abcdefgh", "hgfedcba"]
    assert sorted(ix.near("abcdefgh", 2)) == ["abcdefgh", "abcdefxy", "hgfedcba"]
    assert ix.near("qqqq", 1) == [] and ix.near("", 0) == []
    # the same characters, but not as many of each: "abab" holds a and b twice
    assert _index(["abcd", "abba", "aabb", "abbb"]).near("abab", 1) == ["aabb", "abba", "abbb"]
    assert _index(["ab"]).near("abcdefghijklmnopqrstuvwxyz", 3) == []  # past the longest


def test_a_near_term_of_every_length_within_reach_is_found() -> None:
    """Each length from ``len - edits`` to ``len + edits``, and none past them."""
    terms = ["abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "abc", "ab"]
    ix = _index(terms)
    assert sorted(ix.near("abcdef", 2), key=len) == [
        "abcd",
        "abcde",
        "abcdef",
        "abcdefg",
        "abcdefgh",
    ]
    assert sorted(ix.near("abcdef", 1), key=len) == ["abcde", "abcdef", "abcdefg"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=6), min_size=1, max_size=60),
    st.text(alphabet=ALPHABET, max_size=3),
    st.integers(1, 8),
    st.booleans(),
)
def test_prefixed_is_the_first_terms_with_the_prefix_shortest_first(
    vocabulary: list[str], prefix: str, cap: int, short: bool
) -> None:
    """Of the first ``cap * 4`` terms (in vocabulary order) that start with the
    prefix, the ``cap`` shortest, ties in vocabulary order."""
    words = " ".join(vocabulary)
    ix = Index([Prompt(id="p", path="p.md", title=words, category="c", prompt=words)])
    vocab = ix.short_vocab if short else ix.vocab
    first = [term for term in vocab if term.startswith(prefix)][: cap * 4]
    assert ix.prefixed(prefix, cap, short=short) == sorted(first, key=len)[:cap]
