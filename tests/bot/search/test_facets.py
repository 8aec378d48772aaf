"""Categories and tags with counts, folded lookup, members, and uniform random picks."""

from __future__ import annotations

import random
from collections import Counter

from bot.models import Prompt
from bot.search.engine import SearchEngine


def P(pid: str, category: str, tags: tuple[str, ...], title: str | None = None) -> Prompt:
    return Prompt(
        id=pid, path=f"{pid}.md", title=title or pid, category=category, prompt="p", tags=tags
    )


LIBRARY = [
    P("portraits/rain", "portraits", ("neon", "rain"), "Neon Rain"),
    P("portraits/studio", "portraits", ("studio",), "Studio Light"),
    P("3d/chibi", "3d", ("chibi", "Neon"), "Chibi Wedding"),
]


def test_names_counts_and_folded_lookup() -> None:
    facets = SearchEngine.build(LIBRARY).facets
    assert facets.categories == (("portraits", 2), ("3d", 1))
    assert dict(facets.tags)["neon"] == 2  # 'neon' and 'Neon' are one tag
    assert facets.category("PORTRAITS") == "portraits" and facets.category("3D") == "3d"
    assert facets.tag("NEON") == "neon" and facets.tag("nope") is None
    assert dict(facets.tags_in("3d")) == {"chibi": 1, "neon": 1}
    assert [p.id for p in facets.prompts_in("portraits")] == [
        "portraits/rain",
        "portraits/studio",
    ]
    assert facets.complete_category("port") == [("portraits", 2)]
    assert facets.complete_tag("") == list(facets.tags)


def test_random_under_filters() -> None:
    facets = SearchEngine.build(LIBRARY).facets
    rng = random.Random(1)
    assert {facets.random(rng=rng).id for _ in range(60)} == {p.id for p in LIBRARY}
    for _ in range(10):
        assert facets.random("3D", rng=rng).id == "3d/chibi"
        assert facets.random(tag="rain", rng=rng).id == "portraits/rain"
        assert facets.random("portraits", "NEON", rng=rng).id == "portraits/rain"
    assert facets.random("nope") is None
    assert facets.random("3d", "studio") is None
    assert facets.random("x' OR '1'='1") is None


def test_random_is_uniform() -> None:
    library = [P(f"c/p{n}", "c", ("t",)) for n in range(4)] + [P("d/q", "d", ("t",))]
    facets = SearchEngine.build(library).facets
    rng = random.Random(7)
    for category, tag in ((None, None), ("c", None), (None, "t"), ("c", "t")):
        counts = Counter(facets.random(category, tag, rng=rng).id for _ in range(1000))
        expected = 1000 / len(counts)
        # 1000 draws of 4 or 5: each ~200-250; a bucket below 60% of that is a bug
        assert len(counts) in (4, 5) and min(counts.values()) > 0.6 * expected, counts
        if category == "c":
            assert set(counts) == {f"c/p{n}" for n in range(4)}


def test_empty_library() -> None:
    facets = SearchEngine.build([]).facets
    assert facets.categories == () and facets.tags == ()
    assert facets.random() is None and facets.random("c") is None
