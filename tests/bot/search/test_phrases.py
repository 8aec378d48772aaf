"""Title phrases: the query's adjacent word pairs found side by side in a title,
in the query's order, weighted by their words' rarity; and what they decide in
a description search."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Prompt
from bot.search import described as described_module
from bot.search.analysis import key, tokens
from bot.search.engine import SearchEngine
from bot.search.phrases import title_phrases
from bot.search.postings import Index


def P(pid: str, title: str, prompt: str = "a picture") -> Prompt:
    return Prompt(id=pid, path=f"{pid}.md", title=title, category="misc", prompt=prompt)


def shares(titles: list[str], query: str, weights: list[float] | None = None, floor: float = 0.0):
    ix = Index([P(f"t{i}", t) for i, t in enumerate(titles)])
    words = tokens(key(query))
    found = title_phrases(ix, words, weights or [1.0] * len(words), range(len(titles)), floor)
    return {ix.titles[doc]: round(v, 6) for doc, v in found.items()}


def test_a_pair_counts_side_by_side_and_in_the_query_order_only() -> None:
    found = shares(
        [
            "Figure-Style Product Page Design",  # "product page", hyphens and case aside
            "Page of a Product Catalogue",  # both words, reversed
            "Product Photo on a Landing Page",  # both words, apart
            "Anime Figurine Shelf",
        ],
        "product page for an anime figurine",
    )
    # five pairs of equal weight: each title holds one
    assert found == {"Figure-Style Product Page Design": 0.2, "Anime Figurine Shelf": 0.2}


def test_a_word_inside_another_is_not_a_pair() -> None:
    # "elf" is in "selfie", "mirror" in "mirrored": substrings are not words
    assert shares(["Mirrored Selfie Wall", "Elf Mirror Portrait"], "naughty elf mirror selfie") == {
        "Elf Mirror Portrait": round(1 / 3, 6)
    }


def test_pairs_weigh_their_words_and_common_words_are_left_out() -> None:
    titles = ["Black Blazer Portrait", "Woman in Black"]
    words = ["woman", "in", "black", "blazer"]
    weights = [2.0, 0.5, 3.0, 5.0]
    # pairs: woman in (2.5), in black (3.5), black blazer (8.0)
    assert shares(titles, " ".join(words), weights) == {
        "Black Blazer Portrait": round(8.0 / 14.0, 6),
        "Woman in Black": round(6.0 / 14.0, 6),
    }
    # "in" below the floor: only "black blazer" is left, and holds everything
    assert shares(titles, " ".join(words), weights, floor=1.0) == {"Black Blazer Portrait": 1.0}


def test_a_query_without_pairs_scores_nothing() -> None:
    assert shares(["Red Fox"], "fox") == {}
    assert shares(["Red Fox"], "red fox", [0.5, 0.5], floor=1.0) == {}


def test_only_the_given_docs_are_scored() -> None:
    ix = Index([P("a", "Red Fox"), P("b", "Red Fox in Snow")])
    assert set(title_phrases(ix, ["red", "fox"], [1.0, 1.0], [1])) == {1}


WORDS = ["red", "fox", "snow", "in", "the", "neon", "city", "rain", "selfie", "elf"]


def _naive(titles: list[str], words: list[str], weights: list[float]) -> dict[int, float]:
    """Every title cut into words, every pair looked up."""
    pairs = {(words[i], words[i + 1]): weights[i] + weights[i + 1] for i in range(len(words) - 1)}
    total = sum(pairs.values())
    out = {}
    for doc, title in enumerate(titles):
        t = tokens(key(title))
        found = sum(pairs.get(p, 0.0) for p in set(pairwise(t)))
        if found:
            out[doc] = found / total
    return out


@settings(max_examples=200, deadline=None)
@given(
    titles=st.lists(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(lambda w: "-".join(w)),
        min_size=1,
        max_size=12,
    ),
    words=st.lists(st.sampled_from(WORDS), min_size=2, max_size=6),
    weights=st.lists(st.floats(0.5, 8.0), min_size=6, max_size=6),
)
def test_the_filtered_lookup_equals_cutting_every_title(
    titles: list[str], words: list[str], weights: list[float]
) -> None:
    ix = Index([P(f"t{i}", t) for i, t in enumerate(titles)])
    # documents are numbered by size in the index: compare by title
    found = title_phrases(ix, words, weights[: len(words)], range(len(titles)))
    naive = _naive(ix.titles, words, weights[: len(words)])
    assert found.keys() == naive.keys()
    for doc, share in naive.items():
        assert found[doc] == pytest.approx(share)


def test_a_title_phrase_decides_between_two_descriptions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The body that repeats the query's words wins on term counts alone; the
    title that holds two of them side by side wins with the phrases."""
    filler = "studio light, soft shadows, sharp focus"
    lib = [
        P("phrase", "Black Blazer Portrait", f"a boss at a desk, {filler}"),
        P("counts", "Office Portrait", f"a boss in a black blazer, a boss, {filler}"),
        *(P(f"x{i}", f"View {i}", f"snowy peaks at sunrise {i}, {filler}") for i in range(20)),
    ]
    query = "powerful boss in a black blazer"
    assert [h.prompt.id for h in SearchEngine.build(lib).search(query)][:1] == ["phrase"]
    monkeypatch.setattr(described_module, "MIX_PHRASE", 0.0)
    assert [h.prompt.id for h in SearchEngine.build(lib).search(query)][:1] == ["counts"]


def test_the_phrase_bonus_stays_below_an_exact_title(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bonus comes on top of a description's score: capped below the 100 of
    an exact title (here the cap is lowered to where this small library's near
    title reaches, ~90), so that only an exact title ranks as one."""
    monkeypatch.setattr(described_module, "NEAR_EXACT", 80.0)
    filler = "studio light, soft shadows, sharp focus"
    lib = [
        P("near", "Girl in Yucatan Yukata", f"a girl in a yukata in yucatan, {filler}"),
        P("exact", "Yucatan Yukata Fashion", f"a yukata, {filler}"),
        *(P(f"x{i}", f"View {i}", f"snowy peaks at sunrise {i}, {filler}") for i in range(20)),
    ]
    engine = SearchEngine.build(lib)
    near = engine.search("girl in yucatan yukata dress")
    assert near[0].prompt.id == "near" and near[0].score == 80.0
    assert engine.clear_winner(near) == near[0]  # by its lead
    exact = engine.search("yucatan yukata fashion")
    assert exact[0].prompt.id == "exact" and exact[0].score == 100.0
