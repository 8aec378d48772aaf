"""Long descriptive queries: term counts and lengths count (BM25F), on small
hand-made libraries, and the counts built from the tokens the index stores."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.models import Prompt
from bot.search.analysis import COUNT_MAX, body_terms
from bot.search.engine import SearchEngine
from bot.search.inverted import long_part
from bot.search.postings import TAG, TEXT, TITLE

FILLER = (
    "studio photograph with soft light, shallow depth of field, natural colors, "
    "high detail, sharp focus, realistic textures and gentle shadows"
)


def P(pid: str, title: str, prompt: str, **kw: object) -> Prompt:
    kw.setdefault("category", "misc")
    return Prompt(id=pid, path=f"{pid}.md", title=title, prompt=prompt, **kw)  # type: ignore[arg-type]


def ids(engine: SearchEngine, query: str) -> list[str]:
    return [h.prompt.id for h in engine.search(query)]


def test_a_repeated_word_ranks_higher() -> None:
    # Same length, same words; "once" sorts first by title and is shorter.
    lib = [
        P("once", "A Evening Scene", f"paper lantern by a river at dusk, boats. {FILLER}"),
        P(
            "thrice",
            "B Evening Scene",
            f"paper lantern by a river at dusk, lantern light, lantern glow. {FILLER}",
        ),
        *(P(f"other{i}", f"Other {i}", f"a mountain village {i}. {FILLER}") for i in range(30)),
    ]
    engine = SearchEngine.build(lib)
    assert ids(engine, "paper lantern by the river")[:2] == ["thrice", "once"]


def test_a_long_prompt_does_not_win_by_length() -> None:
    long = " ".join(f"{FILLER}, item {i} on a shelf" for i in range(40))
    lib = [
        P("short", "B Still Life", "a red fox asleep in the snowy forest"),
        # every query word, each twice, lost in 1,000 words
        P("long", "A Still Life", f"red fox {long} snowy forest {long} red fox snowy forest"),
        *(P(f"other{i}", f"Other {i}", f"a city street {i}. {FILLER}") for i in range(30)),
    ]
    engine = SearchEngine.build(lib)
    assert ids(engine, "red fox in a snowy forest")[:2] == ["short", "long"]


DISTRACTORS = [
    P("d1", "Woman in a Red Dress", f"portrait of a woman in a red dress on a street. {FILLER}"),
    P("d2", "Rainy Harbor at Night", f"boats in a harbor in the rain at night. {FILLER}"),
    P("d3", "Woman Walking a Dog", f"a woman walking her dog in the park. {FILLER}"),
    P("d4", "Red Raincoat Fashion", f"fashion shoot, model wearing a red coat. {FILLER}"),
    P("d5", "Corgi Portrait", f"a corgi sitting on a sofa, studio portrait. {FILLER}"),
    # most of the words, in the title: what a title-first ranking puts first
    P("d6", "Woman with Corgi in Red Raincoat", f"a woman and her corgi in a park. {FILLER}"),
    *(P(f"x{i}", f"Mountain View {i}", f"snowy peaks at sunrise {i}. {FILLER}") for i in range(8)),
]


@pytest.mark.parametrize(
    "query",
    [
        "woman in a red raincoat walking her corgi by the harbor",
        "a corgi on a leash next to a woman wearing a red raincoat in the rain",
    ],
)
def test_a_description_finds_its_target_among_distractors(query: str) -> None:
    target = P(
        "target",
        "Seaside Stroll",
        "a woman in a red raincoat walks her corgi on a leash along the harbor, rain, "
        "puddles, fishing boats, overcast sky",
    )
    engine = SearchEngine.build([*DISTRACTORS, target])
    assert ids(engine, query)[0] == "target"


def test_each_term_of_a_word_brings_its_own_rarity() -> None:
    """A query word's stem or prefix variants count with their own idf: the
    common "four" of a four-panel grid does not score as the rare "fours"."""
    from bot.search.bm25 import K1, bm25f
    from bot.search.expansion import Expansion

    lib = [
        P("fours", "A", "a dancer on all fours"),
        P("four", "B", "a dancer in four panels"),
        *(P(f"grid{i}", f"Grid {i}", f"four panels, comic page {i}") for i in range(12)),
        *(P(f"other{i}", f"Other {i}", f"a quiet lake {i}") for i in range(26)),
    ]
    ix = SearchEngine.build(lib)._ix
    rare, common = ix.idfs(["fours"])[0], ix.idfs(["four"])[0]
    assert rare > common > 1.2  # both count (above MIN_IDF), the rare one for more
    word = [Expansion("fours", 1.0, rare), Expansion("four", 0.85, common)]
    docs = {h: n for n, h in enumerate(ix.ids)}
    got = bm25f(ix, [word], [docs["fours"], docs["four"]])
    # same length, one occurrence each: only similarity and rarity differ
    assert ix.text_len[docs["fours"]] == ix.text_len[docs["four"]]
    t = 1.0 / (1.0 - 0.75 + 0.75 * ix.text_len[docs["four"]] / ix.avg_len)
    assert got[docs["fours"]] == pytest.approx(t / (t + K1))
    assert got[docs["four"]] == pytest.approx(0.85 * common / rare * t / (t + K1))


def test_the_words_of_a_description_match_as_prefixes() -> None:
    """As a full-text prefix query would: "goth" finds "gothic" in a
    description; not in a short query, where only the last word is half typed."""
    lib = [
        P("plain", "A Portrait", f"a smiling girl with black lipstick. {FILLER}"),
        P("gothic", "B Portrait", f"a gothic girl with black lipstick. {FILLER}"),
        *(P(f"other{i}", f"Other {i}", f"a mountain village {i}. {FILLER}") for i in range(30)),
    ]
    engine = SearchEngine.build(lib)
    assert ids(engine, "goth girl with black lipstick")[0] == "gothic"
    # a whole word in a short query: "goth" is in no prompt, the title order decides
    assert ids(engine, "goth lipstick ")[:2] == ["plain", "gothic"]
    assert ids(engine, "lipstick goth")[0] == "gothic"  # … or the half-typed last one


def test_a_description_looks_past_its_rarest_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """A short query's common words are looked up only among the prompts its
    rarer words found; a description's rare words are often the ones its target
    lacks ("cab" for "taxi"), so there every word is looked up everywhere."""
    import bot.search.coverage as coverage_module

    monkeypatch.setattr(coverage_module, "BIG_MIN", 2)  # 40 prompts: BIG 2
    lib = [
        P("cab", "A", "a yellow cab"),
        *(P(f"taxi{i}", f"Taxi {i}", f"a taxi in the tokyo rain {i}") for i in range(4)),
        *(P(f"other{i}", f"Other {i}", f"a quiet lake {i}") for i in range(35)),
    ]
    engine = SearchEngine.build(lib)
    assert set(ids(engine, "cab tokyo ")) == {"cab"}
    assert {"cab", "taxi0", "taxi3"} <= set(ids(engine, "cab in tokyo "))


def test_short_queries_keep_typos_and_prefixes() -> None:
    engine = SearchEngine.build([*DISTRACTORS, P("t", "Seaside Stroll", "a walk by the sea")])
    assert ids(engine, "seasde strol")[0] == "t"
    assert ids(engine, "seaside str")[0] == "t"


def test_stored_tokens_give_each_terms_count_capped_at_a_byte() -> None:
    text = "Red fox, red FOX; a red fox in snow " + "la " * 300 + "北京北京"
    stored = body_terms(P("t", "T", text))
    part = long_part([stored])
    counts = {term: docs[0] & 0xFF for term, docs in part.tf.items()}
    assert counts == {"red": 3, "fox": 3, "la": COUNT_MAX, "北京": 2}
    assert set(part.postings) == {"red", "fox", "a", "in", "snow", "la", "北京", "京北"}
    assert list(part.text_len) == [9 + 300 + 3]  # every token counts, past the cap too


def test_stored_tokens_build_the_same_engine() -> None:
    lib = [*DISTRACTORS, P("t", "Seaside Stroll", "red red red raincoat, corgi corgi")]
    stored = SearchEngine.build(lib, [body_terms(p) for p in lib])
    computed = SearchEngine.build(lib)
    for query in ("woman in a red raincoat walking her corgi", "red coat", "corgi"):
        assert [(h.prompt.id, h.score) for h in stored.search(query)] == [
            (h.prompt.id, h.score) for h in computed.search(query)
        ]


COMMON_WORDS = ["fox", "snow", "red", "lake", "dawn", "neon", "rain", "city"]


def _common_words_library() -> SearchEngine:
    """1,000 prompts, each of whose words is in about 300 of them, often
    repeated, in titles and tags too: long posting and repeat arrays, in
    fewer than half the prompts (so that they count)."""
    import random

    rng = random.Random(7)
    prompts = []
    for i in range(1000):
        held = [w for w in COMMON_WORDS if rng.random() < 0.3]
        body = [w for w in held for _ in range(rng.randint(1, 4))] + [f"filler{i}"]
        rng.shuffle(body)
        title = " ".join(rng.sample(COMMON_WORDS, 2)) if i % 3 else f"untitled {i}"
        tags = tuple(rng.sample(COMMON_WORDS, rng.randint(0, 2)))
        prompts.append(P(f"p{i}", title, " ".join(body), tags=tags))
    return SearchEngine.build(prompts)


COMMON = _common_words_library()


def reference_bm25f(ix: Any, words: list[list[Any]], docs: set[int]) -> dict[int, float]:
    """The module docstring's formula, written plainly: per word, per term,
    per candidate, in the same order of operations."""
    from bot.search.bm25 import K1, MIN_IDF, TERMS_PER_WORD, W_TAGS, W_TITLE
    from bot.search.bm25 import B as B_

    weights = [max((e.idf for e in w), default=0.0) for w in words]
    weights = [w if w >= MIN_IDF else 0.0 for w in weights]
    total = sum(weights) or 1.0
    out = dict.fromkeys(sorted(docs), 0.0)
    for weight, exps in zip(weights, words, strict=True):
        if not weight:
            continue
        best: dict[int, float] = {}
        for e in exps[:TERMS_PER_WORD]:
            if e.idf < MIN_IDF:
                continue
            repeats = {r >> 8: r & 0xFF for r in ix.tf.get(e.term, ())}
            for d in docs:
                t = None
                if d in set(ix.post[TEXT].get(e.term, ())):
                    norm = 1.0 - B_ + B_ * ix.text_len[d] / ix.avg_len
                    t = repeats.get(d, 1.0) / norm
                if d in set(ix.post[TITLE].get(e.term, ())):
                    t = (t or 0.0) + W_TITLE
                if d in set(ix.post[TAG].get(e.term, ())):
                    t = (t or 0.0) + W_TAGS
                if t is not None:
                    best[d] = max(best.get(d, 0.0), e.sim * e.idf * t / (t + K1))
        for d, v in best.items():
            out[d] += v / total
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.sampled_from([*COMMON_WORDS, "filler3", "nowhere"]), st.floats(0.3, 1.0)),
            max_size=4,
        ),
        min_size=1,
        max_size=5,
    ),
    st.sets(st.integers(0, 999), min_size=1, max_size=60),
    st.sampled_from([0, 100, 10**9]),
)
@example(  # every word: their scores added in the query's order, as the formula's
    [[(w, 1.0 - 0.07 * i), ("filler3", 0.5)] for i, w in enumerate(COMMON_WORDS)],
    set(range(0, 1000, 9)),
    100,
)
def test_bm25f_is_its_formula_whichever_way_the_arrays_are_searched(
    words: list[list[tuple[str, float]]], docs: set[int], long_array: int
) -> None:
    """Every array joined and looked up in one pass, or searched for the
    candidates on its own (past ``LONG_ARRAY``): the formula's scores, exactly."""
    from bot.search import bm25 as bm25_module
    from bot.search.expansion import Expansion

    ix = COMMON._ix
    query = [[Expansion(term, sim, ix.idfs([term])[0]) for term, sim in word] for word in words]
    assert min(len(ix.post[TEXT][w]) for w in COMMON_WORDS) > 100
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bm25_module, "LONG_ARRAY", long_array)
        got = bm25_module.bm25f(ix, query, docs)
    assert got == reference_bm25f(ix, query, docs)
