"""Query expansion: the typo pools it matches against."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from bot.models import Prompt
from bot.search.postings import Index

WORDS = st.text(alphabet="abcdeé", min_size=2, max_size=7)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=60, unique=True), WORDS)
def test_the_one_edit_pool_holds_every_term_one_edit_away(
    vocabulary: list[str], token: str
) -> None:
    """Anchoring on the first or the last character loses no term within one
    edit: the same terms as the whole pool of lengths within one."""
    prompt = Prompt(id="p", path="p.md", title="t", category="c", prompt=" ".join(vocabulary))
    ix = Index([prompt])
    whole = {t for t in ix.pool(len(token), 1) if Levenshtein.distance(token, t) <= 1}
    pool = ix.one_edit_pool(token)
    assert len(pool) == len(set(pool))  # each term once
    assert {t for t in pool if Levenshtein.distance(token, t) <= 1} == whole
    assert len(pool) <= len(ix.pool(len(token), 1))
