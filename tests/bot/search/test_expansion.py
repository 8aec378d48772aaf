"""Query expansion: the typo pools it matches against."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from bot.models import Prompt
from bot.search.postings import Index

ALPHABET = "abcdeé"


def _index(vocabulary: list[str]) -> Index:
    prompt = Prompt(id="p", path="p.md", title="t", category="c", prompt=" ".join(vocabulary))
    return Index([prompt])


def _near(token: str, terms: list[str], edits: int) -> set[str]:
    return {t for t in terms if Levenshtein.distance(token, t) <= edits}


@st.composite
def _edited(draw: st.DrawFn, token: str, edits: int) -> str:
    """``token`` with up to ``edits`` random insertions, deletions, substitutions."""
    out = token
    for _ in range(draw(st.integers(0, edits))):
        at = draw(st.integers(0, len(out)))
        kind = draw(st.sampled_from("ids"))
        char = draw(st.sampled_from(ALPHABET))
        if kind == "i":
            out = out[:at] + char + out[at:]
        elif at < len(out):
            out = out[:at] + ("" if kind == "d" else char) + out[at + 1 :]
    return out


def _check(token: str, terms: list[str], edits: int) -> None:
    ix = _index(terms)
    whole = ix.pool(len(token), edits)
    pool = [term for part in ix.near_pools(token, edits) for term in part]
    assert set(pool) <= set(whole)
    assert _near(token, pool, edits) == _near(token, whole, edits)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from([1, 2]))
def test_a_near_pool_holds_every_term_within_reach(data: st.DataObject, edits: int) -> None:
    """Anchoring at the ends loses no term within one edit (a token of 4+
    characters) or two (8+): the same matches as the whole pool of lengths
    within reach."""
    token = data.draw(st.text(alphabet=ALPHABET, min_size=4 * edits, max_size=11))
    terms = data.draw(st.lists(_edited(token, edits + 1), min_size=1, max_size=40))
    terms += data.draw(st.lists(st.text(alphabet=ALPHABET, min_size=2, max_size=12)))
    _check(token, terms, edits)


def test_two_edits_one_at_each_end_are_found() -> None:
    """The shapes the second-character anchors are for: the front substituted,
    deleted or inserted before, and the end changed too."""
    _check("abcdabcd", ["xbcdabcx", "bcdabcx", "xabcdabcx", "xbcdabc", "bcdabc"], 2)


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
